package playbook

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/atoguard/atoguard"
)

// fakeWorld is an in-memory Twilio with the semantics the playbook relies
// on: two working tokens at most, promote kills the old primary, a parent
// reads subaccount tokens, subaccounts reach only themselves.
type fakeWorld struct {
	mu     sync.Mutex
	seq    int
	accts  map[string]*fakeAcct
	calls  int
	failOn map[string]int // method → remaining injected failures
}

type fakeAcct struct {
	info      atoguard.Account
	primary   string
	secondary string
	keys      []atoguard.APIKey
	iamOnly   []atoguard.APIKey
	triggers  []atoguard.UsageTrigger
	numbers   []atoguard.PhoneNumber
	callerIDs []atoguard.CallerID
	voice     []atoguard.VoicePermission
	sms       []atoguard.SMSPermission
	messages  []atoguard.Message
	usage     []atoguard.UsageRecord
	events    []atoguard.Event
	sinks     []EventSink
}

func (w *fakeWorld) nextSID(prefix string) string {
	w.seq++
	return fmt.Sprintf("%s%032x", prefix, w.seq)
}

func (w *fakeWorld) token() string {
	w.seq++
	return fmt.Sprintf("%032x", 0xabc000+w.seq)
}

type fakeClient struct {
	w    *fakeWorld
	cred atoguard.Credential
}

func (w *fakeWorld) client(cred atoguard.Credential) *fakeClient {
	return &fakeClient{w: w, cred: cred}
}

func (c *fakeClient) As(cred atoguard.Credential) Twilio { return &fakeClient{w: c.w, cred: cred} }

var errUnauth = &atoguard.Error{Code: atoguard.EUNAUTHORIZED, Op: "fake", Err: errors.New("20003 authenticate")}

// auth returns the account the credential authenticates, locked.
func (c *fakeClient) auth(method string) (*fakeAcct, error) {
	c.w.mu.Lock()
	c.w.calls++
	if n := c.w.failOn[method]; n > 0 {
		c.w.failOn[method] = n - 1
		c.w.mu.Unlock()
		return nil, &atoguard.Error{Code: atoguard.EUNAVAILABLE, Op: method, Err: errors.New("injected 503")}
	}
	a := c.w.accts[c.cred.AccountSID]
	tok := c.cred.Secret.Reveal()
	if a == nil || tok == "" || (tok != a.primary && tok != a.secondary) || a.info.Status == "suspended" {
		c.w.mu.Unlock()
		return nil, errUnauth
	}
	return a, nil
}

// target returns account sid as reached by the caller (self or its subaccount).
func (c *fakeClient) target(self *fakeAcct, sid string) (*fakeAcct, error) {
	if sid == self.info.SID {
		return self, nil
	}
	t := c.w.accts[sid]
	if t == nil || t.info.OwnerSID != self.info.SID {
		return nil, &atoguard.Error{Code: atoguard.ENOTFOUND, Op: "fake", Err: errors.New("20404")}
	}
	return t, nil
}

func notFound() error {
	return &atoguard.Error{Code: atoguard.ENOTFOUND, Op: "fake", Err: errors.New("20404")}
}

func (c *fakeClient) FetchAccount(_ context.Context, sid string) (atoguard.Account, error) {
	a, err := c.auth("FetchAccount")
	if err != nil {
		return atoguard.Account{}, err
	}
	defer c.w.mu.Unlock()
	t, err := c.target(a, sid)
	if err != nil {
		return atoguard.Account{}, err
	}
	return t.info, nil
}

func (c *fakeClient) ListAccounts(context.Context) ([]atoguard.Account, error) {
	a, err := c.auth("ListAccounts")
	if err != nil {
		return nil, err
	}
	defer c.w.mu.Unlock()
	out := []atoguard.Account{a.info}
	for _, x := range c.w.accts {
		if x.info.OwnerSID == a.info.SID && x.info.SID != a.info.SID {
			out = append(out, x.info)
		}
	}
	return out, nil
}

func (c *fakeClient) SubaccountAuthToken(_ context.Context, sid string) (atoguard.Secret, error) {
	a, err := c.auth("SubaccountAuthToken")
	if err != nil {
		return atoguard.Secret{}, err
	}
	defer c.w.mu.Unlock()
	t, err := c.target(a, sid)
	if err != nil {
		return atoguard.Secret{}, err
	}
	return atoguard.NewSecret(t.primary), nil
}

