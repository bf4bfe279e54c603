package cli

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/twilio"
)

// TestTwilioHosts checks the one reading of --twilio-api-url that every
// command shares: the emulator's URL is a path-prefix layout, a Twilio-style
// API host is the api product's own base.
func TestTwilioHosts(t *testing.T) {
	tests := []struct {
		name, in             string
		wantAPI, wantMonitor string
	}{
		{"unset is the real Twilio", "", "https://api.twilio.com", "https://monitor.twilio.com"},
		{"emulator", "http://127.0.0.1:8080", "http://127.0.0.1:8080/api", "http://127.0.0.1:8080/monitor"},
		{"emulator trailing slash", "http://127.0.0.1:8080/", "http://127.0.0.1:8080/api", "http://127.0.0.1:8080/monitor"},
		{"emulator by name", "http://emulator.internal:9000", "http://emulator.internal:9000/api", "http://emulator.internal:9000/monitor"},
		{"real Twilio given explicitly", "https://api.twilio.com", "https://api.twilio.com", "https://monitor.twilio.com"},
		{"real Twilio, slash, any case", "https://API.Twilio.com/", "https://API.Twilio.com", "https://monitor.twilio.com"},
		{"Twilio edge location", "https://api.dublin.ie1.twilio.com", "https://api.dublin.ie1.twilio.com", "https://monitor.dublin.ie1.twilio.com"},
		{"fake api host with port", "http://api.fake.test:8443", "http://api.fake.test:8443", "http://monitor.fake.test:8443"},
		{"other twilio.com host", "https://proxy.twilio.com", "https://proxy.twilio.com", "https://monitor.twilio.com"},
		{"api as a word is not a host label", "http://apiary.example:1", "http://apiary.example:1/api", "http://apiary.example:1/monitor"},
		{"lookalike domain", "https://eviltwilio.com", "https://eviltwilio.com/api", "https://eviltwilio.com/monitor"},
		{"bare api host", "http://api:8080", "http://api:8080/api", "http://api:8080/monitor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts, err := twilioHosts(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			c, err := twilio.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.BaseURL(twilio.ProductAPI); got != tt.wantAPI {
				t.Errorf("api base %q, want %q", got, tt.wantAPI)
			}
			if got := c.BaseURL(twilio.ProductMonitor); got != tt.wantMonitor {
				t.Errorf("monitor base %q, want %q", got, tt.wantMonitor)
			}
		})
	}
	if _, err := newVerifyFetcher("ftp://x"); atoguard.CodeOf(err) != atoguard.EINVALID || !strings.Contains(err.Error(), "twilio-api-url") {
		t.Errorf("bad URL: %v", err)
	}
}

// TestVerifyFetcherTwilioStyleHost sends scan --verify's request for a
// Twilio-style host (served at its root, no /api prefix) to a local server
// standing in for that host, and checks the path and Host it receives.
func TestVerifyFetcherTwilioStyleHost(t *testing.T) {
	srv := fakeTwilioAPI(t, "", testSID, testToken)
	for _, apiURL := range []string{"https://api.twilio.com", "http://api.fake.test:8443/", "http://gw.twilio.com"} {
		t.Run(apiURL, func(t *testing.T) {
			f, err := newVerifyFetcher(apiURL)
			if err != nil {
				t.Fatal(err)
			}
			var host string
			f.client = &http.Client{Transport: &http.Transport{
				DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
					host = addr
					return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
				},
			}}
			if strings.HasPrefix(apiURL, "https:") {
				// No TLS in the stand-in: check the URL built, not the exchange.
				if want := "https://api.twilio.com"; f.base != want {
					t.Fatalf("base %q, want %q", f.base, want)
				}
				return
			}
			resp, err := f.Get(context.Background(), "/2010-04-01/Accounts/"+testSID+".json",
				atoguard.Credential{AccountSID: testSID, Secret: atoguard.NewSecret(testToken)})
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != http.StatusOK {
				t.Errorf("status %d (base %s): the request missed /2010-04-01 at the root", resp.Status, f.base)
			}
			if want := strings.TrimPrefix(strings.TrimRight(apiURL, "/"), "http://"); host != want && host != want+":80" {
				t.Errorf("dialled %q, want %q", host, want)
			}
		})
	}
}

// A setting that is not an http(s) URL is a usage error that names the
// setting, not an internal URL built from it.
func TestTwilioHostsRejectsNonURLs(t *testing.T) {
	for _, in := range []string{"api.fake.test", "ftp://x", "http://", "localhost:8080", "://x", "ftp://AC1:daf7b3d34b9787f1212316eea62ba186@x"} {
		_, err := twilioHosts(in)
		if err == nil || atoguard.CodeOf(err) != atoguard.EINVALID || !strings.Contains(err.Error(), "twilio-api-url") ||
			strings.Contains(err.Error(), in+"/api") || strings.Contains(err.Error(), "daf7b3") {
			t.Errorf("%q: %v", in, err)
		}
	}
}
