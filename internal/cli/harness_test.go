package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// cli is one in-process invocation of atoguard: the one harness the command
// tests share. sub is prepended to the arguments ("audit", "exposure"…);
// the zero now is the real clock. The Twilio client's backoff is instant
// (ctx is still honoured), so retry tests do not wait in real time.
type cli struct {
	sub   string
	stdin string
	env   map[string]string
	now   time.Time
}

func (c cli) run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	if c.sub != "" {
		args = append([]string{c.sub}, args...)
	}
	var out, errb bytes.Buffer
	streams := IO{
		In: strings.NewReader(c.stdin), Out: &out, Err: &errb,
		Getenv: func(k string) string { return c.env[k] },
		Sleep:  func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	}
	if !c.now.IsZero() {
		streams.Now = func() time.Time { return c.now }
	}
	code = Run(context.Background(), args, streams)
	return code, out.String(), errb.String()
}
