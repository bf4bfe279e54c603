package twilio

import (
	"context"
	"github.com/atoguard/atoguard/internal/testsupport"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/internal/oaitest"
)

// specs loads the OpenAPI specs once per test binary.
var specs oaitest.Cache

func TestMain(m *testing.M) { os.Exit(m.Run()) }

// Fabricated test credentials.
const (
	testAccount = "AC0123456789abcdef0123456789abcdef"
	testToken   = "f00dfeedf00dfeedf00dfeedf00dfeed"
	subAccount  = "ACfedcba9876543210fedcba9876543210"
)

func testCred() atoguard.Credential {
	return atoguard.Credential{AccountSID: testAccount, Secret: atoguard.NewSecret(testToken)}
}

// sleepRecorder replaces backoff sleeps: it records them and returns at once
// (or the context error).
type sleepRecorder struct {
	mu     sync.Mutex
	sleeps []time.Duration
}

func (s *sleepRecorder) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.sleeps = append(s.sleeps, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleepRecorder) get() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.sleeps...)
}

// harness is a client wired to a test server through a validating transport.
type harness struct {
	c      *Client
	srv    *httptest.Server
	tr     *oaitest.Transport
	sleeps *sleepRecorder
}

// newHarness starts h on a test server and returns a client whose every
// request and response is validated against the specs. mod may adjust the
// options before New.
func newHarness(t *testing.T, h http.Handler, mod func(*Options)) *harness {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	tr := &oaitest.Transport{Router: specs.Load(t), Base: srv.Client().Transport, T: t}
	sl := &sleepRecorder{}
	opts := Options{
		BaseURL:    srv.URL,
		Credential: testCred(),
		HTTPClient: &http.Client{Transport: tr},
		Sleep:      sl.Sleep,
	}
	if mod != nil {
		mod(&opts)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{c: c, srv: srv, tr: tr, sleeps: sl}
}

// SpecRouter gives the external test package (emulator integration tests)
// the shared spec router.
func SpecRouter(t testing.TB) *oaitest.Router { return specs.Load(t) }

// ListMessagesTimed is ListMessages with the time spent decoding and
// converting pages added to *decode, for the end-to-end benchmark's share
// of time spent outside HTTP.
func ListMessagesTimed(c *Client, ctx context.Context, accountSID string, decode *time.Duration) func(yield func(atoguard.Message, error) bool) {
	dec := func(body []byte) ([]atoguard.Message, string, error) {
		start := time.Now()
		msgs, next, err := decodeMessagesPage(body, make([]atoguard.Message, 0, c.sh.opts.PageSize))
		*decode += time.Since(start)
		return msgs, next, err
	}
	return listPages(c, ctx, &request{op: "twilio.list_messages", product: ProductAPI, path: "/2010-04-01/Accounts/" + accountSID + "/Messages.json"}, dec)
}

// ProcessCPU exposes processCPU to the external test package.
func ProcessCPU() time.Duration { return testsupport.CPUTime() }
