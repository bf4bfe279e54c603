package webexposure

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"time"
)

// DefaultMaxBody is how much of a body the prober reads: enough for any
// .env or debug page, not a download.
const DefaultMaxBody = 1 << 20

// HTTPProber is Prober over net/http. It follows no redirect (the engine
// decides), reads at most MaxBody bytes and names itself in User-Agent.
type HTTPProber struct {
	Client    *http.Client
	UserAgent string
	MaxBody   int64
}

// NewHTTPProber returns a prober whose requests end after timeout at the
// latest. Certificates are not verified here, as harvesters do not verify
// them; the transport check reports bad certificates on its own.
func NewHTTPProber(userAgent string, timeout time.Duration) *HTTPProber {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		TLSClientConfig:       &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // read-only probe; certificates are checked by TLSInspector
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   2,
		DisableCompression:    true,
	}
	return &HTTPProber{
		Client: &http.Client{Transport: tr, Timeout: timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		UserAgent: userAgent, MaxBody: DefaultMaxBody,
	}
}

// Do performs req; only GET and HEAD are allowed.
func (p *HTTPProber) Do(ctx context.Context, req Request) (Response, error) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		return Response{}, errors.New("only GET and HEAD are sent")
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, req.URL, nil)
	if err != nil {
		return Response{}, err
	}
	hr.Header.Set("User-Agent", p.UserAgent)
	for k, v := range req.Header {
		hr.Header.Set(k, v)
	}
	resp, err := p.Client.Do(hr)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	max := p.MaxBody
	if max <= 0 {
		max = DefaultMaxBody
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return Response{}, err
	}
	out := Response{Status: resp.StatusCode, Header: map[string]string{}}
	if int64(len(body)) > max {
		body, out.Truncated = body[:max], true
	}
	out.Body = body
	for k, v := range resp.Header {
		if len(v) > 0 {
			out.Header[k] = v[0]
		}
	}
	return out, nil
}

// NetDialer is Dialer over net.
type NetDialer struct{}

// Dial connects and closes at once: the port check sends nothing.
func (NetDialer) Dial(ctx context.Context, host, port string) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(host, port))
	if err != nil {
		return err
	}
	return c.Close()
}

// NetTLS is TLSInspector over crypto/tls. Roots nil: the system's roots.
type NetTLS struct {
	Roots *x509.CertPool
	Now   func() time.Time
}

// Inspect makes one handshake with the client's defaults and one offering
// only TLS 1.0 and 1.1.
func (t NetTLS) Inspect(ctx context.Context, host, port, serverName string) (TLSInfo, error) {
	addr := net.JoinHostPort(host, port)
	st, err := handshake(ctx, addr, &tls.Config{ServerName: serverName, InsecureSkipVerify: true}) //nolint:gosec // verified below, by hand, to tell expiry, name and chain apart
	if err != nil {
		return TLSInfo{}, err
	}
	if len(st.PeerCertificates) == 0 {
		return TLSInfo{}, errors.New("no certificate")
	}
	leaf := st.PeerCertificates[0]
	info := TLSInfo{Version: st.Version, NotBefore: leaf.NotBefore, NotAfter: leaf.NotAfter,
		Subject: leaf.Subject.CommonName, DNSNames: leaf.DNSNames}
	if err := leaf.VerifyHostname(serverName); err != nil {
		info.NameErr = err.Error()
	}
	now := time.Now()
	if t.Now != nil {
		now = t.Now()
	}
	// Verify the chain at a moment the leaf is valid: expiry is reported
	// on its own, the chain error says only what else is wrong.
	at := now
	if at.After(leaf.NotAfter) || at.Before(leaf.NotBefore) {
		at = leaf.NotAfter.Add(-time.Second)
	}
	inter := x509.NewCertPool()
	for _, c := range st.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: t.Roots, Intermediates: inter, CurrentTime: at}); err != nil {
		info.ChainErr = err.Error()
	}
	legacy, err := handshake(ctx, addr, &tls.Config{ServerName: serverName, InsecureSkipVerify: true, //nolint:gosec // probing protocol versions only
		MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11})
	if err == nil {
		info.Legacy = legacy.Version
	}
	return info, nil
}

func handshake(ctx context.Context, addr string, cfg *tls.Config) (tls.ConnectionState, error) {
	d := tls.Dialer{Config: cfg}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return tls.ConnectionState{}, err
	}
	defer c.Close()
	return c.(*tls.Conn).ConnectionState(), nil
}
