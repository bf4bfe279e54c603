package playbook

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/credstore"
	"github.com/atoguard/atoguard/twilio/emulator"
)

var testNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

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

func TestApplyContainsAndSecondApplyChangesNothing(t *testing.T) {
	fx := newWorld(t)
	res := fx.apply(t, fx.opts())
	if len(res.Failures) != 0 {
		t.Errorf("failures: %+v", res.Failures)
	}
	if len(res.Credentials) != len(fx.w.Accounts) {
		t.Errorf("credential records = %d, want %d", len(res.Credentials), len(fx.w.Accounts))
	}
	// The allowlist defaults to the countries of the baseline traffic.
	allow := res.Targets.AllowCountries
	if len(allow) == 0 || res.Targets.AllowCountriesSource == "" {
		t.Fatalf("allowlist %v from %q", allow, res.Targets.AllowCountriesSource)
	}
	fx.assertContained(t, allow)

	// The configured token is dead now; a second run finds the new one in
	// the store and has nothing left to change.
	res2 := fx.apply(t, fx.opts())
	if n := res2.Changed(); n != 0 {
		for _, a := range res2.Actions {
			if a.Status == atoguard.ActionDone {
				t.Logf("changed: %+v", a)
			}
		}
		t.Fatalf("second apply changed %d things", n)
	}
	fx.assertContained(t, allow)
}

