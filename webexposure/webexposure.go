// Package webexposure looks at the customer's own web hosts the way
// credential harvesters (the AndroxGh0st family among them) do: it requests
// /.env, config backups, .git files and framework debug pages, runs scan's
// detectors on every body, checks the transport (HTTP without HTTPS, bad
// certificates, old TLS) and, on request, a few database and admin ports and
// whether webhooks check Twilio's signature.
//
// It is read-only and polite: GET and HEAD only, a fixed list of paths, a
// rate limit per host, a request budget, a deadline on every request and no
// redirect followed off the host. It takes its network as interfaces (Prober,
// Dialer, TLSInspector); netprobe.go has the net/http ones.
package webexposure

import (
	"context"
	"time"

	"github.com/atoguard/atoguard"
)

// Request is one HTTP request: GET or HEAD, never anything that changes state.
type Request struct {
	Method string // GET or HEAD
	URL    string
	Header map[string]string
}

// Response is what came back. Body holds at most the prober's cap.
type Response struct {
	Status    int
	Header    map[string]string // canonical names, first value
	Body      []byte
	Truncated bool // the body was longer than the cap
}

// Prober performs one request without following redirects.
type Prober interface {
	Do(ctx context.Context, r Request) (Response, error)
}

// Dialer opens (and at once closes) a TCP connection.
type Dialer interface {
	Dial(ctx context.Context, host, port string) error
}

// TLSInfo is what a TLS handshake showed.
type TLSInfo struct {
	Version   uint16    // negotiated with the client's defaults (crypto/tls constants)
	Legacy    uint16    // a version below TLS 1.2 the server also accepts; 0 if none
	NotBefore time.Time // leaf certificate
	NotAfter  time.Time
	Subject   string
	DNSNames  []string
	// NameErr says why the certificate does not cover the host name; ""
	// when it does.
	NameErr string
	// ChainErr says why the chain does not verify against the trusted roots
	// (for reasons other than time); "" when it does.
	ChainErr string
}

// TLSInspector performs TLS handshakes with host:port for serverName.
type TLSInspector interface {
	Inspect(ctx context.Context, host, port, serverName string) (TLSInfo, error)
}

// Detector finds credentials in one document (scan.Scanner.ScanBytes).
type Detector interface {
	ScanBytes(path string, data []byte) []atoguard.Finding
}

// Verifier checks found credentials live and records the outcome in each
// finding (scan/verify.Verifier).
type Verifier interface {
	Findings(ctx context.Context, fs []atoguard.Finding)
}

// Port is one TCP port of the --ports check.
type Port struct {
	Port     int
	Service  string
	Severity atoguard.Severity
}

// DefaultPorts are the database and admin ports harvesters and botnets look
// for: none of them should answer from the Internet.
func DefaultPorts() []Port {
	return []Port{
		{22, "SSH", atoguard.SeverityLow},
		{2375, "Docker API (plain)", atoguard.SeverityCritical},
		{2376, "Docker API (TLS)", atoguard.SeverityHigh},
		{3306, "MySQL", atoguard.SeverityMedium},
		{5432, "PostgreSQL", atoguard.SeverityMedium},
		{6379, "Redis", atoguard.SeverityHigh},
		{9200, "Elasticsearch", atoguard.SeverityHigh},
		{11211, "memcached", atoguard.SeverityHigh},
		{27017, "MongoDB", atoguard.SeverityHigh},
	}
}

// Defaults of Options.
const (
	DefaultMaxRequests = 300
	DefaultRate        = 2.0 // requests per second per host
	DefaultTimeout     = 10 * time.Second
	DefaultConcurrency = 4
)

