package webexposure

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/atoguard/atoguard"
)

// host runs every check on one origin: the home page and transport, the
// fixed paths, then TLS, ports and webhook signatures.
func (r *runner) host(ctx context.Context, h hostTargets) {
	base := h.u
	resp, err := r.do(ctx, Request{Method: "GET", URL: base.String() + "/"})
	if err != nil {
		if !errors.Is(err, errBudget) {
			r.errorf("%s: unreachable: %v", h.origin, err)
		}
		return
	}
	if base.Scheme == "http" {
		base = r.plainHTTP(h.origin, base, resp)
		if base.Scheme == "https" {
			// The home page came over HTTPS now: fetch it there.
			resp, err = r.do(ctx, Request{Method: "GET", URL: base.String() + "/"})
			if err != nil {
				if !errors.Is(err, errBudget) {
					r.errorf("%s: unreachable: %v", Origin(base), err)
				}
				return
			}
		}
	}
	r.examine(h.origin, base.String()+"/", resp)
	if !r.paths(ctx, h.origin, base) {
		return
	}
	if base.Scheme == "https" && r.net.TLS != nil {
		r.tls(ctx, h.origin, base)
	}
	r.ports(ctx, h.origin, base.Hostname())
	if r.opts.WebhookSignature {
		for _, w := range h.webhooks {
			r.webhookSignature(ctx, h.origin, w)
		}
	}
}

// plainHTTP checks that an http:// home page redirects to HTTPS on the same
// host; it returns the origin the paths are probed on (the HTTPS one when
// the redirect is there).
func (r *runner) plainHTTP(origin string, base *url.URL, resp Response) *url.URL {
	if resp.Status >= 300 && resp.Status < 400 {
		if next := resolve(base.String()+"/", resp.Header["Location"]); next != nil && next.Scheme == "https" {
			if strings.EqualFold(next.Hostname(), base.Hostname()) {
				return &url.URL{Scheme: "https", Host: next.Host}
			}
			r.note("%s redirects to HTTPS on another host (%s), not followed", origin, next.Host)
			return base
		}
	}
	r.add(origin+"|"+CheckPlainHTTP, Finding{ID: CheckPlainHTTP, Host: origin, URL: base.String() + "/",
		Evidence: fmt.Sprintf("GET / over HTTP answered %d without a redirect to https://", resp.Status)})
	return base
}

// paths requests the fixed list; false when the host stopped answering or
// the budget is spent.
func (r *runner) paths(ctx context.Context, origin string, base *url.URL) bool {
	failures := 0
	for _, p := range probes() {
		u := base.String() + p.path
		resp, final, err := r.follow(ctx, origin, Request{Method: p.method, URL: u})
		if errors.Is(err, errBudget) || ctx.Err() != nil {
			return false
		}
		if err != nil {
			failures++
			if failures <= 3 {
				r.errorf("%s: %s: %v", origin, p.path, err)
			}
			if failures == 3 {
				r.errorf("%s: stopped after 3 failed requests; the remaining paths were not checked", origin)
				return false
			}
			continue
		}
		if p.match != nil {
			if ev, ok := p.match(resp); ok {
				r.add(origin+"|"+p.check+"|"+final, Finding{ID: p.check, Host: origin, URL: final, Evidence: ev})
			}
		}
		if p.method == "GET" {
			r.examine(origin, final, resp)
		}
	}
	return true
}

// follow makes a request and follows up to two redirects on the same host
// (scheme may change to https); a redirect elsewhere is not followed.
func (r *runner) follow(ctx context.Context, origin string, req Request) (Response, string, error) {
	for hop := 0; ; hop++ {
		resp, err := r.do(ctx, req)
		if err != nil || resp.Status < 300 || resp.Status >= 400 || hop == 2 {
			return resp, req.URL, err
		}
		cur, _ := url.Parse(req.URL)
		next := resolve(req.URL, resp.Header["Location"])
		if next == nil || !strings.EqualFold(next.Hostname(), cur.Hostname()) || (next.Scheme != "http" && next.Scheme != "https") {
			return resp, req.URL, nil
		}
		req.URL = next.String()
	}
}

func resolve(from, loc string) *url.URL {
	if loc == "" {
		return nil
	}
	b, err := url.Parse(from)
	if err != nil {
		return nil
	}
	u, err := b.Parse(loc)
	if err != nil {
		return nil
	}
	return u
}

// examine runs the page markers and the credential detectors on a body.
func (r *runner) examine(origin, u string, resp Response) {
	for check, ev := range pageFindings(resp) {
		r.add(origin+"|"+check, Finding{ID: check, Host: origin, URL: u, Evidence: ev})
	}
	if len(resp.Body) == 0 {
		return
	}
	var keep []atoguard.Finding
	for _, f := range r.net.Detector.ScanBytes(u, resp.Body) {
		if !f.Placeholder {
			keep = append(keep, f)
		}
	}
	if len(keep) == 0 {
		return
	}
	ev := fmt.Sprintf("HTTP %d, %d bytes", resp.Status, len(resp.Body))
	if i := r.add(origin+"|"+CheckCredential+"|"+u, Finding{ID: CheckCredential, Host: origin, URL: u, Evidence: ev}); i >= 0 {
		r.mu.Lock()
		r.creds[i] = keep
		r.mu.Unlock()
	}
}
