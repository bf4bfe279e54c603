package webexposure

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/atoguard/atoguard"
)

// Finding IDs.
const (
	CheckEnvFile        = "env-file"
	CheckConfigBackup   = "config-backup"
	CheckGitExposed     = "git-exposed"
	CheckDSStore        = "ds-store"
	CheckDirListing     = "directory-listing"
	CheckLaravelDebug   = "laravel-debug"
	CheckDjangoDebug    = "django-debug"
	CheckSymfonyProfile = "symfony-profiler"
	CheckRailsDebug     = "rails-debug"
	CheckPHPInfo        = "phpinfo"
	CheckActuatorEnv    = "actuator-env"
	CheckActuatorHeap   = "actuator-heapdump"
	CheckServerStatus   = "server-status"
	CheckCredential     = "credential-exposed"
	CheckPlainHTTP      = "plain-http"
	CheckCertExpired    = "certificate-expired"
	CheckCertName       = "certificate-mismatch"
	CheckCertUntrusted  = "certificate-untrusted"
	CheckOldTLS         = "tls-below-1.2"
	CheckOpenPort       = "open-port"
	CheckWebhookSig     = "webhook-signature-not-validated"
)

// Rule IDs of scan's credential findings.
const (
	RuleAuthToken  = "twilio-auth-token"
	RuleAPIKey     = "twilio-api-key"
	RuleAccountSID = "twilio-account-sid"
)

// checkInfo is the fixed part of a finding: severity, summary, fix and
// Twilio's next step it belongs to.
type checkInfo struct {
	sev      atoguard.Severity
	summary  string
	fix      string
	guidance int
}

func checkInfos() map[string]checkInfo {
	const (
		high, crit, med, low = atoguard.SeverityHigh, atoguard.SeverityCritical, atoguard.SeverityMedium, atoguard.SeverityLow
	)
	rm := "remove it from the web root and deny dot files and backups in the server configuration (nginx: location ~ /\\. { deny all; })"
	return map[string]checkInfo{
		CheckEnvFile:        {high, "environment file served to anyone", rm + "; rotate every credential it held", 11},
		CheckConfigBackup:   {high, "configuration backup served to anyone", rm + "; rotate every credential it held", 11},
		CheckGitExposed:     {high, "git repository served to anyone (the whole history can be downloaded)", "deploy without .git or deny /.git in the server configuration; treat every secret ever committed as leaked (atoguard scan --history)", 10},
		CheckDSStore:        {low, ".DS_Store served (lists the directory's files)", rm, 10},
		CheckDirListing:     {med, "directory listing enabled", "turn directory listings off (nginx: autoindex off; Apache: Options -Indexes)", 10},
		CheckLaravelDebug:   {high, "Laravel debug mode / Ignition reachable", "set APP_DEBUG=false in production and remove Ignition from production dependencies", 5},
		CheckDjangoDebug:    {high, "Django runs with DEBUG = True", "set DEBUG = False in production settings", 5},
		CheckSymfonyProfile: {high, "Symfony profiler reachable", "deploy with APP_ENV=prod and without the web profiler bundle", 5},
		CheckRailsDebug:     {high, "Rails development error pages or info reachable", "run with RAILS_ENV=production (config.consider_all_requests_local = false)", 5},
		CheckPHPInfo:        {high, "phpinfo() page served (shows environment variables)", "delete the phpinfo file", 5},
		CheckActuatorEnv:    {high, "Spring Boot actuator env endpoint exposed", "expose only health and info (management.endpoints.web.exposure.include=health,info) and secure the rest", 5},
		CheckActuatorHeap:   {crit, "Spring Boot heap dump downloadable (memory holds every secret)", "disable the heapdump endpoint (management.endpoint.heapdump.enabled=false); rotate credentials", 5},
		CheckServerStatus:   {med, "server-status page exposed", "restrict server-status to localhost", 10},
		CheckCredential:     {crit, "credential served to anyone", "rotate it now (atoguard respond), then remove it from the web root", 11},
		CheckPlainHTTP:      {med, "HTTP without a redirect to HTTPS", "redirect every HTTP request to HTTPS (and point Twilio's webhooks at https:// URLs)", 10},
		CheckCertExpired:    {high, "certificate expired or not yet valid", "renew the certificate (automate it, e.g. ACME)", 10},
		CheckCertName:       {high, "certificate does not match the host name", "serve a certificate that names this host", 10},
		CheckCertUntrusted:  {med, "certificate chain not trusted", "serve the full chain from a trusted CA", 10},
		CheckOldTLS:         {med, "TLS below 1.2 accepted", "accept TLS 1.2 and 1.3 only (nginx: ssl_protocols TLSv1.2 TLSv1.3;)", 10},
		CheckOpenPort:       {high, "database or admin port reachable", "close the port in the firewall or bind the service to a private address", 10},
		CheckWebhookSig:     {high, "webhook answers a request with a wrong X-Twilio-Signature", "validate X-Twilio-Signature on every webhook request (Twilio's helper libraries: RequestValidator)", 10},
	}
}