// Options configure a check.
type Options struct {
	// Targets are the base URLs (scheme://host[:port][/path]) to check.
	Targets []Target
	// MaxRequests is the request budget of the whole run (HTTP, TLS
	// handshakes and TCP connects); ≤ 0: DefaultMaxRequests.
	MaxRequests int
	// Rate is the most requests per second to one host; ≤ 0: DefaultRate.
	Rate float64
	// Timeout bounds every single request; ≤ 0: DefaultTimeout.
	Timeout time.Duration
	// Concurrency is how many hosts are checked at once; ≤ 0: 4.
	Concurrency int
	// Ports, when not empty, are TCP-connect checked on every host.
	Ports []Port
	// WebhookSignature sends one GET with a wrong X-Twilio-Signature to each
	// target that is a webhook URL (Target.Webhook).
	WebhookSignature bool
	// Now and Sleep are the clock the rate limit runs on; tests replace both.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// Progress is told after each host (done of total).
	Progress func(done, total int)
}

// Net is the network the check uses. Dialer is needed only with Ports, TLS
// only for HTTPS targets; Verifier is optional (no --verify).
type Net struct {
	Prober   Prober
	Dialer   Dialer
	TLS      TLSInspector
	Detector Detector
	Verifier Verifier
}

// Target is one URL to check and where it came from.
type Target struct {
	URL string `json:"url"`
	// Sources say which Twilio resources point at it ("PN… voice_url").
	Sources []string `json:"sources,omitempty"`
	// Webhook is true when URL is a webhook Twilio calls (not only a base).
	Webhook bool `json:"webhook,omitempty"`
}

// Credential is a secret found in a body, by fingerprint only.
type Credential struct {
	Rule         string `json:"rule"`
	Fingerprint  string `json:"fingerprint"`
	AccountSID   string `json:"account_sid,omitempty"`
	KeySID       string `json:"key_sid,omitempty"`
	Verification string `json:"verification"`
	// Detail says which account the credential opens when it is live.
	Detail string `json:"verification_detail,omitempty"`
}

// Finding is one problem on one host.
type Finding struct {
	ID       string            `json:"id"`
	Severity atoguard.Severity `json:"severity"`
	Host     string            `json:"host"` // scheme://host:port
	URL      string            `json:"url,omitempty"`
	Summary  string            `json:"summary"`
	// Evidence is what was seen, without secret bytes (status, size,
	// variable names, markers).
	Evidence    string       `json:"evidence"`
	Fix         string       `json:"fix"`
	Guidance    int          `json:"guidance_step"` // Twilio's next step: 5, 10 or 11
	Credentials []Credential `json:"credentials,omitempty"`
}

// Report is the outcome of a run.
type Report struct {
	GeneratedAt time.Time `json:"generated_at"`
	Targets     []Target  `json:"targets"`
	Hosts       []string  `json:"hosts"`
	Requests    int       `json:"requests"`
	MaxRequests int       `json:"max_requests"`
	Findings    []Finding `json:"findings"`
	// Notes are observations that are not findings (an inconclusive
	// webhook answer, a redirect off the host not followed).
	Notes []string `json:"notes,omitempty"`
	// Errors say what could not be checked; with any, the run is
	// incomplete and cannot be called clean.
	Errors   []string `json:"errors,omitempty"`
	Verified bool     `json:"verified"` // credentials were checked live
}

// Incomplete reports whether some check could not be made.
func (r Report) Incomplete() bool { return len(r.Errors) > 0 }

// Summary is what audit and the incident report say about this run.
func (r Report) Summary() atoguard.WebCheckSummary {
	s := atoguard.WebCheckSummary{RanAt: r.GeneratedAt, Hosts: len(r.Hosts), Requests: r.Requests,
		Incomplete: r.Incomplete(), Findings: map[atoguard.Severity]int{}}
	for _, f := range r.Findings {
		s.Findings[f.Severity]++
		for _, c := range f.Credentials {
			if c.Verification == atoguard.Live {
				s.LiveCredentials++
			}
			if c.Rule == RuleAuthToken || c.Rule == RuleAPIKey {
				s.Credentials++
			}
		}
		if len(s.Top) < 5 && f.Severity.Rank() >= atoguard.SeverityHigh.Rank() {
			s.Top = append(s.Top, f.Summary)
		}
	}
	return s
}
