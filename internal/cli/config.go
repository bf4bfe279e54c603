package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/twilio"
	"github.com/knadh/koanf/parsers/toml/v2"
	"github.com/knadh/koanf/v2"
	"github.com/spf13/cobra"
)

// Config is what commands read from the config file and the environment.
// Keys are kebab-case in TOML; environment variables use Twilio's own names.
type Config struct {
	TwilioAPIURL string // base URL for every Twilio host; "" = the real Twilio
	Credential   atoguard.Credential
	GitHubToken  atoguard.Secret
	GitHubAPIURL string
	k            *koanf.Koanf
}

// envKeys maps environment variables to config keys. Environment wins over
// the file; flags win over both (each command applies its own flags).
func envKeys() map[string]string {
	return map[string]string{
		"TWILIO_ACCOUNT_SID":      "twilio-account-sid",
		"TWILIO_AUTH_TOKEN":       "twilio-auth-token",
		"TWILIO_API_KEY":          "twilio-api-key",
		"TWILIO_API_SECRET":       "twilio-api-secret",
		"ATOGUARD_TWILIO_API_URL": "twilio-api-url",
		"GITHUB_TOKEN":            "github-token",
		"ATOGUARD_GITHUB_API_URL": "github-api-url",
		"ATOGUARD_DATABASE_URL":   "serve.database-url",
	}
}

// maxConfigBytes caps the config file: a settings file is a few hundred
// bytes, and ATOGUARD_CONFIG=/dev/zero must fail at once, not fill memory.
const maxConfigBytes = 1 << 20

// configKeys lists every key atoguard.toml may hold. A key not listed is an
// error: a typo (keep-key for keep-keys) must not silently change what a
// command does. A command that reads a new key adds it here.
func configKeys() []string {
	keys := []string{
		"twilio-account-sid", "twilio-auth-token", "twilio-api-key", "twilio-api-secret", "twilio-api-url",
		"github-token", "github-api-url",
	}
	for _, k := range []string{
		"only", "skip", "accounts", "allow-countries", "keep-keys", "caller-id-allowlist", "suspend-subaccounts",
		"safe-webhook-url", "event-sink-url", "trigger-callback-url", "daily-limit", "webhook-snapshot",
		"investigation", "incident-start", "credential-sink", "credential-sink-timeout", "journal", "report",
	} {
		keys = append(keys, "respond."+k)
	}
	for _, k := range []string{
		"addr", "data-dir", "database-url", "public-url", "events-path", "max-body", "previous-auth-token", "previous-token-until",
	} {
		keys = append(keys, "serve."+k)
	}
	for _, k := range serveMonitorKeys() {
		keys = append(keys, "serve."+k)
	}
	for _, k := range serveDashboardKeys() {
		keys = append(keys, "serve."+k)
	}
	return keys
}

// secretKeys are the config keys that hold a credential.
func secretKeys() []string {
	return append([]string{"twilio-auth-token", "twilio-api-secret", "github-token", "serve.previous-auth-token", "serve.database-url", "serve.dashboard-password-hash"}, serveSecretKeys()...)
}

// loadConfig reads the config file named by --config, $ATOGUARD_CONFIG or
// ./atoguard.toml (if it exists), then the environment.
func loadConfig(cmd *cobra.Command, streams IO) (*Config, error) {
	k := koanf.New(".")
	path, _ := cmd.Flags().GetString("config")
	explicit := path != ""
	if path == "" {
		path = streams.Getenv("ATOGUARD_CONFIG")
		explicit = path != ""
	}
	if path == "" {
		path = "atoguard.toml"
	}
	if err := loadConfigFile(k, path, streams.Err); err != nil {
		if explicit || !errors.Is(err, fs.ErrNotExist) {
			return nil, atoguard.Errorf(atoguard.EINVALID, "config", "%v", err)
		}
	}
	for env, key := range envKeys() {
		if v := streams.Getenv(env); v != "" {
			_ = k.Set(key, v)
		}
	}
	c := &Config{
		TwilioAPIURL: strings.TrimRight(k.String("twilio-api-url"), "/"),
		GitHubAPIURL: strings.TrimRight(k.String("github-api-url"), "/"),
		GitHubToken:  atoguard.NewSecret(k.String("github-token")),
		k:            k,
	}
	c.Credential.AccountSID = k.String("twilio-account-sid")
	if key := k.String("twilio-api-key"); key != "" {
		c.Credential.KeySID = key
		c.Credential.Secret = atoguard.NewSecret(k.String("twilio-api-secret"))
	} else {
		c.Credential.Secret = atoguard.NewSecret(k.String("twilio-auth-token"))
	}
	return c, nil
}

