package playbook

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
)

var testNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

type fixture struct {
	w       *fakeWorld
	cred    atoguard.Credential
	sink    *memSink
	journal *Journal
	old     map[string]string // account → original token
}

func newFixture(t *testing.T, subs int) *fixture {
	t.Helper()
	w, cred := newFakeWorld(subs, testNow)
	j := openJournal(t, filepath.Join(t.TempDir(), "journal.jsonl"))
	t.Cleanup(func() { j.Close() })
	f := &fixture{w: w, cred: cred, sink: &memSink{}, journal: j, old: map[string]string{}}
	for sid, a := range w.accts {
		f.old[sid] = a.primary
	}
	return f
}

// apply runs Apply on the fake world, failing the test on an error.
func (f *fixture) apply(t *testing.T, o Options) *Result {
	t.Helper()
	res, err := Apply(context.Background(), f.w.dial(), o)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return res
}

// openJournal opens the journal at path, failing the test if it cannot.
func openJournal(tb testing.TB, path string) *Journal {
	tb.Helper()
	j, err := OpenJournal(path)
	if err != nil {
		tb.Fatalf("open journal %s: %v", path, err)
	}
	return j
}

func appendRecord(tb testing.TB, j *Journal, r Record) {
	tb.Helper()
	if err := j.Append(r); err != nil {
		tb.Fatalf("append %+v: %v", r, err)
	}
}

func (f *fixture) opts() Options {
	return Options{
		Credential: f.cred, Store: f.sink, Journal: f.journal,
		IncidentStart: testNow.Add(-2 * 24 * time.Hour), Now: func() time.Time { return testNow },
		Concurrency: 2, RetryBackoff: time.Millisecond,
	}
}

// assertContained checks the final state of every account.
func (f *fixture) assertContained(t *testing.T) {
	t.Helper()
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	for sid, a := range f.w.accts {
		if a.primary == f.old[sid] {
			t.Errorf("%s: token not rotated", sid)
		}
		if a.secondary != "" {
			t.Errorf("%s: a secondary token is left", sid)
		}
		if f.sink.m[sid] != a.primary {
			t.Errorf("%s: the sink does not hold the working token", sid)
		}
		if len(a.keys)+len(a.iamOnly) != 0 {
			t.Errorf("%s: keys left: %v %v", sid, a.keys, a.iamOnly)
		}
		for _, v := range a.voice {
			want := v.ISOCode == "US" || v.ISOCode == "GB"
			if v.LowRiskEnabled != want || v.HighRiskSpecialEnabled || v.HighRiskTollFraud {
				t.Errorf("%s: voice %+v", sid, v)
			}
		}
		for _, p := range a.sms {
			want := p.CountryCode == "US" || p.CountryCode == "GB"
			if p.CountryCode == "NG" { // Console only: unchanged
				want = true
			}
			if p.Enabled != want {
				t.Errorf("%s: sms %+v", sid, p)
			}
		}
		cats := map[string]int{}
		for _, tr := range a.triggers {
			if strings.HasPrefix(tr.FriendlyName, TriggerPrefix) && tr.Recurring == "daily" {
				cats[tr.UsageCategory]++
			}
		}
		if cats["totalprice"] != 1 || cats["sms"] != 1 || cats["calls"] != 1 || len(a.triggers) != 3 {
			t.Errorf("%s: triggers %+v", sid, a.triggers)
		}
		if len(a.callerIDs) != 1 || a.callerIDs[0].PhoneNumber != "+14155550111" {
			t.Errorf("%s: caller IDs %+v", sid, a.callerIDs)
		}
		if got := a.numbers[0].Webhooks["voice_url"]; got != "https://app.example.com/voice" {
			t.Errorf("%s: voice_url = %s", sid, got)
		}
	}
}