func TestPlanIsReadOnly(t *testing.T) {
	fx := newWorld(t)
	main := fx.main()
	keys := len(fx.keys(main.SID))
	p, err := MakePlan(context.Background(), fx.dial(), fx.opts())
	if err != nil {
		t.Fatal(err)
	}
	if !fx.works(main.SID, main.AuthToken) || len(fx.keys(main.SID)) != keys {
		t.Fatal("plan changed the account")
	}
	if _, err := fx.store.Load(context.Background(), main.SID); !errors.Is(err, atoguard.ErrNotStored) {
		t.Fatalf("plan wrote the credential store: %v", err)
	}
	if len(fx.journal.Records()) != 0 {
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
	// Caller IDs: the attacked world has none to remove (covered by
	// internal/cli's TestRespondCallerIDsAndAttackerSubaccount).
	for _, s := range []string{StepRotateTokens, StepDeleteKeys, StepGeoPermissions, StepUsageTriggers, StepWebhooks} {
		if steps[s] == 0 {
			t.Errorf("plan has no %s action: %v", s, steps)
		}
	}
	if len(p.Checklist) < 7 {
		t.Errorf("checklist has %d items", len(p.Checklist))
	}
}

// TestStoreFailureNeverPromotes: a credential store that cannot write (here
// a path under a regular file) stops the rotation before the promotion, so
// the old token keeps working and nothing is lost.
func TestStoreFailureNeverPromotes(t *testing.T) {
	fx := newWorld(t)
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	o := fx.opts()
	o.Store = &credstore.File{Path: filepath.Join(notDir, "creds.json")}
	o.Only = []string{StepRotateTokens}
	if _, err := Apply(context.Background(), fx.dial(), o); err == nil {
		t.Fatal("apply succeeded with a failing store")
	}
	for _, a := range fx.w.Accounts {
		if !fx.works(a.SID, a.AuthToken) {
			t.Errorf("%s: promoted although the new token could not be stored", a.SID)
		}
	}
}

func TestResumeAfterStopAtEveryJournalRecord(t *testing.T) {
	only := []string{StepRotateTokens, StepDeleteKeys}
	w := attacked(t)
	// Count the records of a full run first.
	fx := serve(t, w)
	o := fx.opts()
	o.Only = only
	fx.apply(t, o)
	total := len(fx.journal.Records())
	for n := 1; n < total; n++ {
		fx := serve(t, w)
		o := fx.opts()
		o.Only = only
		ctx, cancel := context.WithCancel(context.Background())
		var stopped atomic.Bool
		o.AfterJournal = func(k int) {
			if k == n {
				stopped.Store(true)
				cancel()
			}
		}
		// Every call after the stop fails like a dead process would.
		o.Store = &gateStore{CredentialStore: fx.store, stopped: &stopped}
		_, _ = Apply(ctx, gateDial(fx.dial(), &stopped), o)
		cancel()
		fx.assertStoredWorking(t, n)

		// Resume with the configured (possibly dead) credential.
		o2 := fx.opts()
		o2.Only = only
		if _, err := Apply(context.Background(), fx.dial(), o2); err != nil {
			t.Fatalf("stop at %d: resume: %v", n, err)
		}
		for _, a := range fx.w.Accounts {
			tok, err := fx.store.Load(context.Background(), a.SID)
			if err != nil || fx.works(a.SID, a.AuthToken) || !fx.works(a.SID, tok.Reveal()) || len(fx.keys(a.SID)) > 0 {
				t.Fatalf("stop at %d: %s not contained after resume (store: %v)", n, a.SID, err)
			}
		}
	}
}

// assertStoredWorking: every account has a stored working credential — the
// store's token works, or nothing is stored yet and the original still works.
func (fx *world) assertStoredWorking(t *testing.T, n int) {
	t.Helper()
	for _, a := range fx.w.Accounts {
		tok := a.AuthToken
		if s, err := fx.store.Load(context.Background(), a.SID); err == nil {
			tok = s.Reveal()
		}
		if !fx.works(a.SID, tok) {
			t.Fatalf("stop at %d: %s has no stored working credential", n, a.SID)
		}
	}
}

// gate simulates a process that died at a chosen journal record: the
// emulator cannot stop a client mid-run, so this thin wrapper fails every
// mutating call after the stop.
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

type gateStore struct {
	atoguard.CredentialStore
	stopped *atomic.Bool
}

func (s *gateStore) Store(ctx context.Context, a string, t atoguard.Secret) error {
	if s.stopped.Load() {
		return context.Canceled
	}
	return s.CredentialStore.Store(ctx, a, t)
}

// TestTransientFailuresAreRetried: the emulator answers 503 twice to each
// kind of mutating call and to the Voice listing; with the client's own
// retries off, the engine's retries still contain every account.
func TestTransientFailuresAreRetried(t *testing.T) {
	fail := func(product, method string) emulator.FaultRule {
		return emulator.FaultRule{Product: product, Method: method, Kind: emulator.FaultStatus, Status: 503, Probability: 1, Limit: 2}
	}
	fx := newWorld(t, fail("accounts", "POST"), fail("api", "DELETE"), fail("api", "POST"), fail("voice", "GET"), fail("messaging", "POST"))
	fx.noClientRetries(t)
	res := fx.apply(t, fx.opts())
	fx.assertContained(t, res.Targets.AllowCountries)
}

func TestOnlySkipAndValidation(t *testing.T) {
	fx := newWorld(t)
	o := fx.opts()
	o.Only = []string{"rotate-everything"}
	if _, err := MakePlan(context.Background(), fx.dial(), o); atoguard.CodeOf(err) != atoguard.EINVALID {
		t.Fatalf("unknown step: err = %v", err)
	}
	main := fx.main()
	keep := fx.keys(main.SID)[0].SID
	o = fx.opts()
	o.Skip = []string{StepRotateTokens}
	o.KeepKeys = []string{keep}
	fx.apply(t, o)
	if !fx.works(main.SID, main.AuthToken) {
		t.Error("rotated although skipped")
	}
	if k := fx.keys(main.SID); len(k) != 1 || k[0].SID != keep {
		t.Errorf("keep-keys: keys left %+v, want only %s", k, keep)
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
	fx := newWorld(t)
	o := fx.opts()
	o.Credential.Secret = atoguard.NewSecret(strings.Repeat("0", 32))
	_, err := MakePlan(context.Background(), fx.dial(), o)
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
// account sent to in its baseline is refused (EINVALID, naming the accounts
// and their countries) unless ForceCountries; one that keeps at least one of
// them is accepted; baseline traffic that cannot be read refuses the plan
// rather than passing as "no traffic". Before the fix an allowlist of other
// countries planned to switch the baseline's off.
func TestAllowCountriesLockout(t *testing.T) {
	fx := newWorld(t)
	ctx := context.Background()
	p, err := MakePlan(ctx, fx.dial(), fx.opts())
	if err != nil {
		t.Fatal(err)
	}
	baseline := p.Targets.AllowCountries // the countries the accounts sent to
	if len(baseline) == 0 || slices.Contains(baseline, "MX") {
		t.Fatalf("baseline countries %v", baseline)
	}
	o := fx.opts()
	o.AllowCountries = []string{"MX"}
	_, err = MakePlan(ctx, fx.dial(), o)
	if atoguard.CodeOf(err) != atoguard.EINVALID || !strings.Contains(err.Error(), "--force-countries") ||
		!strings.Contains(err.Error(), fx.cred.AccountSID+" (") {
		t.Fatalf("err = %v", err)
	}
	o.ForceCountries = true
	if p, err := MakePlan(ctx, fx.dial(), o); err != nil || strings.Join(p.Targets.AllowCountries, ",") != "MX" {
		t.Fatalf("forced: %v", err)
	}
	o.ForceCountries = false
	o.AllowCountries = append([]string{"MX"}, baseline...)
	if _, err := MakePlan(ctx, fx.dial(), o); err != nil {
		t.Fatalf("an allowlist keeping the baseline: %v", err)
	}
	o.Only = []string{StepDeleteKeys} // no geo step: nothing to check
	o.AllowCountries = []string{"MX"}
	if _, err := MakePlan(ctx, fx.dial(), o); err != nil {
		t.Fatalf("without the geo step: %v", err)
	}
	o.Only = nil
	if err := fx.e.SetFaults([]emulator.FaultRule{{Product: "api", Path: "/2010-04-01/Accounts/*/Messages.json", Kind: emulator.FaultStatus, Status: 503, Probability: 1}}); err != nil {
		t.Fatal(err)
	}
	if _, err := MakePlan(ctx, fx.dial(), o); err == nil || !strings.Contains(err.Error(), "baseline traffic") {
		t.Fatalf("unreadable traffic: err = %v", err)
	}
}
