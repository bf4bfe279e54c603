package playbook

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
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
	sinks     []atoguard.EventSink
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

func (c *fakeClient) As(cred atoguard.Credential) *fakeClient { return &fakeClient{w: c.w, cred: cred} }

// dial is how the engine reaches the fake world.
func (w *fakeWorld) dial() Dial { return DialAs(w.client(atoguard.Credential{})) }

// seq turns a fake's slice answer into a listing.
func seq[T any](v []T, err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		if err != nil {
			var zero T
			yield(zero, err)
			return
		}
		for _, x := range v {
			if !yield(x, nil) {
				return
			}
		}
	}
}

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
		return nil, notFound()
	}
	return t, nil
}

func notFound() error {
	return &atoguard.Error{Code: atoguard.ENOTFOUND, Op: "fake", Err: errors.New("20404")}
}

// Every fake call has the same frame: authenticate (counting the call and
// taking any injected failure), then work under the world's lock. onSelf
// works on the caller's own account, onAcct on an account it reaches.

func onSelf[T any](c *fakeClient, method string, f func(self *fakeAcct) (T, error)) (T, error) {
	a, err := c.auth(method)
	if err != nil {
		var zero T
		return zero, err
	}
	defer c.w.mu.Unlock()
	return f(a)
}

func onAcct[T any](c *fakeClient, method, sid string, f func(t *fakeAcct) (T, error)) (T, error) {
	return onSelf(c, method, func(self *fakeAcct) (T, error) {
		t, err := c.target(self, sid)
		if err != nil {
			var zero T
			return zero, err
		}
		return f(t)
	})
}

// doSelf and doAcct are onSelf and onAcct for calls that return only an error.
func (c *fakeClient) doSelf(method string, f func(self *fakeAcct) error) error {
	_, err := onSelf(c, method, func(a *fakeAcct) (struct{}, error) { return struct{}{}, f(a) })
	return err
}

func (c *fakeClient) doAcct(method, sid string, f func(t *fakeAcct) error) error {
	_, err := onAcct(c, method, sid, func(t *fakeAcct) (struct{}, error) { return struct{}{}, f(t) })
	return err
}

// none is the answer of calls the fake does not model: an empty list.
func none[T any](*fakeAcct) (T, error) {
	var zero T
	return zero, nil
}

// removeSID removes the element of *list whose SID (by sidOf) is sid, in a
// new slice so a list handed out earlier stays as it was; ENOTFOUND if none.
func removeSID[T any](list *[]T, sid string, sidOf func(T) string) error {
	i := slices.IndexFunc(*list, func(x T) bool { return sidOf(x) == sid })
	if i < 0 {
		return notFound()
	}
	*list = append((*list)[:i:i], (*list)[i+1:]...)
	return nil
}

func keySID(k atoguard.APIKey) string { return k.SID }

// within returns the elements of list whose time (by at) is in [start, end).
func within[T any](list []T, start, end time.Time, at func(T) time.Time) []T {
	var out []T
	for _, x := range list {
		if t := at(x); !t.Before(start) && t.Before(end) {
			out = append(out, x)
		}
	}
	return out
}

func (c *fakeClient) FetchAccount(_ context.Context, sid string) (atoguard.Account, error) {
	return onAcct(c, "FetchAccount", sid, func(t *fakeAcct) (atoguard.Account, error) { return t.info, nil })
}

func (c *fakeClient) ListAccounts(context.Context, atoguard.AccountFilter) iter.Seq2[atoguard.Account, error] {
	return seq(onSelf(c, "ListAccounts", func(a *fakeAcct) ([]atoguard.Account, error) {
		out := []atoguard.Account{a.info}
		for _, x := range c.w.accts {
			if x.info.OwnerSID == a.info.SID && x.info.SID != a.info.SID {
				out = append(out, x.info)
			}
		}
		return out, nil
	}))
}

func (c *fakeClient) SubaccountAuthToken(_ context.Context, sid string) (atoguard.Secret, error) {
	return onAcct(c, "SubaccountAuthToken", sid, func(t *fakeAcct) (atoguard.Secret, error) {
		return atoguard.NewSecret(t.primary), nil
	})
}

func (c *fakeClient) UpdateAccountStatus(_ context.Context, sid, status string) (atoguard.Account, error) {
	var zero atoguard.Account
	return zero, func() error {
		return c.doAcct("UpdateAccountStatus", sid, func(t *fakeAcct) error {
			t.info.Status = status
			return nil
		})
	}()
}

func (c *fakeClient) CreateSecondaryAuthToken(context.Context) (atoguard.Secret, error) {
	return onSelf(c, "CreateSecondaryAuthToken", func(a *fakeAcct) (atoguard.Secret, error) {
		a.secondary = c.w.token()
		return atoguard.NewSecret(a.secondary), nil
	})
}

func (c *fakeClient) DeleteSecondaryAuthToken(context.Context) error {
	return c.doSelf("DeleteSecondaryAuthToken", func(a *fakeAcct) error {
		if a.secondary == "" {
			return notFound()
		}
		a.secondary = ""
		return nil
	})
}

