package cli

import (
	"context"
	"errors"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/playbook"
	"github.com/atoguard/atoguard/sink"
	"github.com/atoguard/atoguard/twilio"
)

// playbookTwilio adapts the Twilio client to the playbook's interface:
// iterators become slices, filters become time ranges.
type playbookTwilio struct{ c *twilio.Client }

func (p playbookTwilio) As(cred atoguard.Credential) playbook.Twilio {
	return playbookTwilio{c: p.c.As(cred)}
}

func (p playbookTwilio) FetchAccount(ctx context.Context, sid string) (atoguard.Account, error) {
	return p.c.FetchAccount(ctx, sid)
}

func (p playbookTwilio) ListAccounts(ctx context.Context) ([]atoguard.Account, error) {
	return twilio.Collect(p.c.ListAccounts(ctx, twilio.AccountFilter{}))
}

func (p playbookTwilio) SubaccountAuthToken(ctx context.Context, sid string) (atoguard.Secret, error) {
	return p.c.SubaccountAuthToken(ctx, sid)
}

func (p playbookTwilio) UpdateAccountStatus(ctx context.Context, sid, status string) error {
	_, err := p.c.UpdateAccountStatus(ctx, sid, status)
	return err
}

func (p playbookTwilio) CreateSecondaryAuthToken(ctx context.Context) (atoguard.Secret, error) {
	return p.c.CreateSecondaryAuthToken(ctx)
}

func (p playbookTwilio) DeleteSecondaryAuthToken(ctx context.Context) error {
	return p.c.DeleteSecondaryAuthToken(ctx)
}

func (p playbookTwilio) PromoteSecondaryAuthToken(ctx context.Context) error {
	return p.c.PromoteSecondaryAuthToken(ctx)
}

func (p playbookTwilio) ListKeys(ctx context.Context, account string) ([]atoguard.APIKey, error) {
	return twilio.Collect(p.c.ListKeys(ctx, account))
}

func (p playbookTwilio) ListIAMKeys(ctx context.Context, account string) ([]atoguard.APIKey, error) {
	return twilio.Collect(p.c.ListIAMKeys(ctx, account))
}

func (p playbookTwilio) DeleteKey(ctx context.Context, account, sid string) error {
	return p.c.DeleteKey(ctx, account, sid)
}

func (p playbookTwilio) DeleteIAMKey(ctx context.Context, sid string) error {
	return p.c.DeleteIAMKey(ctx, sid)
}

func (p playbookTwilio) ListUsageTriggers(ctx context.Context, account string) ([]atoguard.UsageTrigger, error) {
	return twilio.Collect(p.c.ListUsageTriggers(ctx, account))
}

func (p playbookTwilio) CreateUsageTrigger(ctx context.Context, account string, t atoguard.UsageTrigger) (atoguard.UsageTrigger, error) {
	return p.c.CreateUsageTrigger(ctx, account, t)
}

func (p playbookTwilio) DeleteUsageTrigger(ctx context.Context, account, sid string) error {
	return p.c.DeleteUsageTrigger(ctx, account, sid)
}

func (p playbookTwilio) ListIncomingPhoneNumbers(ctx context.Context, account string) ([]atoguard.PhoneNumber, error) {
	return twilio.Collect(p.c.ListIncomingPhoneNumbers(ctx, account))
}

func (p playbookTwilio) UpdateIncomingPhoneNumber(ctx context.Context, account, sid string, w atoguard.Webhooks) error {
	_, err := p.c.UpdateIncomingPhoneNumber(ctx, account, sid, w)
	return err
}

func (p playbookTwilio) ListApplications(ctx context.Context, account string) ([]atoguard.Application, error) {
	return twilio.Collect(p.c.ListApplications(ctx, account))
}

func (p playbookTwilio) UpdateApplication(ctx context.Context, account, sid string, w atoguard.Webhooks) error {
	_, err := p.c.UpdateApplication(ctx, account, sid, w)
	return err
}

func (p playbookTwilio) ListMessagingServices(ctx context.Context) ([]atoguard.MessagingService, error) {
	return twilio.Collect(p.c.ListMessagingServices(ctx))
}

func (p playbookTwilio) UpdateMessagingService(ctx context.Context, sid string, w atoguard.Webhooks) error {
	_, err := p.c.UpdateMessagingService(ctx, sid, w)
	return err
}

