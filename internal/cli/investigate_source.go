package cli

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/investigate"
	"github.com/atoguard/atoguard/twilio"
)

// twilioSource adapts the Twilio client to investigate.Source.
type twilioSource struct{ c *twilio.Client }

func (s twilioSource) Accounts(ctx context.Context) ([]atoguard.Account, error) {
	var out []atoguard.Account
	for a, err := range s.c.ListAccounts(ctx, twilio.AccountFilter{}) {
		if err != nil {
			return s.keyAccount(err)
		}
		out = append(out, a)
	}
	// Whether Twilio lists the caller itself is unconfirmed: make sure.
	if main := s.c.AccountSID(); !slices.ContainsFunc(out, func(a atoguard.Account) bool { return a.SID == main }) {
		a, err := s.c.FetchAccount(ctx, main)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// keyAccount degrades a rejected account listing: a Standard or
// Restricted API key may not read the Accounts resource, yet it reads its
// own account's traffic, events and most of its configuration.
func (s twilioSource) keyAccount(err error) ([]atoguard.Account, error) {
	cred := s.c.Credential()
	if cred.KeySID == "" || !twilio.IsUnauthorized(err) {
		return nil, err
	}
	main := atoguard.Account{SID: cred.AccountSID, OwnerSID: cred.AccountSID}
	return []atoguard.Account{main}, fmt.Errorf("%w (the API key %s may not list accounts, that needs a Main key or the auth token; only %s is read)",
		investigate.ErrSubaccountsUnlisted, cred.KeySID, cred.AccountSID)
}

// Account uses the parent's client for 2010 resources and the account's own
// credentials (a subaccount's token read through the parent) for the v1
// hosts: Monitor, Voice, Messaging and Accounts act on the caller's account.
func (s twilioSource) Account(ctx context.Context, a atoguard.Account) (investigate.AccountSource, error) {
	ta := &twilioAccount{api: s.c, v1: s.c, sid: a.SID}
	if key := s.c.Credential().KeySID; key != "" && a.SID != s.c.AccountSID() {
		return nil, fmt.Errorf("the API key %s reaches only its own account %s: reading this subaccount needs the main account's auth token", key, s.c.AccountSID())
	}
	if a.SID != s.c.AccountSID() {
		tok, err := s.c.SubaccountAuthToken(ctx, a.SID)
		if err != nil {
			ta.v1, ta.v1err = nil, err
		} else {
			ta.v1 = s.c.As(atoguard.Credential{AccountSID: a.SID, Secret: tok})
		}
	}
	return ta, nil
}

type twilioAccount struct {
	api, v1 *twilio.Client
	v1err   error
	sid     string
}

func (t *twilioAccount) Messages(ctx context.Context, since, until time.Time) iter.Seq2[atoguard.Message, error] {
	return t.api.ListMessages(ctx, t.sid, twilio.MessageFilter{SentAfter: since, SentBefore: until})
}

func (t *twilioAccount) Calls(ctx context.Context, since, until time.Time) iter.Seq2[atoguard.Call, error] {
	return t.api.ListCalls(ctx, t.sid, twilio.CallFilter{StartedAfter: since, StartedBefore: until})
}

func (t *twilioAccount) Usage(ctx context.Context, since, until time.Time) iter.Seq2[atoguard.UsageRecord, error] {
	own := false // the account alone: subaccounts are investigated on their own
	return t.api.ListUsageRecords(ctx, t.sid, twilio.UsageFilter{Period: "Daily", Start: since, End: until, IncludeSubaccounts: &own})
}

func (t *twilioAccount) Events(ctx context.Context, since, until time.Time) iter.Seq2[atoguard.Event, error] {
	if t.v1 == nil {
		return func(yield func(atoguard.Event, error) bool) { yield(atoguard.Event{}, t.v1err) }
	}
	return t.v1.ListEvents(ctx, twilio.EventFilter{Start: since, End: until})
}

func (t *twilioAccount) Configuration(ctx context.Context) (atoguard.Configuration, error) {
	c := atoguard.Configuration{AccountSID: t.sid}
	var errs []string
	keep := func(what string, err error) {
		if err != nil {
			errs = append(errs, what+": "+err.Error())
		}
	}
	var err error
	c.PhoneNumbers, err = atoguard.Collect(t.api.ListIncomingPhoneNumbers(ctx, t.sid))
	keep("phone numbers", err)
	c.Applications, err = atoguard.Collect(t.api.ListApplications(ctx, t.sid))
	keep("applications", err)
	c.APIKeys, err = atoguard.Collect(t.api.ListKeys(ctx, t.sid))
	keep("api keys", err)
	c.CallerIDs, err = atoguard.Collect(t.api.ListCallerIDs(ctx, t.sid))
	keep("caller ids", err)
	c.UsageTriggers, err = atoguard.Collect(t.api.ListUsageTriggers(ctx, t.sid))
	keep("usage triggers", err)
	if t.v1 == nil {
		keep("v1 resources", t.v1err)
	} else {
		iam, err := atoguard.Collect(t.v1.ListIAMKeys(ctx, t.sid))
		keep("iam keys", err)
		for _, k := range iam { // both APIs: restricted keys only show in iam
			if !slices.ContainsFunc(c.APIKeys, func(x atoguard.APIKey) bool { return x.SID == k.SID }) {
				c.APIKeys = append(c.APIKeys, k)
			}
		}
		c.MessagingServices, err = atoguard.Collect(t.v1.ListMessagingServices(ctx))
		keep("messaging services", err)
		c.VoicePermissions, err = atoguard.Collect(t.v1.ListVoiceCountries(ctx))
		keep("voice permissions", err)
		c.SMSPermissions, err = t.v1.ListSMSPermissions(ctx)
		keep("sms permissions", err)
	}
	if len(errs) > 0 {
		return c, errors.New(strings.Join(errs, "; "))
	}
	return c, nil
}
