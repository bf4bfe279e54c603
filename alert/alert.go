// Package alert delivers serve's alerts to people: Slack incoming webhooks,
// PagerDuty Events v2, a generic webhook signed with HMAC-SHA256 and e-mail
// over SMTP. A Dispatcher queues each alert per channel, bounds every attempt
// with a deadline and retries failures with exponential backoff, recording
// each outcome.
package alert

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/atoguard/atoguard"
)

// Channel sends one alert (State resolved: the condition cleared).
type Channel interface {
	Name() string
	Send(ctx context.Context, a atoguard.Alert) error
}

// Observer counts deliveries (metrics). attempts is how many were made.
type Observer interface {
	Delivered(channel string, attempts int, err error)
}

// Options configure a Dispatcher.
type Options struct {
	Channels []Channel
	// Timeout bounds one attempt (default 10s); Attempts is the most made
	// per alert and channel (default 5); backoff doubles from BaseDelay up
	// to MaxDelay (defaults 1s, 30s).
	Timeout             time.Duration
	Attempts            int
	BaseDelay, MaxDelay time.Duration
	// Queue is how many alerts wait per channel before new ones are dropped
	// and logged (default 256): a dead channel must not hold serve's memory.
	Queue    int
	Logger   *slog.Logger
	Observer Observer
}

// Dispatcher fans alerts out to channels. Notify never blocks.
type Dispatcher struct {
	o      Options
	queues []chan atoguard.Alert
	wg     sync.WaitGroup
	ctx    context.Context
	cancel context.CancelFunc
}

// NewDispatcher starts one worker per channel; Close stops them.
func NewDispatcher(o Options) *Dispatcher {
	o.Timeout = cmp.Or(o.Timeout, 10*time.Second)
	o.Attempts = cmp.Or(o.Attempts, 5)
	o.BaseDelay = cmp.Or(o.BaseDelay, time.Second)
	o.MaxDelay = cmp.Or(o.MaxDelay, 30*time.Second)
	o.Queue = cmp.Or(o.Queue, 256)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	d := &Dispatcher{o: o}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	for _, ch := range o.Channels {
		q := make(chan atoguard.Alert, o.Queue)
		d.queues = append(d.queues, q)
		d.wg.Go(func() {
			for a := range q {
				d.deliver(ch, a)
			}
		})
	}
	return d
}

// Notify queues a for every channel (monitor.Notifier).
func (d *Dispatcher) Notify(_ context.Context, a atoguard.Alert) {
	for i, q := range d.queues {
		select {
		case q <- a:
		default:
			d.o.Logger.Error("alert dropped: channel queue full", "channel", d.o.Channels[i].Name(), "key", a.Key)
			if d.o.Observer != nil {
				d.o.Observer.Delivered(d.o.Channels[i].Name(), 0, errors.New("queue full"))
			}
		}
	}
}

// Close delivers what is queued (each attempt still bounded) and stops;
// after grace, pending retries are abandoned.
func (d *Dispatcher) Close(grace time.Duration) {
	for _, q := range d.queues {
		close(q)
	}
	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		d.cancel()
		<-done
	}
	d.cancel()
}

func (d *Dispatcher) deliver(ch Channel, a atoguard.Alert) {
	var err error
	attempt := 0
	for attempt < d.o.Attempts {
		attempt++
		ctx, cancel := context.WithTimeout(d.ctx, d.o.Timeout)
		err = ch.Send(ctx, a)
		cancel()
		if err == nil || errors.As(err, new(*PermanentError)) || d.ctx.Err() != nil {
			break
		}
		if attempt < d.o.Attempts && atoguard.Sleep(d.ctx, backoff(d.o.BaseDelay, d.o.MaxDelay, attempt)) != nil {
			break
		}
	}
	if err != nil {
		d.o.Logger.Error("alert not delivered", "channel", ch.Name(), "key", a.Key, "attempts", attempt, "err", err)
	} else {
		d.o.Logger.Info("alert delivered", "channel", ch.Name(), "key", a.Key, "state", a.State, "attempts", attempt)
	}
	if d.o.Observer != nil {
		d.o.Observer.Delivered(ch.Name(), attempt, err)
	}
}

func backoff(base, limit time.Duration, attempt int) time.Duration {
	d := base << (attempt - 1)
	if d <= 0 || d > limit {
		return limit
	}
	return d
}

// PermanentError is a refusal that retrying cannot fix (a 4xx other than
// 408 and 429: wrong URL, revoked webhook, bad routing key).
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// statusError turns an HTTP answer into nil, a retryable or a permanent error.
func statusError(channel string, res *http.Response) error {
	if res.StatusCode/100 == 2 {
		return nil
	}
	err := fmt.Errorf("%s: HTTP %d", channel, res.StatusCode)
	if res.StatusCode/100 == 4 && res.StatusCode != http.StatusRequestTimeout && res.StatusCode != http.StatusTooManyRequests {
		return &PermanentError{err}
	}
	return err
}