func (c *fakeClient) UpdateAccountStatus(_ context.Context, sid, status string) error {
	a, err := c.auth("UpdateAccountStatus")
	if err != nil {
		return err
	}
	defer c.w.mu.Unlock()
	t, err := c.target(a, sid)
	if err != nil {
		return err
	}
	t.info.Status = status
	return nil
}

func (c *fakeClient) CreateSecondaryAuthToken(context.Context) (atoguard.Secret, error) {
	a, err := c.auth("CreateSecondaryAuthToken")
	if err != nil {
		return atoguard.Secret{}, err
	}
	defer c.w.mu.Unlock()
	a.secondary = c.w.token()
	return atoguard.NewSecret(a.secondary), nil
}

func (c *fakeClient) DeleteSecondaryAuthToken(context.Context) error {
	a, err := c.auth("DeleteSecondaryAuthToken")
	if err != nil {
		return err
	}
	defer c.w.mu.Unlock()
	if a.secondary == "" {
		return notFound()
	}
	a.secondary = ""
	return nil
}

func (c *fakeClient) PromoteSecondaryAuthToken(context.Context) error {
	a, err := c.auth("PromoteSecondaryAuthToken")
	if err != nil {
		return err
	}
	defer c.w.mu.Unlock()
	if a.secondary == "" {
		return notFound()
	}
	a.primary, a.secondary = a.secondary, ""
	return nil
}

func (c *fakeClient) ListKeys(_ context.Context, sid string) ([]atoguard.APIKey, error) {
	a, err := c.auth("ListKeys")
	if err != nil {
		return nil, err
	}
	defer c.w.mu.Unlock()
	t, err := c.target(a, sid)
	if err != nil {
		return nil, err
	}
	return append([]atoguard.APIKey(nil), t.keys...), nil
}

func (c *fakeClient) ListIAMKeys(_ context.Context, sid string) ([]atoguard.APIKey, error) {
	a, err := c.auth("ListIAMKeys")
	if err != nil {
		return nil, err
	}
	defer c.w.mu.Unlock()
	t, err := c.target(a, sid)
	if err != nil {
		return nil, err
	}
	return append(append([]atoguard.APIKey(nil), t.keys...), t.iamOnly...), nil
}

func delKey(list []atoguard.APIKey, sid string) ([]atoguard.APIKey, bool) {
	for i, k := range list {
		if k.SID == sid {
			return append(list[:i:i], list[i+1:]...), true
		}
	}
	return list, false
}

func (c *fakeClient) DeleteKey(_ context.Context, acct, sid string) error {
	a, err := c.auth("DeleteKey")
	if err != nil {
		return err
	}
	defer c.w.mu.Unlock()
	t, err := c.target(a, acct)
	if err != nil {
		return err
	}
	var ok bool
	if t.keys, ok = delKey(t.keys, sid); !ok {
		return notFound()
	}
	return nil
}

func (c *fakeClient) DeleteIAMKey(_ context.Context, sid string) error {
	a, err := c.auth("DeleteIAMKey")
	if err != nil {
		return err
	}
	defer c.w.mu.Unlock()
	var ok1, ok2 bool
	a.keys, ok1 = delKey(a.keys, sid)
	a.iamOnly, ok2 = delKey(a.iamOnly, sid)
	if !ok1 && !ok2 {
		return notFound()
	}
	return nil
}

func (c *fakeClient) ListUsageTriggers(_ context.Context, acct string) ([]atoguard.UsageTrigger, error) {
	a, err := c.auth("ListUsageTriggers")
	if err != nil {
		return nil, err
	}
	defer c.w.mu.Unlock()
	t, err := c.target(a, acct)
	if err != nil {
		return nil, err
	}
	return append([]atoguard.UsageTrigger(nil), t.triggers...), nil
}

func (c *fakeClient) CreateUsageTrigger(_ context.Context, acct string, tr atoguard.UsageTrigger) (atoguard.UsageTrigger, error) {
	a, err := c.auth("CreateUsageTrigger")
	if err != nil {
		return tr, err
	}
	defer c.w.mu.Unlock()
	t, err := c.target(a, acct)
	if err != nil {
		return tr, err
	}
	tr.SID = c.w.nextSID("UT")
	tr.AccountSID = acct
	t.triggers = append(t.triggers, tr)
	return tr, nil
}

