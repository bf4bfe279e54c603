package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// Fault kinds.
const (
	FaultLatency  = "latency"  // delay before serving (Latency, Jitter, Dist)
	FaultStatus   = "status"   // answer Status (429 with code 20429 and Retry-After, 500, 502, 503) without serving
	FaultReset    = "reset"    // close the connection without answering (before serving)
	FaultTruncate = "truncate" // serve, then send half of the body and close
	FaultSlow     = "slow"     // serve, then trickle the body out over Latency
)

// Duration is a time.Duration that reads and writes as "1.5s" in JSON.
type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n float64
		if err2 := json.Unmarshal(b, &n); err2 != nil {
			return err
		}
		*d = Duration(n * float64(time.Second))
		return nil
	}
	v, err := time.ParseDuration(s)
	*d = Duration(v)
	return err
}

// FaultRule injects one kind of fault into matching requests with a
// probability. Empty match fields match everything.
type FaultRule struct {
	Product string `json:"product,omitempty" toml:"product"` // api, monitor, … or "" for all
	Method  string `json:"method,omitempty" toml:"method"`
	// Path is a glob on the product path (path.Match syntax per segment, and
	// a trailing "/**" or a lone "**" matches any rest), e.g.
	// /2010-04-01/Accounts/*/Messages.json.
	Path        string  `json:"path,omitempty" toml:"path"`
	Probability float64 `json:"probability" toml:"probability"` // 0..1
	Kind        string  `json:"kind" toml:"kind"`
	Status      int     `json:"status,omitempty" toml:"status"`
	// RetryAfter is sent with 429 (whole seconds, at least 1).
	RetryAfter Duration `json:"retry_after,omitempty" toml:"retry_after"`
	// Latency is the fixed delay (latency) or the body's total time (slow).
	Latency Duration `json:"latency,omitempty" toml:"latency"`
	// Jitter adds a random delay: uniform in [0, Jitter), or exponential with
	// mean Jitter when Dist is "exp".
	Jitter Duration `json:"jitter,omitempty" toml:"jitter"`
	Dist   string   `json:"dist,omitempty" toml:"dist"`
	// Limit stops the rule after it fired this many times (0 = no limit).
	Limit int `json:"limit,omitempty" toml:"limit"`
}

func (f *FaultRule) validate() error {
	switch f.Kind {
	case FaultLatency, FaultReset, FaultTruncate, FaultSlow:
	case FaultStatus:
		switch f.Status {
		case 429, 500, 502, 503:
		default:
			return fmt.Errorf("fault status %d: want 429, 500, 502 or 503", f.Status)
		}
	default:
		return fmt.Errorf("unknown fault kind %q", f.Kind)
	}
	if f.Probability < 0 || f.Probability > 1 || math.IsNaN(f.Probability) {
		return fmt.Errorf("fault probability %v: want 0..1", f.Probability)
	}
	if f.Product != "" && !isProduct(f.Product) {
		return fmt.Errorf("fault product %q unknown", f.Product)
	}
	if f.Dist != "" && f.Dist != "uniform" && f.Dist != "exp" {
		return fmt.Errorf("fault dist %q: want uniform or exp", f.Dist)
	}
	if f.Path != "" {
		if _, err := path.Match(f.Path, "/"); err != nil {
			return fmt.Errorf("fault path %q: %v", f.Path, err)
		}
	}
	if f.Latency < 0 || f.Jitter < 0 || f.RetryAfter < 0 || f.Limit < 0 {
		return fmt.Errorf("fault durations and limit must not be negative")
	}
	return nil
}

