package atoguard

import (
	"encoding/json"
	"time"
)

// StreamEvent is one Twilio Event Streams CloudEvent as `serve` received it.
// Raw is the event's JSON exactly as delivered (one element of a batch): it
// is what is stored, so a field atoguard does not parse yet is not lost.
type StreamEvent struct {
	ID         string    `json:"id"`     // CloudEvent id: the deduplication key
	Type       string    `json:"type"`   // e.g. com.twilio.messaging.message.sent
	Source     string    `json:"source"` // CloudEvent source
	AccountSID string    `json:"account_sid,omitempty"`
	Time       time.Time `json:"time,omitzero"` // the event's own time; zero when absent or unreadable
	ReceivedAt time.Time `json:"received_at"`
	Raw        []byte    `json:"-"`
}

// AlertState is where an alert stands.
type AlertState string

const (
	AlertOpen     AlertState = "open"
	AlertAcked    AlertState = "acked"
	AlertResolved AlertState = "resolved"
)

// Valid reports whether s is one of the three states.
func (s AlertState) Valid() bool {
	return s == AlertOpen || s == AlertAcked || s == AlertResolved
}

// Alert is a condition `serve` tells people about. Key deduplicates it: the
// same condition on the same account raises one alert, whichever replica
// sees it first, however often it is seen.
type Alert struct {
	Key        string          `json:"key"`
	AccountSID string          `json:"account_sid"`
	Severity   Severity        `json:"severity"`
	State      AlertState      `json:"state"`
	Title      string          `json:"title"`
	Detail     json.RawMessage `json:"detail,omitempty"` // JSON: signals, evidence, the respond command
	Count      int             `json:"count"`            // times raised
	FirstSeen  time.Time       `json:"first_seen"`
	LastSeen   time.Time       `json:"last_seen"`
	NotifiedAt time.Time       `json:"notified_at"`
	ResolvedAt time.Time       `json:"resolved_at,omitzero"`
}