func (c *fakeClient) DeleteUsageTrigger(_ context.Context, acct, sid string) error {
	a, err := c.auth("DeleteUsageTrigger")
	if err != nil {
		return err
	}
	defer c.w.mu.Unlock()
	t, err := c.target(a, acct)
	if err != nil {
		return err
	}
	for i, x := range t.triggers {
		if x.SID == sid {
			t.triggers = append(t.triggers[:i:i], t.triggers[i+1:]...)
			return nil
		}
	}
	return notFound()
}

func (c *fakeClient) ListIncomingPhoneNumbers(_ context.Context, acct string) ([]atoguard.PhoneNumber, error) {
	a, err := c.auth("ListIncomingPhoneNumbers")
	if err != nil {
		return nil, err
	}
	defer c.w.mu.Unlock()
	t, err := c.target(a, acct)
	if err != nil {
		return nil, err
	}
	out := make([]atoguard.PhoneNumber, len(t.numbers))
	for i, n := range t.numbers {
		n.Webhooks = copyHooks(n.Webhooks)
		out[i] = n
	}
	return out, nil
}

func copyHooks(w atoguard.Webhooks) atoguard.Webhooks {
	out := atoguard.Webhooks{}
	for k, v := range w {
		out[k] = v
	}
	return out
}

func (c *fakeClient) UpdateIncomingPhoneNumber(_ context.Context, acct, sid string, w atoguard.Webhooks) error {
	a, err := c.auth("UpdateIncomingPhoneNumber")
	if err != nil {
		return err
	}
	defer c.w.mu.Unlock()
	t, err := c.target(a, acct)
	if err != nil {
		return err
	}
	for i := range t.numbers {
		if t.numbers[i].SID == sid {
			for k, v := range w {
				t.numbers[i].Webhooks[k] = v
			}
			return nil
		}
	}
	return notFound()
}

func (c *fakeClient) ListApplications(context.Context, string) ([]atoguard.Application, error) {
	if _, err := c.auth("ListApplications"); err != nil {
		return nil, err
	}
	c.w.mu.Unlock()
	return nil, nil
}

func (c *fakeClient) UpdateApplication(context.Context, string, string, atoguard.Webhooks) error {
	return notFound()
}

func (c *fakeClient) ListMessagingServices(context.Context) ([]atoguard.MessagingService, error) {
	if _, err := c.auth("ListMessagingServices"); err != nil {
		return nil, err
	}
	c.w.mu.Unlock()
	return nil, nil
}

func (c *fakeClient) UpdateMessagingService(context.Context, string, atoguard.Webhooks) error {
	return notFound()
}

func (c *fakeClient) ListCallerIDs(_ context.Context, acct string) ([]atoguard.CallerID, error) {
	a, err := c.auth("ListCallerIDs")
	if err != nil {
		return nil, err
	}
	defer c.w.mu.Unlock()
	t, err := c.target(a, acct)
	if err != nil {
		return nil, err
	}
	return append([]atoguard.CallerID(nil), t.callerIDs...), nil
}

func (c *fakeClient) DeleteCallerID(_ context.Context, acct, sid string) error {
	a, err := c.auth("DeleteCallerID")
	if err != nil {
		return err
	}
	defer c.w.mu.Unlock()
	t, err := c.target(a, acct)
	if err != nil {
		return err
	}
	for i, x := range t.callerIDs {
		if x.SID == sid {
			t.callerIDs = append(t.callerIDs[:i:i], t.callerIDs[i+1:]...)
			return nil
		}
	}
	return notFound()
}

func (c *fakeClient) ListVoiceCountries(context.Context) ([]atoguard.VoicePermission, error) {
	a, err := c.auth("ListVoiceCountries")
	if err != nil {
		return nil, err
	}
	defer c.w.mu.Unlock()
	return append([]atoguard.VoicePermission(nil), a.voice...), nil
}

func (c *fakeClient) BulkUpdateVoiceCountries(_ context.Context, ps []atoguard.VoicePermission) error {
	a, err := c.auth("BulkUpdateVoiceCountries")
	if err != nil {
		return err
	}
	defer c.w.mu.Unlock()
	for _, p := range ps {
		for i := range a.voice {
			if a.voice[i].ISOCode == p.ISOCode {
				a.voice[i].LowRiskEnabled, a.voice[i].HighRiskSpecialEnabled, a.voice[i].HighRiskTollFraud = p.LowRiskEnabled, p.HighRiskSpecialEnabled, p.HighRiskTollFraud
			}
		}
	}
	return nil
}

