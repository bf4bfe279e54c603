package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/store"
	"github.com/atoguard/atoguard/store/sqlite"
	"github.com/atoguard/atoguard/web"
)

// Fabricated test tokens.
var (
	tokenNew = atoguard.NewSecret("0123456789abcdef0123456789abcdef")
	tokenOld = atoguard.NewSecret("fedcba9876543210fedcba9876543210")
)

// TestSignTwilioVector: Twilio's helper-library test vector for JSON bodies.
func TestSignTwilioVector(t *testing.T) {
	body := []byte(`{"property": "value", "boolean": true}`)
	u := web.SignedURL("https://mycompany.com/myapp.php?foo=1&bar=2", body)
	if want := "https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620"; u != want {
		t.Fatalf("SignedURL = %s, want %s", u, want)
	}
	if got := web.Sign(atoguard.NewSecret("12345"), u); got != "a9nBmqA0ju/hNViExpshrM61xv4=" {
		t.Errorf("Sign = %s, want a9nBmqA0ju/hNViExpshrM61xv4=", got)
	}
}

type fixture struct {
	srv    *httptest.Server
	st     store.Store
	public string
	now    time.Time
	tokens []web.Token
}

func newFixture(t testing.TB, public string, maxBody int64) *fixture {
	t.Helper()
	st, err := sqlite.Open(t.Context(), t.TempDir(), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{st: st, public: public, now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), tokens: []web.Token{{Secret: tokenNew}}}
	sink := web.NewSink(web.SinkOptions{Store: st, Tokens: func() []web.Token { return f.tokens }, PublicURL: public,
		MaxBody: maxBody, Now: func() time.Time { return f.now }})
	mux := http.NewServeMux()
	mux.Handle("/v1/twilio/events", sink)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// post sends body to path+query on the server, signed for signedBody over
// the public URL with token (the forged-body test signs one body and sends
// another).
func (f *fixture) post(t *testing.T, token atoguard.Secret, body, signedBody []byte) int {
	t.Helper()
	base := f.public
	if base == "" {
		base = f.srv.URL
	}
	signed := web.SignedURL(base+"/v1/twilio/events", signedBody)
	target := f.srv.URL + strings.TrimPrefix(signed, base)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, target, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if !token.IsZero() {
		req.Header.Set("X-Twilio-Signature", web.Sign(token, signed))
	}
	res, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func (f *fixture) ids(t *testing.T) []string {
	t.Helper()
	evs, err := f.st.StreamEvents(t.Context(), store.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.ID)
	}
	return out
}

func event(id string) string {
	return fmt.Sprintf(`{"specversion":"1.0","type":"com.twilio.messaging.message.sent","source":"/x","id":%q,"time":"2026-03-01T11:59:00Z","data":{"accountSid":"AC0123456789abcdef0123456789abcdef"}}`, id)
}

func TestSinkStoresOnceAndRaw(t *testing.T) {
	f := newFixture(t, "", 0)
	single := []byte(event("EZ1"))
	batch := []byte("[" + event("EZ2") + ",\n " + event("EZ1") + "," + event("EZ2") + "]")
	for _, b := range [][]byte{single, batch, batch} { // a redelivered batch too
		if code := f.post(t, tokenNew, b, b); code != http.StatusOK {
			t.Fatalf("status %d, want 200", code)
		}
	}
	if got := f.ids(t); fmt.Sprint(got) != "[EZ1 EZ2]" {
		t.Fatalf("stored %v, want EZ1 EZ2 once each", got)
	}
	evs, _ := f.st.StreamEvents(t.Context(), store.EventQuery{})
	if string(evs[0].Raw) != event("EZ1") || evs[0].AccountSID != "AC0123456789abcdef0123456789abcdef" || !evs[0].ReceivedAt.Equal(f.now) {
		t.Errorf("stored event = %+v raw %s", evs[0], evs[0].Raw)
	}
}

func TestSinkRejects(t *testing.T) {
	good := []byte(event("EZ1"))
	forged := []byte(strings.Replace(event("EZ1"), "message.sent", "message.failed", 1))
	tests := []struct {
		name             string
		token            atoguard.Secret
		body, signedBody []byte
		want             int
	}{
		{"no signature", atoguard.Secret{}, good, good, http.StatusUnauthorized},
		{"wrong token", atoguard.NewSecret("not-the-token-00000000000000000"), good, good, http.StatusUnauthorized},
		// The URL (with the original bodySHA256) is validly signed; the
		// body is not the one it hashes. URL-only validation accepts this.
		{"forged body, valid URL signature", tokenNew, forged, good, http.StatusUnauthorized},
		{"malformed JSON", tokenNew, []byte(`{"id":"EZ1",`), []byte(`{"id":"EZ1",`), http.StatusBadRequest},
		{"event without id", tokenNew, []byte(`{"type":"t"}`), []byte(`{"type":"t"}`), http.StatusBadRequest},
		{"empty batch", tokenNew, []byte(`[]`), []byte(`[]`), http.StatusBadRequest},
		{"one bad event in a batch", tokenNew, []byte("[" + event("EZ9") + `,{"id":7}]`), []byte("[" + event("EZ9") + `,{"id":7}]`), http.StatusBadRequest},
		{"oversized", tokenNew, bytes.Repeat([]byte(" "), 5000), bytes.Repeat([]byte(" "), 5000), http.StatusRequestEntityTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, "", 4096)
			if code := f.post(t, tc.token, tc.body, tc.signedBody); code != tc.want {
				t.Errorf("status %d, want %d", code, tc.want)
			}
			if got := f.ids(t); len(got) != 0 {
				t.Errorf("stored %v, want nothing", got)
			}
		})
	}
}