// ParseFaultSpec reads the command-line form of a rule: a kind first, then
// comma-separated key=value options:
//
//	429,p=0.3,product=api,retry_after=1s
//	503,p=0.1,path=/2010-04-01/Accounts/*/Messages.json
//	latency,latency=50ms,jitter=100ms,dist=exp
//	reset,p=0.05   truncate,p=0.05   slow,latency=2s
//
// The probability defaults to 1.
func ParseFaultSpec(spec string) (FaultRule, error) {
	parts := strings.Split(strings.TrimSpace(spec), ",")
	f := FaultRule{Probability: 1}
	switch k := strings.TrimSpace(parts[0]); k {
	case "429", "500", "502", "503":
		f.Kind, f.Status = FaultStatus, atoiOr(k, 0)
	default:
		f.Kind = k
	}
	for _, kv := range parts[1:] {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return f, fmt.Errorf("fault %q: %q is not key=value", spec, kv)
		}
		var err error
		switch k {
		case "p", "probability":
			f.Probability, err = strconv.ParseFloat(v, 64)
		case "product":
			f.Product = v
		case "method":
			f.Method = strings.ToUpper(v)
		case "path":
			f.Path = v
		case "status":
			f.Status, err = strconv.Atoi(v)
		case "retry_after":
			err = parseDur(v, &f.RetryAfter)
		case "latency":
			err = parseDur(v, &f.Latency)
		case "jitter":
			err = parseDur(v, &f.Jitter)
		case "dist":
			f.Dist = v
		case "limit":
			f.Limit, err = strconv.Atoi(v)
		default:
			return f, fmt.Errorf("fault %q: unknown option %q", spec, k)
		}
		if err != nil {
			return f, fmt.Errorf("fault %q: %s: %v", spec, k, err)
		}
	}
	if err := f.validate(); err != nil {
		return f, fmt.Errorf("fault %q: %v", spec, err)
	}
	return f, nil
}

func parseDur(s string, d *Duration) error {
	v, err := time.ParseDuration(s)
	*d = Duration(v)
	return err
}

func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

// faultSet holds the active rules and the seeded dice.
type faultSet struct {
	mu    sync.Mutex
	seed  int64
	rng   *rand.Rand
	rules []FaultRule
	fired []int
}

func newFaultSet(seed int64, rules []FaultRule) (*faultSet, error) {
	fs := &faultSet{seed: seed}
	return fs, fs.set(rules)
}

// set replaces the rules and reseeds the dice, so a run is reproducible from
// the moment its faults are set.
func (fs *faultSet) set(rules []FaultRule) error {
	for i := range rules {
		if err := rules[i].validate(); err != nil {
			return err
		}
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.rules = append([]FaultRule(nil), rules...)
	fs.fired = make([]int, len(rules))
	fs.rng = rand.New(rand.NewPCG(uint64(fs.seed), uint64(fs.seed)^0xfa17))
	return nil
}

func (fs *faultSet) list() []FaultRule {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]FaultRule{}, fs.rules...)
}

func globMatch(pattern, p string) bool {
	if pattern == "" || pattern == "**" {
		return true
	}
	if prefix, ok := strings.CutSuffix(pattern, "/**"); ok {
		ps, ss := strings.Split(prefix, "/"), strings.Split(p, "/")
		if len(ss) < len(ps) {
			return false
		}
		ok, _ := path.Match(prefix, strings.Join(ss[:len(ps)], "/"))
		return ok
	}
	ok, _ := path.Match(pattern, p)
	return ok
}

// decision is what the dice chose for one request.
type decision struct {
	delay time.Duration
	rule  *FaultRule // the fault other than latency, if any
}

func (fs *faultSet) decide(product, method, p string) decision {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var d decision
	for i := range fs.rules {
		f := &fs.rules[i]
		if (f.Product != "" && f.Product != product) || (f.Method != "" && f.Method != method) || !globMatch(f.Path, p) {
			continue
		}
		if f.Limit > 0 && fs.fired[i] >= f.Limit {
			continue
		}
		if fs.rng.Float64() >= f.Probability {
			continue
		}
		if f.Kind == FaultLatency {
			fs.fired[i]++
			d.delay += time.Duration(f.Latency)
			if j := time.Duration(f.Jitter); j > 0 {
				if f.Dist == "exp" {
					d.delay += time.Duration(fs.rng.ExpFloat64() * float64(j))
				} else {
					d.delay += time.Duration(fs.rng.Int64N(int64(j)))
				}
			}
			continue
		}
		if d.rule == nil {
			fs.fired[i]++
			rule := *f
			d.rule = &rule
		}
	}
	return d
}

