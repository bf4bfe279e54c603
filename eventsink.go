package atoguard

import "time"

// EventSink is a Twilio Event Streams sink (DG…): where Twilio delivers an
// account's events. Not to be confused with a CredentialStore.
type EventSink struct {
	SID         string    `json:"sid"`
	Description string    `json:"description"`
	Status      string    `json:"status"` // initialized | validating | active | failed
	SinkType    string    `json:"sink_type"`
	Destination string    `json:"destination,omitempty"` // webhook sinks
	DateCreated time.Time `json:"date_created"`
}

// Active reports whether the sink delivers events.
func (s EventSink) Active() bool { return s.Status == "active" }
