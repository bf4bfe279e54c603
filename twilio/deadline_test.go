package twilio

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/internal/hostile"
)

// TestRequestDeadlineCoversBody: a server that never answers, and one that
// sends headers and then trickles the body, both end each attempt at
// RequestTimeout; before, only the headers had a (2-minute) timeout and a
// trickled body held the request forever.
func TestRequestDeadlineCoversBody(t *testing.T) {
	for name, url := range map[string]string{"silent": hostile.Silent(t), "trickle": hostile.Trickle(t)} {
		t.Run(name, func(t *testing.T) {
			c, err := New(Options{BaseURL: url, Credential: testCred(), RequestTimeout: 200 * time.Millisecond, MaxRetries: 1,
				Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.FetchAccount(context.Background(), testAccount)
			if atoguard.CodeOf(err) != atoguard.EUNAVAILABLE || !strings.Contains(err.Error(), "no complete reply within 200ms") {
				t.Fatalf("err %v (code %s)", err, atoguard.CodeOf(err))
			}
		})
	}
}
