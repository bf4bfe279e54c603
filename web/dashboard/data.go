package dashboard

import (
	"context"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/audit"
	"github.com/atoguard/atoguard/contain"
	"github.com/atoguard/atoguard/playbook"
	"github.com/atoguard/atoguard/store"
)

// Data is what the pages show and change. Backend implements it over the
// store, the monitor and the Twilio client; tests may use it as is.
type Data interface {
	Accounts(ctx context.Context) ([]AccountRow, error)
	Alerts(ctx context.Context, q store.AlertQuery) ([]atoguard.Alert, error)
	SetAlertState(ctx context.Context, key string, state atoguard.AlertState) error
	Account(ctx context.Context, sid string) (AccountView, error)
	Plan(ctx context.Context, sid string) (*playbook.Plan, error)
	Apply(ctx context.Context, sid string) (*playbook.Result, error)
	Containment(ctx context.Context) ([]contain.Entry, error)
	// StopContainment stops automatic containment of one account.
	StopContainment(ctx context.Context, sid string) error
}

// AccountRow is one line of the accounts page.
type AccountRow struct {
	SID, Name  string
	Subaccount bool
	Verdict    atoguard.Verdict
	OpenAlerts int
	Since      time.Time // first open alert
}

// AccountView is an account's page: verdict, timeline, traffic, audit.
type AccountView struct {
	Row      AccountRow
	Reasons  []string
	Timeline []atoguard.TimelineEntry
	Traffic  []TrafficPoint
	// TrafficError says why traffic could not be read ("" when it was).
	TrafficError string
	Audit        *audit.Result
	AuditError   string
}

// TrafficPoint is one day's outbound messages to one country.
type TrafficPoint struct {
	Day      time.Time
	Country  string
	Messages int
	Cost     float64
}
