package audit

import (
	"context"
	"iter"
	"sync"

	"github.com/atoguard/atoguard"
)

// Twilio is what Extras reads; *twilio.Client satisfies it.
type Twilio interface {
	AccountSID() string // the authenticated (main) account
	ListEventSinks(ctx context.Context) iter.Seq2[atoguard.EventSink, error]
	SubaccountAuthToken(ctx context.Context, sid string) (atoguard.Secret, error)
	GetVoiceSettings(ctx context.Context) (atoguard.VoiceSettings, error)
}

// Extras reads what investigate's collection does not: each subaccount's
// Voice inheritance setting (with the subaccount's own token, read through
// the parent) and the main account's Event Streams sinks, at most
// concurrency accounts at once. A failure leaves the value unknown and is
// noted in the account's Error.
func Extras[C interface {
	Twilio
	As(atoguard.Credential) C
}](ctx context.Context, c C, accounts []Account, concurrency int) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, concurrency))
	for i := range accounts {
		a := &accounts[i]
		if a.Config == nil || (a.Account.Status != "" && a.Account.Status != "active") {
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			switch {
			case a.Account.SID == c.AccountSID():
				readSinks(ctx, c, a)
			case a.Account.IsSubaccount():
				tok, err := c.SubaccountAuthToken(ctx, a.Account.SID)
				if err == nil {
					readInheritance(ctx, c.As(atoguard.Credential{AccountSID: a.Account.SID, Secret: tok}), a)
				} else {
					a.note("voice settings", err)
				}
			}
		})
	}
	wg.Wait()
}

func readSinks(ctx context.Context, c Twilio, a *Account) {
	var sinks []atoguard.EventSink
	for s, err := range c.ListEventSinks(ctx) {
		if err != nil {
			a.note("event streams sinks", err)
			return
		}
		sinks = append(sinks, s)
	}
	a.Sinks, a.SinksKnown = sinks, true
}

func readInheritance(ctx context.Context, sub Twilio, a *Account) {
	s, err := sub.GetVoiceSettings(ctx)
	if err != nil {
		a.note("voice settings", err)
		return
	}
	a.VoiceInheritance = &s.Inheritance
}

// note adds what could not be read to the account's Error.
func (a *Account) note(what string, err error) {
	msg := what + ": " + err.Error()
	if a.Error != "" {
		msg = a.Error + "; " + msg
	}
	a.Error = msg
}