func (c *fakeClient) PromoteSecondaryAuthToken(context.Context) error {
	return c.doSelf("PromoteSecondaryAuthToken", func(a *fakeAcct) error {
		if a.secondary == "" {
			return notFound()
		}
		a.primary, a.secondary = a.secondary, ""
		return nil
	})
}

func (c *fakeClient) ListKeys(_ context.Context, sid string) iter.Seq2[atoguard.APIKey, error] {
	return seq(onAcct(c, "ListKeys", sid, func(t *fakeAcct) ([]atoguard.APIKey, error) {
		return slices.Clone(t.keys), nil
	}))
}

func (c *fakeClient) ListIAMKeys(_ context.Context, sid string) iter.Seq2[atoguard.APIKey, error] {
	return seq(onAcct(c, "ListIAMKeys", sid, func(t *fakeAcct) ([]atoguard.APIKey, error) {
		return slices.Concat(t.keys, t.iamOnly), nil
	}))
}

func (c *fakeClient) DeleteKey(_ context.Context, acct, sid string) error {
	return c.doAcct("DeleteKey", acct, func(t *fakeAcct) error {
		return removeSID(&t.keys, sid, keySID)
	})
}

func (c *fakeClient) DeleteIAMKey(_ context.Context, sid string) error {
	return c.doSelf("DeleteIAMKey", func(a *fakeAcct) error {
		// an IAM key may be in either list; it is missing only if in neither
		err1 := removeSID(&a.keys, sid, keySID)
		if err2 := removeSID(&a.iamOnly, sid, keySID); err1 != nil && err2 != nil {
			return err1
		}
		return nil
	})
}

func (c *fakeClient) ListUsageTriggers(_ context.Context, acct string) iter.Seq2[atoguard.UsageTrigger, error] {
	return seq(onAcct(c, "ListUsageTriggers", acct, func(t *fakeAcct) ([]atoguard.UsageTrigger, error) {
		return slices.Clone(t.triggers), nil
	}))
}

func (c *fakeClient) CreateUsageTrigger(_ context.Context, acct string, tr atoguard.UsageTrigger) (atoguard.UsageTrigger, error) {
	return onAcct(c, "CreateUsageTrigger", acct, func(t *fakeAcct) (atoguard.UsageTrigger, error) {
		tr.SID = c.w.nextSID("UT")
		tr.AccountSID = acct
		t.triggers = append(t.triggers, tr)
		return tr, nil
	})
}

func (c *fakeClient) DeleteUsageTrigger(_ context.Context, acct, sid string) error {
	return c.doAcct("DeleteUsageTrigger", acct, func(t *fakeAcct) error {
		return removeSID(&t.triggers, sid, func(x atoguard.UsageTrigger) string { return x.SID })
	})
}

func (c *fakeClient) ListIncomingPhoneNumbers(_ context.Context, acct string) iter.Seq2[atoguard.PhoneNumber, error] {
	return seq(onAcct(c, "ListIncomingPhoneNumbers", acct, func(t *fakeAcct) ([]atoguard.PhoneNumber, error) {
		out := make([]atoguard.PhoneNumber, len(t.numbers))
		for i, n := range t.numbers {
			n.Webhooks = maps.Clone(n.Webhooks)
			out[i] = n
		}
		return out, nil
	}))
}

func (c *fakeClient) UpdateIncomingPhoneNumber(_ context.Context, acct, sid string, w atoguard.Webhooks) (atoguard.PhoneNumber, error) {
	var zero atoguard.PhoneNumber
	return zero, func() error {
		return c.doAcct("UpdateIncomingPhoneNumber", acct, func(t *fakeAcct) error {
			i := slices.IndexFunc(t.numbers, func(n atoguard.PhoneNumber) bool { return n.SID == sid })
			if i < 0 {
				return notFound()
			}
			maps.Copy(t.numbers[i].Webhooks, w)
			return nil
		})
	}()
}

func (c *fakeClient) ListApplications(context.Context, string) iter.Seq2[atoguard.Application, error] {
	return seq(onSelf(c, "ListApplications", none[[]atoguard.Application]))
}

func (c *fakeClient) UpdateApplication(context.Context, string, string, atoguard.Webhooks) (atoguard.Application, error) {
	var zero atoguard.Application
	return zero, func() error {
		return notFound()
	}()
}

func (c *fakeClient) ListMessagingServices(context.Context) iter.Seq2[atoguard.MessagingService, error] {
	return seq(onSelf(c, "ListMessagingServices", none[[]atoguard.MessagingService]))
}

func (c *fakeClient) UpdateMessagingService(context.Context, string, atoguard.Webhooks) (atoguard.MessagingService, error) {
	var zero atoguard.MessagingService
	return zero, func() error {
		return notFound()
	}()
}

func (c *fakeClient) ListCallerIDs(_ context.Context, acct string) iter.Seq2[atoguard.CallerID, error] {
	return seq(onAcct(c, "ListCallerIDs", acct, func(t *fakeAcct) ([]atoguard.CallerID, error) {
		return slices.Clone(t.callerIDs), nil
	}))
}

