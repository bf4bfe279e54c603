package atoguard

import "time"

// The filters below are the query side of the contract between the engines
// and the Twilio client (as wtf keeps DialFilter beside Dial): an engine asks
// for a listing with one of them and *twilio.Client answers it, so the
// client satisfies the engines' interfaces without an adapter.

// AccountFilter narrows a listing of accounts.
type AccountFilter struct {
	FriendlyName string // exact match
	Status       string // active | suspended | closed
}

// MessageFilter narrows a listing of messages. SentAfter is inclusive and
// SentBefore exclusive; zero times are open ends.
type MessageFilter struct {
	To, From              string
	SentAfter, SentBefore time.Time
}

// CallFilter narrows a listing of calls. StartedAfter is inclusive,
// StartedBefore exclusive.
type CallFilter struct {
	To, From, Status            string
	StartedAfter, StartedBefore time.Time
}

// EventFilter narrows a listing of Monitor events. Twilio accepts only one
// of EventType, ResourceSID, ActorSID and SourceIP per request besides the
// dates.
type EventFilter struct {
	EventType, ResourceSID, ActorSID, SourceIP string
	Start, End                                 time.Time
}

// UsageFilter narrows a listing of usage records.
type UsageFilter struct {
	// Period: "" (whole range in one record per category) or Daily, Monthly,
	// Yearly, AllTime, Today, Yesterday, ThisMonth, LastMonth.
	Period   string
	Category string
	// Start and End are dates (GMT, both inclusive); zero = Twilio's default.
	Start, End time.Time
	// IncludeSubaccounts defaults to true at Twilio (parent totals include
	// subaccounts); set it to false for the account alone.
	IncludeSubaccounts *bool
}

// SMSPermissionResult is the per-country outcome of an SMS geo permission
// update; a country can fail (e.g. ErrorCode 30649, high-risk, Console only)
// inside a successful reply.
type SMSPermissionResult struct {
	CountryCode   string   `json:"country_code"`
	Enabled       bool     `json:"enabled"`
	ErrorCode     int      `json:"error_code,omitempty"`
	ErrorMessages []string `json:"error_messages,omitempty"`
}

// OK reports whether the country was updated.
func (r SMSPermissionResult) OK() bool { return r.ErrorCode == 0 }

// Message is the first of Twilio's error messages, "" when there is none.
func (r SMSPermissionResult) Message() string {
	if len(r.ErrorMessages) == 0 {
		return ""
	}
	return r.ErrorMessages[0]
}