func TestApplyContainsAndSecondApplyChangesNothing(t *testing.T) {
	f := newFixture(t, 3)
	res := f.apply(t, f.opts())
	f.assertContained(t)
	if len(res.Failures) != 0 {
		t.Errorf("failures: %+v", res.Failures)
	}
	if len(res.Credentials) != 4 {
		t.Errorf("credential records = %d, want 4", len(res.Credentials))
	}
	// the triggers come from the baseline: max 20/day price × 2 headroom
	for _, tr := range f.w.accts[f.cred.AccountSID].triggers {
		if tr.UsageCategory == "totalprice" && tr.TriggerValue != 40 {
			t.Errorf("totalprice limit = %g, want 40", tr.TriggerValue)
		}
	}
	var ng bool
	for _, c := range res.Checklist {
		if c.ID == "sms-geo/"+f.cred.AccountSID+"/NG" {
			ng = true
		}
	}
	if !ng {
		t.Errorf("the Console-only NG permission is not on the checklist: %+v", res.Checklist)
	}
	if res.Targets.AllowCountries == nil || strings.Join(res.Targets.AllowCountries, ",") != "GB,US" {
		t.Errorf("allowlist = %v, want baseline GB,US", res.Targets.AllowCountries)
	}

	// The configured token is dead now; a second run finds the new one in the sink.
	res2 := f.apply(t, f.opts())
	if n := res2.Changed(); n != 0 {
		for _, a := range res2.Actions {
			if a.Status == atoguard.ActionDone {
				t.Logf("changed: %+v", a)
			}
		}
		t.Fatalf("second apply changed %d things", n)
	}
	f.assertContained(t)
}

func TestPlanIsReadOnly(t *testing.T) {
	f := newFixture(t, 1)
	before := f.w.accts[f.cred.AccountSID].primary
	p, err := MakePlan(context.Background(), f.w.dial(), f.opts())
	if err != nil {
		t.Fatal(err)
	}
	if f.w.accts[f.cred.AccountSID].primary != before || len(f.w.accts[f.cred.AccountSID].keys) != 1 || len(f.sink.m) != 0 {
		t.Fatal("plan changed state")
	}
	if len(f.journal.Records()) != 0 {
		t.Fatal("plan wrote the journal")
	}
	steps := map[string]int{}
	for _, a := range p.Accounts {
		for _, x := range a.Actions {
			if x.Status == atoguard.ActionPlanned {
				steps[x.Step]++
			}
		}
	}
	for _, s := range []string{StepRotateTokens, StepDeleteKeys, StepGeoPermissions, StepUsageTriggers, StepCallerIDs, StepWebhooks} {
		if steps[s] == 0 {
			t.Errorf("plan has no %s action: %v", s, steps)
		}
	}
	if len(p.Checklist) < 7 {
		t.Errorf("checklist has %d items", len(p.Checklist))
	}
}

func TestStoreFailureNeverPromotes(t *testing.T) {
	f := newFixture(t, 0)
	f.sink.failStore = true
	o := f.opts()
	o.Only = []string{StepRotateTokens}
	_, err := Apply(context.Background(), f.w.dial(), o)
	if err == nil {
		t.Fatal("apply succeeded with a failing sink")
	}
	a := f.w.accts[f.cred.AccountSID]
	if a.primary != f.old[f.cred.AccountSID] {
		t.Fatal("promoted although the new token could not be stored")
	}
}

func TestResumeAfterStopAtEveryJournalRecord(t *testing.T) {
	// Count the records of a full run first.
	f := newFixture(t, 1)
	o := f.opts()
	o.Only = []string{StepRotateTokens, StepDeleteKeys}
	f.apply(t, o)
	total := len(f.journal.Records())
	for n := 1; n < total; n++ {
		f := newFixture(t, 1)
		o := f.opts()
		o.Only = []string{StepRotateTokens, StepDeleteKeys}
		ctx, cancel := context.WithCancel(context.Background())
		var stopped atomic.Bool
		o.AfterJournal = func(k int) {
			if k == n {
				stopped.Store(true)
				cancel()
			}
		}
		// Every call after the stop fails like a dead process would.
		tw := gateDial(f.w.dial(), &stopped)
		sink := &gateSink{memSink: f.sink, stopped: &stopped}
		o.Store = sink
		_, _ = Apply(ctx, tw, o)
		cancel()
		f.assertStoredWorking(t, n)

		// Resume with the configured (possibly dead) credential.
		o2 := f.opts()
		o2.Only = o.Only
		if _, err := Apply(context.Background(), f.w.dial(), o2); err != nil {
			t.Fatalf("stop at %d: resume: %v", n, err)
		}
		for sid, a := range f.w.accts {
			if a.primary == f.old[sid] || f.sink.m[sid] != a.primary || len(a.keys)+len(a.iamOnly) > 0 {
				t.Fatalf("stop at %d: %s not contained after resume", n, sid)
			}
		}
	}
}