// inject applies the faults chosen for r. It returns the writer the handler
// should use, whether the request is already answered, and a function to
// call after the handler.
func (fs *faultSet) inject(w http.ResponseWriter, r *http.Request, product, p string) (http.ResponseWriter, bool, func()) {
	d := fs.decide(product, r.Method, p)
	if d.delay > 0 {
		t := time.NewTimer(d.delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return w, true, nil
		}
	}
	f := d.rule
	if f == nil {
		return w, false, nil
	}
	w.Header().Set("X-Emulator-Fault", f.Kind)
	switch f.Kind {
	case FaultStatus:
		code := 20000 + f.Status
		msg := http.StatusText(f.Status)
		if f.Status == 429 {
			code, msg = 20429, "Too Many Requests"
			w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(time.Duration(f.RetryAfter).Seconds())))))
		}
		writeError(w, f.Status, code, msg)
		return w, true, nil
	case FaultReset:
		resetConn(w)
		return w, true, nil
	}
	fw := &faultWriter{w: w, rule: f, ctx: r}
	return fw, false, fw.finish
}

// resetConn drops the connection with a TCP reset where possible.
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler) // net/http closes the connection
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// faultWriter buffers a response to break it: truncate or trickle it.
type faultWriter struct {
	w      http.ResponseWriter
	rule   *FaultRule
	ctx    *http.Request
	status int
	buf    bytes.Buffer
}

func (f *faultWriter) Header() http.Header { return f.w.Header() }

func (f *faultWriter) WriteHeader(code int) {
	if f.status == 0 {
		f.status = code
	}
}

func (f *faultWriter) Write(b []byte) (int, error) {
	if f.status == 0 {
		f.status = http.StatusOK
	}
	return f.buf.Write(b)
}

func (f *faultWriter) finish() {
	body := f.buf.Bytes()
	status := f.status
	if status == 0 {
		status = http.StatusOK
	}
	f.w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	f.w.WriteHeader(status)
	switch f.rule.Kind {
	case FaultTruncate:
		_, _ = f.w.Write(body[:len(body)/2])
		if fl, ok := f.w.(http.Flusher); ok {
			fl.Flush()
		}
		// Returning with fewer bytes than Content-Length makes net/http close
		// the connection; the client sees an unexpected EOF.
	case FaultSlow:
		const chunks = 10
		step := max(1, (len(body)+chunks-1)/chunks)
		pause := time.Duration(f.rule.Latency) / chunks
		for i := 0; i < len(body); i += step {
			_, _ = f.w.Write(body[i:min(len(body), i+step)])
			if fl, ok := f.w.(http.Flusher); ok {
				fl.Flush()
			}
			select {
			case <-time.After(pause):
			case <-f.ctx.Context().Done():
				return
			}
		}
	default:
		_, _ = f.w.Write(body)
	}
}

// UnmarshalText reads "1.5s" (TOML and flag values).
func (d *Duration) UnmarshalText(b []byte) error { return parseDur(string(b), d) }

// LoadFaults reads fault rules from a JSON or TOML file (by extension:
// .toml is TOML, anything else JSON). Either form holds rules, specs or both:
//
//	{"rules": [{"kind": "status", "status": 429, "probability": 0.3}], "specs": ["503,p=0.1"]}
//
//	specs = ["503,p=0.1"]
//	[[rules]]
//	kind = "latency"
//	latency = "50ms"
//	probability = 1.0
//
// A JSON file may also be a bare array of rules.
func LoadFaults(path string) ([]FaultRule, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var in struct {
		Rules []FaultRule `json:"rules" toml:"rules"`
		Specs []string    `json:"specs" toml:"specs"`
	}
	if strings.HasSuffix(strings.ToLower(path), ".toml") {
		if err := toml.Unmarshal(data, &in); err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
	} else if err := json.Unmarshal(data, &in.Rules); err != nil {
		in.Rules = nil
		if err := json.Unmarshal(data, &in); err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
	}
	rules := in.Rules
	for _, s := range in.Specs {
		f, err := ParseFaultSpec(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		rules = append(rules, f)
	}
	for i := range rules {
		if err := rules[i].validate(); err != nil {
			return nil, fmt.Errorf("%s: rule %d: %v", path, i+1, err)
		}
	}
	return rules, nil
}
