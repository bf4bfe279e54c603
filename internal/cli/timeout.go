package cli

import (
	"context"
	"errors"
	"time"

	"github.com/atoguard/atoguard"
)

// defaultTwilioTimeout bounds a whole Twilio command: long enough for an
// investigation of a busy account family, short enough that a stalled
// server cannot hold a terminal or a CI job for hours.
const (
	defaultTwilioTimeout = 30 * time.Minute
	maxTwilioTimeout     = 24 * time.Hour
)

// addTimeoutFlag registers --timeout on a command that talks to Twilio.
func addTimeoutFlag(f interface {
	DurationVar(*time.Duration, string, time.Duration, string)
}, p *time.Duration) {
	f.DurationVar(p, "timeout", defaultTwilioTimeout, "give up after this long (e.g. 90s, 10m; at most 24h): every Twilio request has its own deadline too")
}

// withTimeout validates --timeout and returns a context that ends with it.
func withTimeout(ctx context.Context, op string, d time.Duration) (context.Context, context.CancelFunc, error) {
	if d <= 0 || d > maxTwilioTimeout {
		return nil, nil, atoguard.Errorf(atoguard.EINVALID, op, "--timeout %s: want a duration greater than 0 and at most 24h (e.g. 90s, 10m)", d)
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	return ctx, cancel, nil
}

// explainTimeout turns a failure caused by the --timeout deadline into an
// error that says so, with what to do; other errors pass unchanged.
func explainTimeout(ctx context.Context, op string, d time.Duration, err error, next string) error {
	if err == nil || !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return err
	}
	msg := "Twilio did not answer within --timeout " + d.String() + " (check --twilio-api-url and the network, or raise --timeout)"
	if next != "" {
		msg += "; " + next
	}
	return &atoguard.Error{Code: atoguard.EUNAVAILABLE, Op: op, Err: errors.New(msg)}
}