// assertStoredWorking: every account has a stored working credential — the
// sink's token works, or nothing is stored yet and the original still works.
func (f *fixture) assertStoredWorking(t *testing.T, n int) {
	t.Helper()
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	for sid, a := range f.w.accts {
		tok, ok := f.sink.m[sid]
		if !ok {
			tok = f.old[sid]
		}
		if tok != a.primary && tok != a.secondary {
			t.Fatalf("stop at %d: %s has no stored working credential", n, sid)
		}
	}
}

type gate struct {
	Twilio
	stopped *atomic.Bool
}

func gateDial(d Dial, stopped *atomic.Bool) Dial {
	return func(c atoguard.Credential) Twilio { return &gate{Twilio: d(c), stopped: stopped} }
}

func (g *gate) dead() error {
	if g.stopped.Load() {
		return context.Canceled
	}
	return nil
}

// Only the mutating calls matter for the simulation.
func (g *gate) CreateSecondaryAuthToken(ctx context.Context) (atoguard.Secret, error) {
	if err := g.dead(); err != nil {
		return atoguard.Secret{}, err
	}
	return g.Twilio.CreateSecondaryAuthToken(ctx)
}
func (g *gate) PromoteSecondaryAuthToken(ctx context.Context) error {
	if err := g.dead(); err != nil {
		return err
	}
	return g.Twilio.PromoteSecondaryAuthToken(ctx)
}
func (g *gate) DeleteKey(ctx context.Context, a, s string) error {
	if err := g.dead(); err != nil {
		return err
	}
	return g.Twilio.DeleteKey(ctx, a, s)
}
func (g *gate) DeleteIAMKey(ctx context.Context, s string) error {
	if err := g.dead(); err != nil {
		return err
	}
	return g.Twilio.DeleteIAMKey(ctx, s)
}

type gateSink struct {
	*memSink
	stopped *atomic.Bool
}

func (s *gateSink) Store(ctx context.Context, a string, t atoguard.Secret) error {
	if s.stopped.Load() {
		return context.Canceled
	}
	return s.memSink.Store(ctx, a, t)
}

func TestTransientFailuresAreRetried(t *testing.T) {
	f := newFixture(t, 1)
	for _, m := range []string{"CreateSecondaryAuthToken", "PromoteSecondaryAuthToken", "DeleteKey", "ListVoiceCountries", "CreateUsageTrigger", "UpdateSMSPermissions"} {
		f.w.failOn[m] = 2
	}
	f.apply(t, f.opts())
	f.assertContained(t)
}

func TestOnlySkipAndValidation(t *testing.T) {
	f := newFixture(t, 0)
	o := f.opts()
	o.Only = []string{"rotate-everything"}
	if _, err := MakePlan(context.Background(), f.w.dial(), o); atoguard.CodeOf(err) != atoguard.EINVALID {
		t.Fatalf("unknown step: err = %v", err)
	}
	o = f.opts()
	o.Skip = []string{StepRotateTokens}
	o.KeepKeys = []string{f.w.accts[f.cred.AccountSID].keys[0].SID}
	f.apply(t, o)
	a := f.w.accts[f.cred.AccountSID]
	if a.primary != f.old[f.cred.AccountSID] {
		t.Error("rotated although skipped")
	}
	if len(a.keys) != 1 || len(a.iamOnly) != 0 {
		t.Errorf("keep-keys: keys %v iam %v", a.keys, a.iamOnly)
	}
}

func TestJournalRepairsTornTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j := openJournal(t, path)
	for range 3 {
		appendRecord(t, j, Record{Event: EventDone, Action: atoguard.Action{ID: "x"}})
	}
	j.Close()
	fh, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	fh.WriteString(`{"seq":4,"ev`)
	fh.Close()
	j = openJournal(t, path)
	if n := len(j.Records()); n != 3 {
		t.Fatalf("records = %d, want 3", n)
	}
	appendRecord(t, j, Record{Event: EventRunEnd})
	j.Close()
	j = openJournal(t, path)
	defer j.Close()
	if r := j.Records(); len(r) != 4 || r[3].Seq != 4 || r[3].Event != EventRunEnd {
		t.Fatalf("after repair: %+v", r)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("journal mode %v", st.Mode())
	}
}

func TestJournalRejectsCorruptMiddle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	os.WriteFile(path, []byte(journalHeader+"{\"seq\":1}\nnot json\n{\"seq\":3}\n"), 0o600)
	if _, err := OpenJournal(path); err == nil {
		t.Fatal("a corrupt record in the middle was accepted")
	}
}