// probe is one fixed path and how to tell its answer is the real thing, not
// a catch-all page: match returns the evidence and true.
type probe struct {
	path   string
	method string
	check  string
	match  func(r Response) (string, bool)
}

// probes is the whole fixed list, in request order. Small on purpose: the
// files harvesters ask for first, not a brute force.
func probes() []probe {
	var ps []probe
	for _, p := range []string{"/.env", "/.env.local", "/.env.production", "/.env.prod", "/.env.backup", "/.env.bak", "/.env.old", "/.env.save", "/.env~", "/api/.env"} {
		ps = append(ps, probe{p, "GET", CheckEnvFile, envFile})
	}
	for _, p := range []string{"/wp-config.php.bak", "/wp-config.php~", "/wp-config.php.save", "/wp-config.php.old", "/config.php.bak", "/config.php~"} {
		ps = append(ps, probe{p, "GET", CheckConfigBackup, phpSource})
	}
	ps = append(ps,
		probe{"/.git/config", "GET", CheckGitExposed, marker(`(?m)^\[core\]`, "[core] section")},
		probe{"/.git/HEAD", "GET", CheckGitExposed, marker(`^ref: refs/`, "ref: refs/…")},
		probe{"/.DS_Store", "GET", CheckDSStore, dsStore},
		probe{"/_ignition/health-check", "GET", CheckLaravelDebug, marker(`"can_execute_commands"`, "Ignition health check")},
		probe{"/_profiler/", "GET", CheckSymfonyProfile, marker(`(?i)symfony profiler`, "Symfony Profiler page")},
		probe{"/rails/info/properties", "GET", CheckRailsDebug, marker(`(?i)rails version`, "Rails info page")},
		probe{"/phpinfo.php", "GET", CheckPHPInfo, phpinfo},
		probe{"/info.php", "GET", CheckPHPInfo, phpinfo},
		probe{"/actuator/env", "GET", CheckActuatorEnv, marker(`"propertySources"`, "actuator env JSON")},
		probe{"/actuator/heapdump", "HEAD", CheckActuatorHeap, heapdump},
		probe{"/server-status", "GET", CheckServerStatus, marker(`(?i)server status for|apache server status`, "Apache server-status page")},
		// A path that exists nowhere: framework debug 404 pages show here.
		probe{"/atoguard-check-404", "GET", "", nil},
	)
	return ps
}

func ok200(r Response) bool { return r.Status >= 200 && r.Status < 300 }

func looksHTML(b []byte) bool {
	head := bytes.ToLower(b[:min(len(b), 512)])
	return bytes.Contains(head, []byte("<html")) || bytes.Contains(head, []byte("<!doctype")) || bytes.Contains(head, []byte("<head"))
}

func marker(expr, what string) func(Response) (string, bool) {
	re := regexp.MustCompile(expr)
	return func(r Response) (string, bool) {
		if !ok200(r) || !re.Match(r.Body) {
			return "", false
		}
		return fmt.Sprintf("HTTP %d, %d bytes, %s", r.Status, len(r.Body), what), true
	}
}

var envLine = regexp.MustCompile(`(?m)^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=`)

