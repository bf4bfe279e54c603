package webexposure

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/atoguard/atoguard"
	"golang.org/x/time/rate"
)

// errBudget stops a host's checks when the run's request budget is spent.
var errBudget = errors.New("request budget spent")

// runner holds the state shared by the hosts of one run.
type runner struct {
	net  Net
	opts Options
	info map[string]checkInfo

	mu        sync.Mutex
	used      int
	limiters  map[string]*rate.Limiter
	rep       *Report
	seen      map[string]bool // finding keys, for one finding per thing
	creds     map[int][]atoguard.Finding
	budgetHit bool
}

// Run checks every target's host. Only bad options are an error; what could
// not be checked is in Report.Errors.
func Run(ctx context.Context, n Net, opts Options) (Report, error) {
	opts = opts.withDefaults()
	rep := Report{Targets: opts.Targets, Hosts: []string{}, Findings: []Finding{}, MaxRequests: opts.MaxRequests}
	if n.Prober == nil || n.Detector == nil {
		return rep, atoguard.Errorf(atoguard.EINVALID, "exposure.web", "a prober and a detector are required")
	}
	if len(opts.Ports) > 0 && n.Dialer == nil {
		return rep, atoguard.Errorf(atoguard.EINVALID, "exposure.web", "the port check needs a dialer")
	}
	hosts, err := groupTargets(opts.Targets)
	if err != nil {
		return rep, err
	}
	rep.GeneratedAt = opts.Now().UTC()
	r := &runner{net: n, opts: opts, info: checkInfos(), limiters: map[string]*rate.Limiter{}, rep: &rep,
		seen: map[string]bool{}, creds: map[int][]atoguard.Finding{}}
	for _, h := range hosts {
		rep.Hosts = append(rep.Hosts, h.origin)
	}
	sem := make(chan struct{}, opts.Concurrency)
	var wg sync.WaitGroup
	done := 0
	for _, h := range hosts {
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			r.host(ctx, h)
			r.mu.Lock()
			done++
			if opts.Progress != nil {
				opts.Progress(done, len(hosts))
			}
			r.mu.Unlock()
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return rep, &atoguard.Error{Code: atoguard.ECANCELED, Op: "exposure.web", Err: err}
	}
	r.credentials(ctx)
	rep.Requests = r.used
	slices.SortStableFunc(rep.Findings, func(a, b Finding) int {
		return cmp.Or(b.Severity.Rank()-a.Severity.Rank(), strings.Compare(a.Host, b.Host), strings.Compare(a.URL, b.URL), strings.Compare(a.ID, b.ID))
	})
	slices.Sort(rep.Errors)
	return rep, nil
}

func (o Options) withDefaults() Options {
	if o.MaxRequests <= 0 {
		o.MaxRequests = DefaultMaxRequests
	}
	if o.Rate <= 0 {
		o.Rate = DefaultRate
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = atoguard.Sleep
	}
	return o
}

// hostTargets is one origin (scheme://host:port) and the targets on it.
type hostTargets struct {
	origin   string
	u        *url.URL
	webhooks []string
}

// groupTargets parses the targets and groups them by origin, in the order
// given.
func groupTargets(ts []Target) ([]hostTargets, error) {
	var out []hostTargets
	index := map[string]int{}
	for _, t := range ts {
		u, err := ParseTarget(t.URL)
		if err != nil {
			return nil, err
		}
		o := Origin(u)
		i, ok := index[o]
		if !ok {
			out = append(out, hostTargets{origin: o, u: &url.URL{Scheme: u.Scheme, Host: u.Host}})
			i = len(out) - 1
			index[o] = i
		}
		if t.Webhook && !slices.Contains(out[i].webhooks, t.URL) {
			out[i].webhooks = append(out[i].webhooks, t.URL)
		}
	}
	return out, nil
}

// ParseTarget accepts an http or https URL with a host.
func ParseTarget(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return nil, atoguard.Errorf(atoguard.EINVALID, "exposure.web", "%q is not an http:// or https:// URL with a host", atoguard.Clip(raw, 200))
	}
	if u.User != nil {
		return nil, atoguard.Errorf(atoguard.EINVALID, "exposure.web", "%q: a URL with a user name or password is not probed", u.Redacted())
	}
	return u, nil
}

// Origin is scheme://host:port with the default port filled in.
func Origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return u.Scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// take spends n requests of the budget and waits for host's rate limit.
func (r *runner) take(ctx context.Context, host string, n int) error {
	r.mu.Lock()
	if r.used+n > r.opts.MaxRequests {
		if !r.budgetHit {
			r.budgetHit = true
			r.rep.Errors = append(r.rep.Errors, fmt.Sprintf("request budget of %d spent: some checks were not made (raise --max-requests)", r.opts.MaxRequests))
		}
		r.mu.Unlock()
		return errBudget
	}
	r.used += n
	lim := r.limiters[host]
	if lim == nil {
		lim = rate.NewLimiter(rate.Limit(r.opts.Rate), 1)
		r.limiters[host] = lim
	}
	now := r.opts.Now()
	var d time.Duration
	for range n {
		d = lim.ReserveN(now, 1).DelayFrom(now)
	}
	r.mu.Unlock()
	if d > 0 {
		return r.opts.Sleep(ctx, d)
	}
	return nil
}

// do makes one request under the budget, the rate limit and the timeout.
func (r *runner) do(ctx context.Context, req Request) (Response, error) {
	u, err := url.Parse(req.URL)
	if err != nil {
		return Response{}, err
	}
	if err := r.take(ctx, strings.ToLower(u.Hostname()), 1); err != nil {
		return Response{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	return r.net.Prober.Do(ctx, req)
}

// add records a finding once per key.
func (r *runner) add(key string, f Finding) int {
	info := r.info[f.ID]
	if f.Severity == "" {
		f.Severity = info.sev
	}
	if f.Summary == "" {
		f.Summary = info.summary
	}
	if f.Fix == "" {
		f.Fix = info.fix
	}
	if f.Guidance == 0 {
		f.Guidance = info.guidance
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen[key] {
		return -1
	}
	r.seen[key] = true
	r.rep.Findings = append(r.rep.Findings, f)
	return len(r.rep.Findings) - 1
}

func (r *runner) errorf(format string, args ...any) {
	r.mu.Lock()
	r.rep.Errors = append(r.rep.Errors, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func (r *runner) note(format string, args ...any) {
	r.mu.Lock()
	r.rep.Notes = append(r.rep.Notes, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}