func (c *fakeClient) ListSMSPermissions(context.Context) ([]atoguard.SMSPermission, error) {
	a, err := c.auth("ListSMSPermissions")
	if err != nil {
		return nil, err
	}
	defer c.w.mu.Unlock()
	out := append([]atoguard.SMSPermission(nil), a.sms...)
	for i := range out {
		out[i].HighRisk = false // like Twilio: the list does not say which need the Console
	}
	return out, nil
}

func (c *fakeClient) UpdateSMSPermissions(_ context.Context, ps []atoguard.SMSPermission) ([]SMSResult, error) {
	a, err := c.auth("UpdateSMSPermissions")
	if err != nil {
		return nil, err
	}
	defer c.w.mu.Unlock()
	var res []SMSResult
	for _, p := range ps {
		for i := range a.sms {
			if a.sms[i].CountryCode != p.CountryCode {
				continue
			}
			if a.sms[i].HighRisk {
				res = append(res, SMSResult{CountryCode: p.CountryCode, ErrorCode: 30649, Message: "High risk country permission cannot be updated"})
				continue
			}
			a.sms[i].Enabled = p.Enabled
			res = append(res, SMSResult{CountryCode: p.CountryCode})
		}
	}
	return res, nil
}

func (c *fakeClient) ListMessages(_ context.Context, acct string, start, end time.Time) ([]atoguard.Message, error) {
	a, err := c.auth("ListMessages")
	if err != nil {
		return nil, err
	}
	defer c.w.mu.Unlock()
	t, err := c.target(a, acct)
	if err != nil {
		return nil, err
	}
	var out []atoguard.Message
	for _, m := range t.messages {
		if !m.DateCreated.Before(start) && m.DateCreated.Before(end) {
			out = append(out, m)
		}
	}
	return out, nil
}

func (c *fakeClient) ListCalls(context.Context, string, time.Time, time.Time) ([]atoguard.Call, error) {
	if _, err := c.auth("ListCalls"); err != nil {
		return nil, err
	}
	c.w.mu.Unlock()
	return nil, nil
}