func (p playbookTwilio) ListCallerIDs(ctx context.Context, account string) ([]atoguard.CallerID, error) {
	return twilio.Collect(p.c.ListCallerIDs(ctx, account))
}

func (p playbookTwilio) DeleteCallerID(ctx context.Context, account, sid string) error {
	return p.c.DeleteCallerID(ctx, account, sid)
}

func (p playbookTwilio) ListVoiceCountries(ctx context.Context) ([]atoguard.VoicePermission, error) {
	return twilio.Collect(p.c.ListVoiceCountries(ctx))
}

func (p playbookTwilio) BulkUpdateVoiceCountries(ctx context.Context, perms []atoguard.VoicePermission) error {
	_, err := p.c.BulkUpdateVoiceCountries(ctx, perms)
	return err
}

func (p playbookTwilio) ListSMSPermissions(ctx context.Context) ([]atoguard.SMSPermission, error) {
	return p.c.ListSMSPermissions(ctx)
}

func (p playbookTwilio) UpdateSMSPermissions(ctx context.Context, perms []atoguard.SMSPermission) ([]playbook.SMSResult, error) {
	res, err := p.c.UpdateSMSPermissions(ctx, perms)
	if err != nil {
		return nil, err
	}
	out := make([]playbook.SMSResult, 0, len(res))
	for _, r := range res {
		msg := ""
		if len(r.ErrorMessages) > 0 {
			msg = r.ErrorMessages[0]
		}
		out = append(out, playbook.SMSResult{CountryCode: r.CountryCode, ErrorCode: r.ErrorCode, Message: msg})
	}
	return out, nil
}

func (p playbookTwilio) ListMessages(ctx context.Context, account string, start, end time.Time) ([]atoguard.Message, error) {
	return twilio.Collect(p.c.ListMessages(ctx, account, twilio.MessageFilter{SentAfter: start, SentBefore: end}))
}

func (p playbookTwilio) ListCalls(ctx context.Context, account string, start, end time.Time) ([]atoguard.Call, error) {
	return twilio.Collect(p.c.ListCalls(ctx, account, twilio.CallFilter{StartedAfter: start, StartedBefore: end}))
}

func (p playbookTwilio) ListDailyUsage(ctx context.Context, account, category string, start, end time.Time) ([]atoguard.UsageRecord, error) {
	no := false
	return twilio.Collect(p.c.ListUsageRecords(ctx, account, twilio.UsageFilter{Period: "Daily", Category: category, Start: start, End: end, IncludeSubaccounts: &no}))
}

func (p playbookTwilio) ListEvents(ctx context.Context, start, end time.Time) ([]atoguard.Event, error) {
	return twilio.Collect(p.c.ListEvents(ctx, twilio.EventFilter{Start: start, End: end}))
}

func (p playbookTwilio) ListSinks(ctx context.Context) ([]playbook.EventSink, error) {
	sinks, err := twilio.Collect(p.c.ListSinks(ctx))
	if err != nil {
		return nil, err
	}
	out := make([]playbook.EventSink, 0, len(sinks))
	for _, s := range sinks {
		out = append(out, playbook.EventSink{SID: s.SID, Description: s.Description, Destination: s.Destination, Status: s.Status})
	}
	return out, nil
}

func (p playbookTwilio) CreateEventSink(ctx context.Context, description, destination string) (playbook.EventSink, error) {
	s, err := p.c.CreateSink(ctx, description, destination)
	if err != nil {
		return playbook.EventSink{}, err
	}
	return playbook.EventSink{SID: s.SID, Description: s.Description, Destination: s.Destination, Status: s.Status}, nil
}

// playbookSink adapts a credential sink, translating its sentinel errors.
type playbookSink struct{ s sink.Sink }

func (p playbookSink) Kind() string     { return p.s.Kind() }
func (p playbookSink) Location() string { return p.s.Location() }

func (p playbookSink) Store(ctx context.Context, account string, token atoguard.Secret) error {
	return p.s.Store(ctx, account, token)
}

func (p playbookSink) Load(ctx context.Context, account string) (atoguard.Secret, error) {
	v, err := p.s.Load(ctx, account)
	switch {
	case errors.Is(err, sink.ErrNotStored):
		return v, playbook.ErrNotStored
	case errors.Is(err, sink.ErrNoReadBack):
		return v, playbook.ErrNoReadBack
	}
	return v, err
}
