package webexposure

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/atoguard/atoguard"
)

// credentials verifies what the detectors found (when a Verifier is set)
// and fills each credential finding: fingerprints only, and the account a
// live credential opens.
func (r *runner) credentials(ctx context.Context) {
	if r.net.Verifier != nil {
		var all []atoguard.Finding
		for _, i := range sortedKeys(r.creds) {
			all = append(all, r.creds[i]...)
		}
		r.net.Verifier.Findings(ctx, all)
		// Findings fills all in place: copy the outcomes back per finding.
		k := 0
		for _, i := range sortedKeys(r.creds) {
			fs := r.creds[i]
			copy(fs, all[k:k+len(fs)])
			k += len(fs)
		}
		r.rep.Verified = true
	}
	for i, fs := range r.creds {
		f := &r.rep.Findings[i]
		f.Severity = atoguard.SeverityInfo
		var rules []string
		for _, sf := range fs {
			c := Credential{Rule: sf.Rule, Fingerprint: sf.Fingerprint, AccountSID: sf.AccountSID, KeySID: sf.KeySID,
				Verification: cmpOr(sf.Verification, atoguard.Unverified), Detail: sf.VerificationDetail}
			if slices.ContainsFunc(f.Credentials, func(x Credential) bool { return x.Rule == c.Rule && x.Fingerprint == c.Fingerprint }) {
				continue
			}
			f.Credentials = append(f.Credentials, c)
			if sf.Severity.Rank() > f.Severity.Rank() {
				f.Severity = sf.Severity
			}
			if !slices.Contains(rules, sf.Rule) {
				rules = append(rules, sf.Rule)
			}
		}
		f.Summary = strings.Join(rules, ", ") + " served to anyone"
		for _, c := range f.Credentials {
			if c.Verification == atoguard.Live {
				f.Summary += fmt.Sprintf("; LIVE: opens %s (%s)", c.AccountSID, c.Detail)
				break
			}
		}
		if f.Severity.Rank() < atoguard.SeverityHigh.Rank() {
			f.Fix = "a bare Account SID is not a secret, but it tells attackers whose account the host belongs to; remove it from public pages"
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func sortedKeys[V any](m map[int]V) []int {
	ks := make([]int, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// tls inspects the certificate and the protocol versions of an HTTPS origin.
func (r *runner) tls(ctx context.Context, origin string, base *url.URL) {
	host, port := base.Hostname(), base.Port()
	if port == "" {
		port = "443"
	}
	// Two handshakes: the default one and one offering only TLS < 1.2.
	if err := r.take(ctx, strings.ToLower(host), 2); err != nil {
		return
	}
	tctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	info, err := r.net.TLS.Inspect(tctx, host, port, host)
	if err != nil {
		r.errorf("%s: TLS handshake: %v", origin, err)
		return
	}
	now := r.opts.Now()
	cert := fmt.Sprintf("certificate %q valid %s to %s", info.Subject, info.NotBefore.UTC().Format("2006-01-02"), info.NotAfter.UTC().Format("2006-01-02"))
	if now.After(info.NotAfter) || now.Before(info.NotBefore) {
		r.add(origin+"|"+CheckCertExpired, Finding{ID: CheckCertExpired, Host: origin, URL: base.String() + "/", Evidence: cert})
	}
	if info.NameErr != "" {
		r.add(origin+"|"+CheckCertName, Finding{ID: CheckCertName, Host: origin, URL: base.String() + "/",
			Evidence: fmt.Sprintf("%s; names %s: %s", cert, strings.Join(info.DNSNames, ", "), info.NameErr)})
	}
	if info.ChainErr != "" {
		r.add(origin+"|"+CheckCertUntrusted, Finding{ID: CheckCertUntrusted, Host: origin, URL: base.String() + "/", Evidence: cert + ": " + info.ChainErr})
	}
	old := info.Legacy
	if info.Version != 0 && info.Version < tls.VersionTLS12 {
		old = info.Version
	}
	if old != 0 {
		r.add(origin+"|"+CheckOldTLS, Finding{ID: CheckOldTLS, Host: origin, URL: base.String() + "/",
			Evidence: "the server completed a handshake with " + tls.VersionName(old)})
	}
}

// ports connects to each port of the list and closes at once.
func (r *runner) ports(ctx context.Context, origin, host string) {
	for _, p := range r.opts.Ports {
		if err := r.take(ctx, strings.ToLower(host), 1); err != nil {
			return
		}
		dctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
		err := r.net.Dialer.Dial(dctx, host, strconv.Itoa(p.Port))
		cancel()
		if err != nil {
			continue // closed or filtered: the state wanted
		}
		r.add(fmt.Sprintf("%s|%s|%d", origin, CheckOpenPort, p.Port), Finding{ID: CheckOpenPort, Severity: p.Severity, Host: origin,
			Summary:  fmt.Sprintf("%s port %d reachable", p.Service, p.Port),
			Evidence: fmt.Sprintf("TCP connect to %s:%d succeeded", host, p.Port)})
	}
}

// badSignature is a well-formed but wrong X-Twilio-Signature (base64 of 20
// zero bytes): an application that validates rejects it.
const badSignature = "AAAAAAAAAAAAAAAAAAAAAAAAAAA="

// webhookSignature sends one GET with a wrong signature: 2xx means the
// application ran its handler for a request Twilio did not sign.
func (r *runner) webhookSignature(ctx context.Context, origin, hook string) {
	resp, err := r.do(ctx, Request{Method: "GET", URL: hook, Header: map[string]string{"X-Twilio-Signature": badSignature}})
	switch {
	case errors.Is(err, errBudget):
		return
	case err != nil:
		r.errorf("%s: webhook signature check: %v", hook, err)
	case resp.Status >= 200 && resp.Status < 300:
		r.add(origin+"|"+CheckWebhookSig+"|"+hook, Finding{ID: CheckWebhookSig, Host: origin, URL: hook,
			Evidence: fmt.Sprintf("GET with a wrong X-Twilio-Signature answered HTTP %d", resp.Status)})
	case resp.Status == 401 || resp.Status == 403:
		// Rejected: validated.
	default:
		r.note("%s: wrong-signature request answered HTTP %d; inconclusive (a POST-only webhook answers 405)", hook, resp.Status)
	}
}