// TestSinkOversizedChunked: a body without Content-Length is cut at the limit.
func TestSinkOversizedChunked(t *testing.T) {
	f := newFixture(t, "", 1024)
	body := "[" + strings.Repeat(event("EZ1")+",", 20) + event("EZ1") + "]"
	signed := web.SignedURL(f.srv.URL+"/v1/twilio/events", []byte(body))
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, signed, struct{ *strings.Reader }{strings.NewReader(body)})
	req.Header.Set("X-Twilio-Signature", web.Sign(tokenNew, signed))
	res, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", res.StatusCode)
	}
	if got := f.ids(t); len(got) != 0 {
		t.Errorf("stored %v", got)
	}
}

func TestSinkTokenRotation(t *testing.T) {
	f := newFixture(t, "", 0)
	f.tokens = []web.Token{{Secret: tokenNew}, {Secret: tokenOld, NotAfter: f.now.Add(time.Hour)}}
	b1, b2 := []byte(event("EZ1")), []byte(event("EZ2"))
	if code := f.post(t, tokenOld, b1, b1); code != http.StatusOK {
		t.Errorf("old token within the grace window: %d, want 200", code)
	}
	f.now = f.now.Add(time.Hour + time.Second)
	if code := f.post(t, tokenOld, b2, b2); code != http.StatusUnauthorized {
		t.Errorf("old token after the grace window: %d, want 401", code)
	}
	if code := f.post(t, tokenNew, b2, b2); code != http.StatusOK {
		t.Errorf("new token: %d, want 200", code)
	}
}

// TestSinkPublicURL: behind a proxy Twilio signs the public URL (here with a
// path prefix the proxy strips, and the default port written out).
func TestSinkPublicURL(t *testing.T) {
	f := newFixture(t, "https://atoguard.example.com/hooks", 0)
	b := []byte(event("EZ1"))
	if code := f.post(t, tokenNew, b, b); code != http.StatusOK {
		t.Fatalf("signed for the public URL: %d, want 200", code)
	}
	// Twilio signed https://atoguard.example.com:443/hooks/...; still valid.
	f.public = "https://atoguard.example.com:443/hooks"
	b = []byte(event("EZ2"))
	if code := f.post(t, tokenNew, b, b); code != http.StatusOK {
		t.Errorf("signed with :443: %d, want 200", code)
	}
	// Signed for the server's own address rather than the public one.
	f.public = ""
	b = []byte(event("EZ3"))
	if code := f.post(t, tokenNew, b, b); code != http.StatusUnauthorized {
		t.Errorf("signed for another URL: %d, want 401", code)
	}
}

func TestSinkTestEventAndMethod(t *testing.T) {
	f := newFixture(t, "", 0)
	b := []byte(`{"specversion":"1.0","type":"com.twilio.eventstreams.test-event","source":"Sink","id":"0b8e5a3c-1d2e-4f50-8a9b-0c1d2e3f4a5b","data":{"test_id":"0b8e5a3c-1d2e-4f50-8a9b-0c1d2e3f4a5b"}}`)
	if code := f.post(t, tokenNew, b, b); code != http.StatusOK {
		t.Errorf("test event: %d, want 200", code)
	}
	if got := f.ids(t); len(got) != 1 {
		t.Errorf("test event stored %v, want it kept (setup validates with its test_id)", got)
	}
	res, err := f.srv.Client().Get(f.srv.URL + "/v1/twilio/events")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d, want 405", res.StatusCode)
	}
}

// TestSinkStoreDown: when the store fails, Twilio gets 503 (it retries), not 200.
func TestSinkStoreDown(t *testing.T) {
	f := newFixture(t, "", 0)
	f.st.Close()
	b := []byte(event("EZ1"))
	if code := f.post(t, tokenNew, b, b); code != http.StatusServiceUnavailable {
		t.Errorf("store closed: %d, want 503", code)
	}
}

func FuzzParseEvents(f *testing.F) {
	f.Add([]byte(event("EZ1")))
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := web.ParseEvents(body, time.Unix(0, 0))
		if err != nil {
			return
		}
		if len(evs) == 0 {
			t.Fatal("no events and no error")
		}
		for _, e := range evs {
			if e.ID == "" || e.Type == "" || !json.Valid(e.Raw) || !bytes.Contains(body, e.Raw) {
				t.Fatalf("event %+v (raw %q) not taken from %q", e, e.Raw, body)
			}
		}
	})
}