// loadConfigFile reads at most maxConfigBytes of path into k, refuses keys
// that no command reads, and warns on stderr when the file holds a secret
// that its group or others may read. Errors name the file.
func loadConfigFile(k *koanf.Koanf, path string, stderr io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > maxConfigBytes {
		return fmt.Errorf("reading %s: larger than %d MiB, the most a config file may hold; is it the right file?", path, maxConfigBytes>>20)
	}
	if err := k.Load(rawBytes(data), toml.Parser()); err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if err := checkConfigKeys(k.Keys()); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	var held []string
	for _, key := range secretKeys() {
		if k.String(key) != "" {
			held = append(held, key)
		}
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o077 != 0 && len(held) > 0 {
		fmt.Fprintf(stderr, "atoguard: warning: %s holds %s and is readable by group or others (mode %04o); run chmod 600 %s\n",
			atoguard.Printable(path), strings.Join(held, ", "), fi.Mode().Perm(), atoguard.Printable(path))
	}
	return nil
}

// rawBytes is a koanf provider of bytes already read.
type rawBytes []byte

func (b rawBytes) ReadBytes() ([]byte, error)    { return b, nil }
func (b rawBytes) Read() (map[string]any, error) { return nil, errors.New("rawBytes needs a parser") }

// checkConfigKeys refuses keys that no command reads, each with the known
// key it most likely meant.
func checkConfigKeys(keys []string) error {
	known := configKeys()
	var bad []string
	for _, key := range keys {
		if slices.Contains(known, key) {
			continue
		}
		msg := fmt.Sprintf("unknown key %q", key)
		if s := suggestKey(key, known); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		bad = append(bad, msg)
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	return fmt.Errorf("%s; the keys are listed in README.md and docs/respond.md", strings.Join(bad, "; "))
}

// suggestKey returns the known key closest to key: the same name in another
// table (keep-keys for respond.keep-keys), else one within a few edits.
func suggestKey(key string, known []string) string {
	last := key[strings.LastIndexByte(key, '.')+1:]
	for _, k := range known {
		if k[strings.LastIndexByte(k, '.')+1:] == last {
			return k
		}
	}
	return closest(key, known)
}

// String returns a config-file value for a kebab-case key (command-specific
// settings such as respond.allow-countries).
func (c *Config) String(key string) string { return c.k.String(key) }

// Strings returns a list value for key.
func (c *Config) Strings(key string) []string { return c.k.Strings(key) }

// Exists reports whether key was set in the file or environment.
func (c *Config) Exists(key string) bool { return c.k.Exists(key) }

// RequireTwilio checks that a Twilio credential is configured.
func (c *Config) RequireTwilio() error {
	switch key, sid := c.k.String("twilio-api-key"), c.Credential.AccountSID; {
	case key != "" && c.Credential.Secret.IsZero():
		return atoguard.Errorf(atoguard.EINVALID, "config", "TWILIO_API_KEY (twilio-api-key) is set without its secret: set TWILIO_API_SECRET too")
	case key != "" && sid == "":
		return atoguard.Errorf(atoguard.EINVALID, "config",
			"an API key also needs the SID of the account it belongs to: set TWILIO_ACCOUNT_SID (twilio-account-sid) with TWILIO_API_KEY and TWILIO_API_SECRET")
	}
	if c.Credential.AccountSID == "" || c.Credential.Secret.IsZero() {
		return atoguard.Errorf(atoguard.EINVALID, "config",
			"no Twilio credentials: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and TWILIO_API_SECRET), or the same keys in atoguard.toml")
	}
	return nil
}

// stringFlagOr returns the flag's value when set, else fallback.
func stringFlagOr(cmd *cobra.Command, name, fallback string) string {
	if f := cmd.Flags().Lookup(name); f != nil && f.Changed {
		return f.Value.String()
	}
	return fallback
}

// documentFormat resolves --format and --json for the commands whose output
// is a document: text, json or markdown ("md" is accepted for markdown).
func documentFormat(op, format string, jsonFlag bool) (string, error) {
	if jsonFlag {
		return "json", nil
	}
	switch f := strings.ToLower(format); f {
	case "text", "json", "markdown":
		return f, nil
	case "md":
		return "markdown", nil
	}
	return "", atoguard.Errorf(atoguard.EINVALID, op, "unknown --format %q (want text, json or markdown)", format)
}

// twilioOptions loads the config, requires a Twilio credential and returns
// the client options every Twilio command starts from: --twilio-api-url
// over the config's URL, the configured credential and the injected clock.
func twilioOptions(cmd *cobra.Command, streams IO) (*Config, twilio.Options, error) {
	cfg, err := loadConfig(cmd, streams)
	if err != nil {
		return nil, twilio.Options{}, err
	}
	if err := cfg.RequireTwilio(); err != nil {
		return nil, twilio.Options{}, err
	}
	opts, err := twilioHosts(stringFlagOr(cmd, "twilio-api-url", cfg.TwilioAPIURL))
	if err != nil {
		return nil, twilio.Options{}, err
	}
	opts.Credential, opts.Now, opts.Sleep = cfg.Credential, streams.Now, streams.Sleep
	return cfg, opts, nil
}

// twilioHosts turns the twilio-api-url setting into the client's base URLs,
// the one rule every command (scan --verify included) follows:
//   - "" is the real Twilio;
//   - a Twilio-style API host — one whose host is twilio.com or ends in
//     ".twilio.com", or whose first label is "api" (https://api.twilio.com,
//     https://api.dublin.ie1.twilio.com, a fake api.example.test serving
//     /2010-04-01/… at its root) — is the api product's own base; the other
//     products live on the same host with "api" replaced by their name
//     (monitor.…), or on the real Twilio when the first label is not "api";
//   - anything else (the emulator's http://127.0.0.1:PORT) is the emulator's
//     path-prefix layout, {url}/api/2010-04-01/…, {url}/monitor/v1/….
//
// Anything but an http(s) URL with a host is a usage error.
func twilioHosts(apiURL string) (twilio.Options, error) {
	apiURL = strings.TrimRight(apiURL, "/")
	if apiURL == "" {
		return twilio.Options{}, nil
	}
	u, err := url.Parse(apiURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		// Never echo a password someone put in the URL (scheme://sid:token@host).
		shown := apiURL
		if i := strings.LastIndexByte(shown, '@'); i >= 0 {
			shown = "…@" + shown[i+1:]
		}
		return twilio.Options{}, atoguard.Errorf(atoguard.EINVALID, "config",
			"twilio-api-url %q: want an http:// or https:// URL (https://api.twilio.com, or the emulator's)", shown)
	}
	host := strings.ToLower(u.Hostname())
	first, rest, _ := strings.Cut(host, ".")
	apiHost := first == twilio.ProductAPI && rest != ""
	if !apiHost && host != "twilio.com" && !strings.HasSuffix(host, ".twilio.com") {
		return twilio.Options{BaseURL: apiURL}, nil
	}
	hosts := map[string]string{twilio.ProductAPI: apiURL}
	if apiHost {
		for _, p := range twilio.Products() {
			if p == twilio.ProductAPI {
				continue
			}
			pu := *u
			pu.Host = p + "." + rest
			if port := u.Port(); port != "" {
				pu.Host = net.JoinHostPort(pu.Host, port)
			}
			hosts[p] = pu.String()
		}
	}
	return twilio.Options{HostURLs: hosts}, nil
}
