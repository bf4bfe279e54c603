package twilio

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"time"

	"github.com/atoguard/atoguard"
)

type wireSink struct {
	SID               string          `json:"sid"`
	Description       string          `json:"description"`
	Status            string          `json:"status"`
	SinkType          string          `json:"sink_type"`
	SinkConfiguration json.RawMessage `json:"sink_configuration"`
	DateCreated       ts              `json:"date_created"`
}

func (w *wireSink) sink() atoguard.EventSink {
	s := atoguard.EventSink{SID: w.SID, Description: w.Description, Status: w.Status, SinkType: w.SinkType, DateCreated: w.DateCreated.Time()}
	var cfg struct {
		Destination string `json:"destination"`
	}
	// Twilio returns the configuration as an object; tolerate a JSON string.
	raw := w.SinkConfiguration
	var asString string
	if json.Unmarshal(raw, &asString) == nil {
		raw = json.RawMessage(asString)
	}
	if json.Unmarshal(raw, &cfg) == nil {
		s.Destination = cfg.Destination
	}
	return s
}

// CreateEventSink creates a webhook sink delivering single (unbatched) events to
// destinationURL. Not retried after it may have been applied.
func (c *Client) CreateEventSink(ctx context.Context, description, destinationURL string) (atoguard.EventSink, error) {
	const op = "twilio.create_sink"
	if description == "" || destinationURL == "" {
		return atoguard.EventSink{}, atoguard.Errorf(atoguard.EINVALID, op, "a sink needs a description and a destination URL")
	}
	cfg, _ := json.Marshal(map[string]any{"destination": destinationURL, "method": "POST", "batch_events": false})
	form := url.Values{"Description": {description}, "SinkType": {"webhook"}, "SinkConfiguration": {string(cfg)}}
	var w wireSink
	if err := c.post(ctx, op, ProductEvents, "/v1/Sinks", form, false, &w); err != nil {
		return atoguard.EventSink{}, err
	}
	return w.sink(), nil
}

// ListEventSinks lists the authenticated account's sinks.
func (c *Client) ListEventSinks(ctx context.Context) iter.Seq2[atoguard.EventSink, error] {
	return list(c, ctx, &request{op: "twilio.list_sinks", product: ProductEvents, path: "/v1/Sinks"},
		"sinks", func(w *wireSink) (atoguard.EventSink, bool) { return w.sink(), true })
}

// DeleteEventSink deletes a sink.
func (c *Client) DeleteEventSink(ctx context.Context, sid string) error {
	const op = "twilio.delete_sink"
	if err := needSID(op, "sink SID", sid); err != nil {
		return err
	}
	return c.del(ctx, op, ProductEvents, "/v1/Sinks/"+sid)
}

// TestEventSink asks Twilio to deliver a test event to the sink; the event's
// data.test_id is then passed to ValidateEventSink.
func (c *Client) TestEventSink(ctx context.Context, sid string) error {
	const op = "twilio.test_sink"
	if err := needSID(op, "sink SID", sid); err != nil {
		return err
	}
	// Not retried after it may have been applied: each test event carries a
	// new test_id and only the latest validates.
	return c.post(ctx, op, ProductEvents, "/v1/Sinks/"+sid+"/Test", nil, false, nil)
}

// ValidateEventSink confirms the test event arrived, activating the sink.
func (c *Client) ValidateEventSink(ctx context.Context, sid, testID string) error {
	const op = "twilio.validate_sink"
	if err := needSID(op, "sink SID", sid); err != nil {
		return err
	}
	var w struct {
		Result string `json:"result"`
	}
	if err := c.post(ctx, op, ProductEvents, "/v1/Sinks/"+sid+"/Validate", url.Values{"TestId": {testID}}, true, &w); err != nil {
		return err
	}
	if w.Result != "valid" {
		return atoguard.Errorf(atoguard.EINVALID, op, "sink validation result %q", w.Result)
	}
	return nil
}

// Subscription is an Event Streams subscription (DF…).
type Subscription struct {
	SID         string    `json:"sid"`
	Description string    `json:"description"`
	SinkSID     string    `json:"sink_sid"`
	DateCreated time.Time `json:"date_created"`
}

type wireSubscription struct {
	SID         string `json:"sid"`
	Description string `json:"description"`
	SinkSID     string `json:"sink_sid"`
	DateCreated ts     `json:"date_created"`
}

func (w *wireSubscription) subscription() Subscription {
	return Subscription{SID: w.SID, Description: w.Description, SinkSID: w.SinkSID, DateCreated: w.DateCreated.Time()}
}

// CreateSubscription subscribes an active sink to event types (schema
// version 1). Not retried after it may have been applied.
func (c *Client) CreateSubscription(ctx context.Context, description, sinkSID string, types []string) (Subscription, error) {
	const op = "twilio.create_subscription"
	if err := needSID(op, "sink SID", sinkSID); err != nil {
		return Subscription{}, err
	}
	if description == "" || len(types) == 0 {
		return Subscription{}, atoguard.Errorf(atoguard.EINVALID, op, "a subscription needs a description and event types")
	}
	form := url.Values{"Description": {description}, "SinkSid": {sinkSID}}
	for _, t := range types {
		b, _ := json.Marshal(map[string]any{"type": t, "schema_version": 1})
		form.Add("Types", string(b))
	}
	var w wireSubscription
	if err := c.post(ctx, op, ProductEvents, "/v1/Subscriptions", form, false, &w); err != nil {
		return Subscription{}, err
	}
	return w.subscription(), nil
}

// ListSubscriptions lists the authenticated account's subscriptions.
func (c *Client) ListSubscriptions(ctx context.Context) iter.Seq2[Subscription, error] {
	return list(c, ctx, &request{op: "twilio.list_subscriptions", product: ProductEvents, path: "/v1/Subscriptions"},
		"subscriptions", func(w *wireSubscription) (Subscription, bool) { return w.subscription(), true })
}

// DeleteSubscription deletes a subscription.
func (c *Client) DeleteSubscription(ctx context.Context, sid string) error {
	const op = "twilio.delete_subscription"
	if err := needSID(op, "subscription SID", sid); err != nil {
		return err
	}
	return c.del(ctx, op, ProductEvents, "/v1/Subscriptions/"+sid)
}