func (c *fakeClient) DeleteCallerID(_ context.Context, acct, sid string) error {
	return c.doAcct("DeleteCallerID", acct, func(t *fakeAcct) error {
		return removeSID(&t.callerIDs, sid, func(x atoguard.CallerID) string { return x.SID })
	})
}

func (c *fakeClient) ListVoiceCountries(context.Context) iter.Seq2[atoguard.VoicePermission, error] {
	return seq(onSelf(c, "ListVoiceCountries", func(a *fakeAcct) ([]atoguard.VoicePermission, error) {
		return slices.Clone(a.voice), nil
	}))
}

func (c *fakeClient) BulkUpdateVoiceCountries(_ context.Context, ps []atoguard.VoicePermission) (int, error) {
	var zero int
	return zero, func() error {
		return c.doSelf("BulkUpdateVoiceCountries", func(a *fakeAcct) error {
			for _, p := range ps {
				for i := range a.voice {
					if a.voice[i].ISOCode == p.ISOCode {
						a.voice[i].LowRiskEnabled, a.voice[i].HighRiskSpecialEnabled, a.voice[i].HighRiskTollFraud = p.LowRiskEnabled, p.HighRiskSpecialEnabled, p.HighRiskTollFraud
					}
				}
			}
			return nil
		})
	}()
}

func (c *fakeClient) ListSMSPermissions(context.Context) ([]atoguard.SMSPermission, error) {
	return onSelf(c, "ListSMSPermissions", func(a *fakeAcct) ([]atoguard.SMSPermission, error) {
		out := slices.Clone(a.sms)
		for i := range out {
			out[i].HighRisk = false // like Twilio: the list does not say which need the Console
		}
		return out, nil
	})
}

func (c *fakeClient) UpdateSMSPermissions(_ context.Context, ps []atoguard.SMSPermission) ([]atoguard.SMSPermissionResult, error) {
	return onSelf(c, "UpdateSMSPermissions", func(a *fakeAcct) ([]atoguard.SMSPermissionResult, error) {
		var res []atoguard.SMSPermissionResult
		for _, p := range ps {
			for i := range a.sms {
				if a.sms[i].CountryCode != p.CountryCode {
					continue
				}
				if a.sms[i].HighRisk {
					res = append(res, atoguard.SMSPermissionResult{CountryCode: p.CountryCode, ErrorCode: 30649, ErrorMessages: []string{"High risk country permission cannot be updated"}})
					continue
				}
				a.sms[i].Enabled = p.Enabled
				res = append(res, atoguard.SMSPermissionResult{CountryCode: p.CountryCode})
			}
		}
		return res, nil
	})
}

func (c *fakeClient) ListMessages(_ context.Context, acct string, f atoguard.MessageFilter) iter.Seq2[atoguard.Message, error] {
	return seq(onAcct(c, "ListMessages", acct, func(t *fakeAcct) ([]atoguard.Message, error) {
		return within(t.messages, f.SentAfter, f.SentBefore, func(m atoguard.Message) time.Time { return m.DateCreated }), nil
	}))
}

func (c *fakeClient) ListCalls(context.Context, string, atoguard.CallFilter) iter.Seq2[atoguard.Call, error] {
	return seq(onSelf(c, "ListCalls", none[[]atoguard.Call]))
}

func (c *fakeClient) ListUsageRecords(_ context.Context, acct string, f atoguard.UsageFilter) iter.Seq2[atoguard.UsageRecord, error] {
	return seq(onAcct(c, "ListDailyUsage", acct, func(t *fakeAcct) ([]atoguard.UsageRecord, error) {
		out := within(t.usage, f.Start, f.End, func(r atoguard.UsageRecord) time.Time { return r.StartDate })
		// within made a new slice, so deleting from it leaves t.usage alone
		return slices.DeleteFunc(out, func(r atoguard.UsageRecord) bool { return r.Category != f.Category }), nil
	}))
}

func (c *fakeClient) ListEvents(_ context.Context, f atoguard.EventFilter) iter.Seq2[atoguard.Event, error] {
	return seq(onSelf(c, "ListEvents", func(a *fakeAcct) ([]atoguard.Event, error) {
		return within(a.events, f.Start, f.End, func(e atoguard.Event) time.Time { return e.EventDate }), nil
	}))
}

func (c *fakeClient) ListEventSinks(context.Context) iter.Seq2[atoguard.EventSink, error] {
	return seq(onSelf(c, "ListSinks", func(a *fakeAcct) ([]atoguard.EventSink, error) { return slices.Clone(a.sinks), nil }))
}

func (c *fakeClient) CreateEventSink(_ context.Context, desc, dest string) (atoguard.EventSink, error) {
	return onSelf(c, "CreateEventSink", func(a *fakeAcct) (atoguard.EventSink, error) {
		s := atoguard.EventSink{SID: c.w.nextSID("DG"), Description: desc, Destination: dest, Status: "initialized"}
		a.sinks = append(a.sinks, s)
		return s, nil
	})
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
		return atoguard.Secret{}, atoguard.ErrNotStored
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
