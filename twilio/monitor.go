package twilio

import (
	"context"
	"iter"
	"net/url"
	"time"

	"github.com/atoguard/atoguard"
)

type wireEvent struct {
	SID          string         `json:"sid"`
	AccountSID   string         `json:"account_sid"`
	ActorSID     string         `json:"actor_sid"`
	ActorType    string         `json:"actor_type"`
	Source       string         `json:"source"`
	SourceIP     string         `json:"source_ip_address"`
	EventType    string         `json:"event_type"`
	EventDate    ts             `json:"event_date"`
	ResourceSID  string         `json:"resource_sid"`
	ResourceType string         `json:"resource_type"`
	Description  string         `json:"description"`
	EventData    map[string]any `json:"event_data"`
}

// EventFilter narrows ListEvents.
type EventFilter = atoguard.EventFilter

// ListEvents lists Monitor events of the authenticated account (call it with
// a subaccount's own credentials for that subaccount).
func (c *Client) ListEvents(ctx context.Context, f EventFilter) iter.Seq2[atoguard.Event, error] {
	const op = "twilio.list_events"
	q := url.Values{}
	n := 0
	for _, p := range [...]struct{ name, v string }{
		{"EventType", f.EventType}, {"ResourceSid", f.ResourceSID}, {"ActorSid", f.ActorSID}, {"SourceIpAddress", f.SourceIP},
	} {
		if p.v != "" {
			q.Set(p.name, p.v)
			n++
		}
	}
	if n > 1 {
		return errSeq[atoguard.Event](atoguard.Errorf(atoguard.EINVALID, op, "Monitor accepts only one of event type, resource SID, actor SID and source IP per request"))
	}
	if !f.Start.IsZero() {
		q.Set("StartDate", f.Start.UTC().Format(time.RFC3339))
	}
	if !f.End.IsZero() {
		q.Set("EndDate", f.End.UTC().Format(time.RFC3339))
	}
	return list(c, ctx, &request{op: op, product: ProductMonitor, path: "/v1/Events", query: q},
		"events", func(w *wireEvent) (atoguard.Event, bool) {
			return atoguard.Event{SID: w.SID, AccountSID: w.AccountSID, ActorSID: w.ActorSID, ActorType: w.ActorType, Source: w.Source,
				SourceIP: w.SourceIP, EventType: w.EventType, EventDate: w.EventDate.Time(), ResourceSID: w.ResourceSID,
				ResourceType: w.ResourceType, Description: w.Description, Data: w.EventData}, true
		})
}
