package atoguard

import (
	"strings"
	"time"
)

// Account is a Twilio account or subaccount.
type Account struct {
	SID          string    `json:"sid"`
	OwnerSID     string    `json:"owner_account_sid"` // equals SID for a main account
	FriendlyName string    `json:"friendly_name"`
	Status       string    `json:"status"` // active | suspended | closed
	Type         string    `json:"type"`   // Trial | Full
	DateCreated  time.Time `json:"date_created"`
}

// IsSubaccount reports whether the account is owned by another.
func (a Account) IsSubaccount() bool { return a.OwnerSID != "" && a.OwnerSID != a.SID }

// CompareAccounts orders the main account first, then subaccounts by SID:
// the stable order every listing of accounts shows.
func CompareAccounts(a, b Account) int {
	if a.IsSubaccount() != b.IsSubaccount() {
		if a.IsSubaccount() {
			return 1
		}
		return -1
	}
	return strings.Compare(a.SID, b.SID)
}

// Message is one SMS/MMS (2010-04-01 Messages resource).
type Message struct {
	SID                 string    `json:"sid"`
	AccountSID          string    `json:"account_sid"`
	MessagingServiceSID string    `json:"messaging_service_sid,omitempty"`
	From                string    `json:"from"`
	To                  string    `json:"to"`
	Body                string    `json:"body"`
	Direction           string    `json:"direction"` // inbound | outbound-api | outbound-call | outbound-reply
	Status              string    `json:"status"`
	NumSegments         int       `json:"num_segments"`
	Price               float64   `json:"price"` // positive cost in PriceUnit (Twilio reports it negative)
	PriceUnit           string    `json:"price_unit"`
	ErrorCode           int       `json:"error_code,omitempty"`
	DateCreated         time.Time `json:"date_created"`
	DateSent            time.Time `json:"date_sent"`
}

// Outbound reports whether the message was sent by the account.
func (m Message) Outbound() bool { return len(m.Direction) >= 8 && m.Direction[:8] == "outbound" }

// Call is one voice call (2010-04-01 Calls resource).
type Call struct {
	SID        string    `json:"sid"`
	AccountSID string    `json:"account_sid"`
	From       string    `json:"from"`
	To         string    `json:"to"`
	Direction  string    `json:"direction"` // inbound | outbound-api | outbound-dial | trunking-*
	Status     string    `json:"status"`
	StartTime  time.Time `json:"start_time"`
	EndTime    time.Time `json:"end_time"`
	Duration   int       `json:"duration"` // seconds
	Price      float64   `json:"price"`    // positive cost
	PriceUnit  string    `json:"price_unit"`
}

// Outbound reports whether the call was placed by the account.
func (c Call) Outbound() bool { return len(c.Direction) >= 8 && c.Direction[:8] == "outbound" }

// Event is a Monitor event: an administrative change or login.
type Event struct {
	SID          string         `json:"sid"`
	AccountSID   string         `json:"account_sid"`
	ActorSID     string         `json:"actor_sid"`
	ActorType    string         `json:"actor_type"`
	Source       string         `json:"source"` // web | api | twilio
	SourceIP     string         `json:"source_ip_address"`
	EventType    string         `json:"event_type"` // e.g. account-api-keys.created
	EventDate    time.Time      `json:"event_date"`
	ResourceSID  string         `json:"resource_sid"`
	ResourceType string         `json:"resource_type"`
	Description  string         `json:"description"`
	Data         map[string]any `json:"event_data,omitempty"` // *.updated: {field: {previous, updated}}
}

// UsageRecord is one usage category total over a period (usually a day).
type UsageRecord struct {
	AccountSID string    `json:"account_sid"`
	Category   string    `json:"category"`
	StartDate  time.Time `json:"start_date"`
	EndDate    time.Time `json:"end_date"`
	Count      float64   `json:"count"`
	Usage      float64   `json:"usage"`
	Price      float64   `json:"price"`
	PriceUnit  string    `json:"price_unit"`
}
