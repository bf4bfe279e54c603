package monitor

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"slices"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/store"
	"github.com/atoguard/atoguard/twilio"
)

// StreamsAPI is the Event Streams API of one account (a *twilio.Client).
type StreamsAPI interface {
	ListEventSinks(ctx context.Context) iter.Seq2[atoguard.EventSink, error]
	CreateEventSink(ctx context.Context, description, destinationURL string) (atoguard.EventSink, error)
	TestEventSink(ctx context.Context, sid string) error
	ValidateEventSink(ctx context.Context, sid, testID string) error
	ListSubscriptions(ctx context.Context) iter.Seq2[twilio.Subscription, error]
	CreateSubscription(ctx context.Context, description, sinkSID string, types []string) (twilio.Subscription, error)
}

// SetupDescription names what serve setup creates, so a rerun finds it.
const SetupDescription = "atoguard serve"

// StreamTypes are the Event Streams types serve subscribes to: what
// detection reads (message statuses, voice status callbacks).
func StreamTypes() []string {
	var out []string
	for _, s := range []string{"queued", "sent", "delivered", "undelivered", "failed"} {
		out = append(out, typeMessagePrefix+s)
	}
	out = append(out, typeInbound)
	for _, s := range []string{"initiated", "ringing", "answered", "completed"} {
		out = append(out, typeCallPrefix+s)
	}
	return out
}

// SinkURL is the destination of an account's sink: the public events URL
// with the account's SID, so serve knows which token signed a delivery.
func SinkURL(eventsURL, accountSID string) string {
	u, _ := url.Parse(eventsURL)
	q := u.Query()
	q.Set("account", accountSID)
	u.RawQuery = q.Encode()
	return u.String()
}

// SetupResult says what setup did for one account.
type SetupResult struct {
	AccountSID, SinkSID, SubscriptionSID string
	Created, Validated, Subscribed       bool // what this run changed
}

// SetupStreams makes sure the account has an active webhook sink to
// eventsURL and a subscription of it to StreamTypes: it creates what is
// missing, runs the Test/Validate handshake for a sink that is not active
// (the test event's id is read from the store, where the running serve put
// it) and leaves what exists alone, so running it again changes nothing.
// now is the store's clock (serve's), which dates the test event.
func SetupStreams(ctx context.Context, api StreamsAPI, st store.Store, accountSID, eventsURL string, wait time.Duration, now func() time.Time) (SetupResult, error) {
	r := SetupResult{AccountSID: accountSID}
	dest := SinkURL(eventsURL, accountSID)
	var sink atoguard.EventSink
	for s, err := range api.ListEventSinks(ctx) {
		if err != nil {
			return r, fmt.Errorf("listing sinks: %w", err)
		}
		if s.SinkType == "webhook" && s.Destination == dest {
			sink = s
		}
	}
	if sink.SID == "" {
		s, err := api.CreateEventSink(ctx, SetupDescription, dest)
		if err != nil {
			return r, fmt.Errorf("creating the sink: %w", err)
		}
		sink, r.Created = s, true
	}
	r.SinkSID = sink.SID
	if !sink.Active() {
		if err := handshake(ctx, api, st, accountSID, sink.SID, wait, now().Add(-time.Minute)); err != nil {
			return r, err
		}
		r.Validated = true
	}
	for sb, err := range api.ListSubscriptions(ctx) {
		if err != nil {
			return r, fmt.Errorf("listing subscriptions: %w", err)
		}
		if sb.SinkSID == sink.SID {
			r.SubscriptionSID = sb.SID
			return r, nil
		}
	}
	sb, err := api.CreateSubscription(ctx, SetupDescription, sink.SID, StreamTypes())
	if err != nil {
		return r, fmt.Errorf("subscribing the sink: %w", err)
	}
	r.SubscriptionSID, r.Subscribed = sb.SID, true
	return r, nil
}

// handshake asks for a test event and validates the sink with its id once
// serve has stored it.
func handshake(ctx context.Context, api StreamsAPI, st store.Store, accountSID, sinkSID string, wait time.Duration, since time.Time) error {
	if err := api.TestEventSink(ctx, sinkSID); err != nil {
		return fmt.Errorf("testing the sink: %w", err)
	}
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		evs, err := st.StreamEvents(ctx, store.EventQuery{AccountSID: accountSID, Since: since})
		if err != nil {
			return err
		}
		for _, e := range slices.Backward(evs) {
			if e.Type == TestEventType {
				if err := api.ValidateEventSink(ctx, sinkSID, e.ID); err != nil {
					return fmt.Errorf("validating the sink: %w", err)
				}
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return errors.New("the sink's test event did not reach serve within " + wait.String() +
		": is serve running, and does --public-url reach it?")
}

// TestEventType is the event Twilio sends when a sink is tested.
const TestEventType = "com.twilio.eventstreams.test-event"