func (c *fakeClient) ListDailyUsage(_ context.Context, acct, cat string, start, end time.Time) ([]atoguard.UsageRecord, error) {
	a, err := c.auth("ListDailyUsage")
	if err != nil {
		return nil, err
	}
	defer c.w.mu.Unlock()
	t, err := c.target(a, acct)
	if err != nil {
		return nil, err
	}
	var out []atoguard.UsageRecord
	for _, r := range t.usage {
		if r.Category == cat && !r.StartDate.Before(start) && r.StartDate.Before(end) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (c *fakeClient) ListEvents(_ context.Context, start, end time.Time) ([]atoguard.Event, error) {
	a, err := c.auth("ListEvents")
	if err != nil {
		return nil, err
	}
	defer c.w.mu.Unlock()
	var out []atoguard.Event
	for _, e := range a.events {
		if !e.EventDate.Before(start) && e.EventDate.Before(end) {
			out = append(out, e)
		}
	}
	return out, nil
}

func (c *fakeClient) ListSinks(context.Context) ([]EventSink, error) {
	a, err := c.auth("ListSinks")
	if err != nil {
		return nil, err
	}
	defer c.w.mu.Unlock()
	return append([]EventSink(nil), a.sinks...), nil
}

func (c *fakeClient) CreateEventSink(_ context.Context, desc, dest string) (EventSink, error) {
	a, err := c.auth("CreateEventSink")
	if err != nil {
		return EventSink{}, err
	}
	defer c.w.mu.Unlock()
	s := EventSink{SID: c.w.nextSID("DG"), Description: desc, Destination: dest, Status: "initialized"}
	a.sinks = append(a.sinks, s)
	return s, nil
}

// memSink is a credential sink in memory; failStore makes Store fail.
type memSink struct {
	mu        sync.Mutex
	m         map[string]string
	failStore bool
}

func (s *memSink) Kind() string     { return "mem" }
func (s *memSink) Location() string { return "memory" }
func (s *memSink) Store(_ context.Context, acct string, t atoguard.Secret) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failStore {
		return errors.New("disk full")
	}
	if s.m == nil {
		s.m = map[string]string{}
	}
	s.m[acct] = t.Reveal()
	return nil
}
func (s *memSink) Load(_ context.Context, acct string) (atoguard.Secret, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[acct]
	if !ok {
		return atoguard.Secret{}, ErrNotStored
	}
	return atoguard.NewSecret(v), nil
}

// newFakeWorld builds a main account with subs subaccounts, each attacked:
// an attacker key, wide geo permissions, a hijacked webhook, a caller ID
// added after the incident, baseline traffic to the US and GB.
func newFakeWorld(subs int, now time.Time) (*fakeWorld, atoguard.Credential) {
	w := &fakeWorld{accts: map[string]*fakeAcct{}, failOn: map[string]int{}}
	incident := now.Add(-2 * 24 * time.Hour)
	mainSID := w.nextSID("AC")
	mk := func(sid, owner string) *fakeAcct {
		a := &fakeAcct{info: atoguard.Account{SID: sid, OwnerSID: owner, FriendlyName: "acct " + sid[:8], Status: "active", Type: "Full"}, primary: w.token()}
		a.keys = []atoguard.APIKey{{SID: w.nextSID("SK"), AccountSID: sid, FriendlyName: "attacker", DateCreated: incident.Add(time.Hour)}}
		a.iamOnly = []atoguard.APIKey{{SID: w.nextSID("SK"), AccountSID: sid, FriendlyName: "restricted", DateCreated: incident.Add(-90 * 24 * time.Hour)}}
		for _, cc := range []string{"US", "GB", "NG", "LV", "CU"} {
			a.voice = append(a.voice, atoguard.VoicePermission{ISOCode: cc, Name: cc, LowRiskEnabled: true, HighRiskSpecialEnabled: cc == "LV", HighRiskTollFraud: cc == "LV"})
			a.sms = append(a.sms, atoguard.SMSPermission{CountryCode: cc, Enabled: cc != "CU", HighRisk: cc == "NG"})
		}
		pn := w.nextSID("PN")
		a.numbers = []atoguard.PhoneNumber{{SID: pn, AccountSID: sid, PhoneNumber: "+14155550100", Webhooks: atoguard.Webhooks{"voice_url": "https://evil.example/voice", "sms_url": "https://app.example.com/sms", "voice_method": "POST"}}}
		a.events = []atoguard.Event{{SID: w.nextSID("AE"), AccountSID: sid, EventType: "phone-number.updated", ResourceSID: pn, EventDate: incident.Add(2 * time.Hour),
			ActorSID: "US" + strings.Repeat("a", 32), Data: map[string]any{"voice_url": map[string]any{"previous": "https://app.example.com/voice", "updated": "https://evil.example/voice"}}}}
		a.callerIDs = []atoguard.CallerID{
			{SID: w.nextSID("PN"), AccountSID: sid, PhoneNumber: "+14155550111", DateCreated: incident.Add(-100 * 24 * time.Hour)},
			{SID: w.nextSID("PN"), AccountSID: sid, PhoneNumber: "+37120000000", DateCreated: incident.Add(3 * time.Hour)},
		}
		for d := 1; d <= 20; d++ {
			day := incident.Add(-time.Duration(d) * 24 * time.Hour).Truncate(24 * time.Hour)
			a.usage = append(a.usage,
				atoguard.UsageRecord{AccountSID: sid, Category: "totalprice", StartDate: day, Price: float64(d)},
				atoguard.UsageRecord{AccountSID: sid, Category: "sms", StartDate: day, Count: float64(10 * d)},
				atoguard.UsageRecord{AccountSID: sid, Category: "calls", StartDate: day, Count: float64(d)})
			to := "+14155550123"
			if d%3 == 0 {
				to = "+447400123456"
			}
			a.messages = append(a.messages, atoguard.Message{SID: w.nextSID("SM"), AccountSID: sid, To: to, Direction: "outbound-api", DateCreated: day.Add(time.Hour)})
		}
		w.accts[sid] = a
		return a
	}
	m := mk(mainSID, mainSID)
	for range subs {
		mk(w.nextSID("AC"), mainSID)
	}
	return w, atoguard.Credential{AccountSID: mainSID, Secret: atoguard.NewSecret(m.primary)}
}