func TestChecklistVerifiesPasswordChanges(t *testing.T) {
	start := testNow.Add(-48 * time.Hour)
	u1, u2 := "US"+strings.Repeat("1", 32), "US"+strings.Repeat("2", 32)
	evs := []atoguard.Event{
		{SID: "AE1", EventType: "user-session.created", ActorSID: u1, EventDate: start.Add(-72 * time.Hour)},
		{SID: "AE2", EventType: "user-session.created", ActorSID: u2, EventDate: start.Add(-72 * time.Hour)},
		{SID: "AE3", EventType: "user-password.updated", ActorSID: u1, ResourceSID: u1, EventDate: start.Add(time.Hour)}, // attacker
		{SID: "AE4", EventType: "user-password.updated", ActorSID: u2, ResourceSID: u2, EventDate: start.Add(30 * time.Hour)},
	}
	tests := []struct {
		name     string
		attacker map[string]bool
		more     []atoguard.Event
		want     string
	}{
		{"attacker change does not count", map[string]bool{"AE3": true}, nil, atoguard.CheckPending},
		{"every user changed", map[string]bool{"AE3": true}, []atoguard.Event{{SID: "AE5", EventType: "user-password.updated", ActorSID: u1, ResourceSID: u1, EventDate: start.Add(40 * time.Hour)}}, atoguard.CheckVerified},
		{"before the incident does not count", nil, []atoguard.Event{{SID: "AE6", EventType: "user-password.updated", ActorSID: u1, ResourceSID: u1, EventDate: start.Add(-time.Hour)}}, atoguard.CheckVerified},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			items := Checklist("AC1", start, append(append([]atoguard.Event(nil), evs...), tc.more...), tc.attacker)
			var got atoguard.ChecklistItem
			guidance := map[int]bool{}
			for _, it := range items {
				guidance[it.Guidance] = true
				if it.ID == "passwords" {
					got = it
				}
			}
			if got.Status != tc.want {
				t.Errorf("status = %s (%s), want %s", got.Status, got.Verification, tc.want)
			}
			for _, g := range []int{1, 4, 6, 8, 10, 12, 0} {
				if !guidance[g] {
					t.Errorf("no checklist item for guidance step %d", g)
				}
			}
		})
	}
}

func TestRejectedConfiguredCredentialWithoutSinkFails(t *testing.T) {
	f := newFixture(t, 0)
	cred := f.cred
	cred.Secret = atoguard.NewSecret(strings.Repeat("0", 32))
	o := f.opts()
	o.Credential = cred
	_, err := MakePlan(context.Background(), f.w.dial(), o)
	if atoguard.CodeOf(err) != atoguard.EUNAUTHORIZED {
		t.Fatalf("err = %v", err)
	}
	if errors.Is(err, atoguard.ErrNotStored) {
		t.Fatal("wrong error")
	}
}

func TestJournalIsExclusive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j := openJournal(t, path)
	if _, err := OpenJournal(path); atoguard.CodeOf(err) != atoguard.ECONFLICT {
		t.Fatalf("second open: err = %v, want a conflict", err)
	}
	j.Close()
	openJournal(t, path).Close() // free again after close
}

func TestReadJournalIsReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j := openJournal(t, path)
	defer j.Close()
	appendRecord(t, j, Record{Event: EventRunStart, Run: "r1"})
	r, err := ReadJournal(path) // while the writer holds the lock
	if err != nil {
		t.Fatal(err)
	}
	if id, ended := r.LastRun(); id != "r1" || ended {
		t.Errorf("LastRun = %q, %v", id, ended)
	}
	if err := r.Append(Record{Event: EventRunEnd}); err == nil {
		t.Error("append on a read-only journal succeeded")
	}
	empty, err := ReadJournal(filepath.Join(t.TempDir(), "missing"))
	if err != nil || len(empty.Records()) != 0 {
		t.Errorf("missing journal: %v, %d records", err, len(empty.Records()))
	}
}