// envFile matches KEY=value lines that are not an HTML page; the evidence
// names the variables, never their values.
func envFile(r Response) (string, bool) {
	if !ok200(r) || looksHTML(r.Body) {
		return "", false
	}
	m := envLine.FindAllSubmatch(r.Body, -1)
	if len(m) == 0 {
		return "", false
	}
	var names []string
	for _, x := range m {
		if len(names) == 8 {
			names = append(names, "…")
			break
		}
		names = append(names, string(x[1]))
	}
	return fmt.Sprintf("HTTP %d, %d bytes, %d variables: %s", r.Status, len(r.Body), len(m), strings.Join(names, ", ")), true
}

func phpSource(r Response) (string, bool) {
	if !ok200(r) || !bytes.Contains(r.Body, []byte("<?php")) {
		return "", false
	}
	what := "PHP source"
	if bytes.Contains(r.Body, []byte("DB_PASSWORD")) {
		what = "PHP source with DB_PASSWORD"
	}
	return fmt.Sprintf("HTTP %d, %d bytes, %s", r.Status, len(r.Body), what), true
}

func dsStore(r Response) (string, bool) {
	if !ok200(r) || !bytes.HasPrefix(r.Body, []byte("\x00\x00\x00\x01Bud1")) {
		return "", false
	}
	return fmt.Sprintf("HTTP %d, %d bytes, .DS_Store magic", r.Status, len(r.Body)), true
}

func phpinfo(r Response) (string, bool) {
	if !ok200(r) || !bytes.Contains(r.Body, []byte("phpinfo()")) || !bytes.Contains(r.Body, []byte("PHP Version")) {
		return "", false
	}
	return fmt.Sprintf("HTTP %d, %d bytes, phpinfo() output", r.Status, len(r.Body)), true
}

// heapdump is a HEAD: a heap dump is hundreds of megabytes of secrets, and
// never downloaded.
func heapdump(r Response) (string, bool) {
	ct := strings.ToLower(r.Header["Content-Type"])
	if !ok200(r) || !(strings.Contains(ct, "octet-stream") || strings.Contains(ct, "hprof")) {
		return "", false
	}
	return fmt.Sprintf("HEAD: HTTP %d, Content-Type %s, Content-Length %s (not downloaded)", r.Status, ct, r.Header["Content-Length"]), true
}

// pageMarker is a debug page recognised in any body fetched.
type pageMarker struct {
	check string
	re    *regexp.Regexp
	what  string
}

func pageMarkers() []pageMarker {
	return []pageMarker{
		{CheckDirListing, regexp.MustCompile(`(?i)<title>\s*(index of /|directory listing for /)`), "directory index page"},
		{CheckDjangoDebug, regexp.MustCompile(`You're seeing this error because you have <code>DEBUG = True</code>`), "Django DEBUG page"},
		{CheckLaravelDebug, regexp.MustCompile(`(?i)Whoops! There was an error|Illuminate\\[A-Za-z]+\\|window\.ignite`), "Laravel/Ignition error page"},
		{CheckSymfonyProfile, regexp.MustCompile(`(?i)sf-toolbar|symfony exception`), "Symfony debug page"},
		{CheckRailsDebug, regexp.MustCompile(`(?i)Action Controller: Exception caught|<h1>Routing Error</h1>`), "Rails development error page"},
		{CheckPHPInfo, regexp.MustCompile(`<title>PHP [0-9.]+[^<]* - phpinfo\(\)</title>`), "phpinfo() output"},
	}
}

// pageFindings recognises debug pages and listings in any answer.
func pageFindings(r Response) map[string]string {
	out := map[string]string{}
	for _, m := range pageMarkers() {
		if m.re.Match(r.Body) {
			out[m.check] = fmt.Sprintf("HTTP %d, %d bytes, %s", r.Status, len(r.Body), m.what)
		}
	}
	if r.Header["X-Debug-Token-Link"] != "" || r.Header["X-Debug-Token"] != "" {
		out[CheckSymfonyProfile] = fmt.Sprintf("HTTP %d, X-Debug-Token header (Symfony profiler)", r.Status)
	}
	return out
}