// TestOpenJournalRefusesOtherFiles: --journal pointed at a file this tool
// did not write — here files of one or two lines without a final newline,
// like minified JSON credentials, which the torn-tail repair used to cut to
// 0 bytes — is refused with a clear error, and the file keeps every byte.
// Plan and report (ReadJournal) refuse it too.
func TestOpenJournalRefusesOtherFiles(t *testing.T) {
	creds := `{"AC00000000000000000000000000000001":{"auth_token":"` + strings.Repeat("f", 32) + `","fingerprint":"abc","updated":"2024-05-01T00:00:00Z"}}`
	for name, content := range map[string]string{
		"minified JSON":               creds,
		"minified JSON with newline":  creds + "\n",
		"two lines":                   "{\"a\":1}\n{\"b\":2}",
		"two lines with newline":      "{\"a\":1}\n{\"b\":2}\n",
		"dotenv":                      "TWILIO_AUTH_TOKEN=abc",
		"looks like a record":         "{\"seq\":1,\"event\":\"run-start\",\"run\":\"r\"}\n",
		"short":                       "{",
		"header then other text":      journalHeader[:len(journalHeader)-1] + "x\n",
		"almost the header, no match": `{"atoguard":"something-else"}`,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f")
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			j, err := OpenJournal(path)
			if err == nil {
				j.Close()
				t.Fatal("opened as a journal")
			}
			if atoguard.CodeOf(err) != atoguard.EINVALID || !strings.Contains(err.Error(), "not an atoguard respond journal") {
				t.Errorf("err = %v", err)
			}
			if _, err := ReadJournal(path); err == nil {
				t.Error("ReadJournal accepted it")
			}
			after, _ := os.ReadFile(path)
			if string(after) != content {
				t.Fatalf("the file changed: %d bytes → %d", len(content), len(after))
			}
			if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
				t.Errorf("mode changed to %v", st.Mode().Perm())
			}
		})
	}
}

// TestOpenJournalStartsEmptyFiles: a new or empty file becomes a journal
// (header first), and so does one whose header write a crash cut short.
func TestOpenJournalStartsEmptyFiles(t *testing.T) {
	for name, content := range map[string]*string{"missing": nil, "empty": new(string), "torn header": ptr(journalHeader[:minTornHeader+3])} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "j")
			if content != nil {
				os.WriteFile(path, []byte(*content), 0o600)
			}
			j := openJournal(t, path)
			appendRecord(t, j, Record{Event: EventRunStart, Run: "r1"})
			j.Close()
			data, _ := os.ReadFile(path)
			if !strings.HasPrefix(string(data), journalHeader) || strings.Count(string(data), "\n") != 2 {
				t.Fatalf("journal file:\n%s", data)
			}
			r, err := ReadJournal(path)
			if err != nil || len(r.Records()) != 1 || r.Records()[0].Seq != 1 {
				t.Fatalf("read back: %v %+v", err, r)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestAllowCountriesLockout: an allowlist that turns off every country an
// account sent to in its baseline (here US and GB) is refused (EINVALID,
// naming the accounts and their countries) unless ForceCountries; one that
// keeps at least one of them is accepted; baseline traffic that cannot be
// read refuses the plan rather than passing as "no traffic". Before the fix
// --allow-countries CA planned to switch the US and GB off.
func TestAllowCountriesLockout(t *testing.T) {
	f := newFixture(t, 1)
	ctx := context.Background()
	o := f.opts()
	o.AllowCountries = []string{"CA"}
	_, err := MakePlan(ctx, f.w.dial(), o)
	if atoguard.CodeOf(err) != atoguard.EINVALID || !strings.Contains(err.Error(), "--force-countries") ||
		!strings.Contains(err.Error(), f.cred.AccountSID+" (GB, US)") {
		t.Fatalf("err = %v", err)
	}
	o.ForceCountries = true
	if p, err := MakePlan(ctx, f.w.dial(), o); err != nil || strings.Join(p.Targets.AllowCountries, ",") != "CA" {
		t.Fatalf("forced: %v", err)
	}
	o.ForceCountries = false
	o.AllowCountries = []string{"GB", "CA"}
	if _, err := MakePlan(ctx, f.w.dial(), o); err != nil {
		t.Fatalf("an allowlist keeping GB: %v", err)
	}
	o.Only = []string{StepDeleteKeys} // no geo step: nothing to check
	o.AllowCountries = []string{"CA"}
	if _, err := MakePlan(ctx, f.w.dial(), o); err != nil {
		t.Fatalf("without the geo step: %v", err)
	}
	o.Only = nil
	f.w.mu.Lock()
	f.w.failOn["ListMessages"] = 100
	f.w.mu.Unlock()
	if _, err := MakePlan(ctx, f.w.dial(), o); err == nil || !strings.Contains(err.Error(), "baseline traffic") {
		t.Fatalf("unreadable traffic: err = %v", err)
	}
}
