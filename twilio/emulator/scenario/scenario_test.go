package scenario

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var testNow = time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)

// small keeps the tests fast; the default size is covered by TestDefaultSize.
func small(seed int64) Options {
	return Options{Seed: seed, Now: testNow, Subaccounts: 3, MessagesPerDay: 80, Days: 14}
}

func build(t *testing.T, name string, o Options) *World {
	t.Helper()
	w, err := BuildWith(name, o)
	if err != nil {
		t.Fatalf("BuildWith(%s): %v", name, err)
	}
	return w
}

func TestEveryScenarioBuildsAndValidates(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			w := build(t, name, small(7))
			if err := w.Validate(); err != nil {
				t.Fatal(err)
			}
			if w.Name != name || w.Description == "" {
				t.Errorf("name %q description %q", w.Name, w.Description)
			}
			if len(w.Expect.Verdicts) == 0 {
				t.Fatal("no expected verdicts")
			}
			attack := w.Expect.Attack
			for _, v := range w.Expect.Verdicts {
				if attack && v.Rank() < atoguard.VerdictLikely.Rank() {
					t.Errorf("attack scenario allows verdict %s", v)
				}
				if !attack && v.Rank() > atoguard.VerdictSuspicious.Rank() {
					t.Errorf("benign scenario allows verdict %s", v)
				}
			}
			if attack != (len(w.Expect.Signals) > 0) {
				t.Errorf("attack=%v but signals %v", attack, w.Expect.Signals)
			}
			if attack != (w.Attacker != nil) || attack != !w.AttackStart.IsZero() {
				t.Errorf("attack=%v attacker=%v attack_start=%v", attack, w.Attacker, w.AttackStart)
			}
			if len(w.Snapshot) == 0 {
				t.Error("no known-good snapshot")
			}
			checkPermitted(t, w)
		})
	}
}

// checkPermitted: nothing was sent to a country the account's geo
// permissions do not allow (subaccounts inheriting Voice use the parent's).
func checkPermitted(t *testing.T, w *World) {
	t.Helper()
	region := map[string]string{}
	regionOfCached := func(n string) string {
		r, ok := region[n]
		if !ok {
			r = regionOf(n)
			region[n] = r
		}
		return r
	}
	for _, a := range w.Accounts {
		sms := map[string]bool{}
		for _, p := range a.SMSPermissions {
			sms[p.CountryCode] = p.Enabled
		}
		voiceFrom := &a
		if a.VoiceInheritance {
			for i := range w.Accounts {
				if w.Accounts[i].SID == a.OwnerSID {
					voiceFrom = &w.Accounts[i]
				}
			}
		}
		voice := map[string]bool{}
		for _, p := range voiceFrom.VoicePermissions {
			voice[p.ISOCode] = p.LowRiskEnabled
		}
		for _, m := range a.Messages {
			if r := regionOfCached(m.To); m.Outbound() && !sms[r] {
				t.Fatalf("%s: message %s to %s, not allowed", a.FriendlyName, m.SID, r)
			}
		}
		for _, c := range a.Calls {
			if r := regionOfCached(c.To); c.Outbound() && !voice[r] {
				t.Fatalf("%s: call %s to %s, not allowed", a.FriendlyName, c.SID, r)
			}
		}
	}
}

func TestDeterministic(t *testing.T) {
	o := func(seed int64) Options {
		return Options{Seed: seed, Now: testNow, Subaccounts: 2, MessagesPerDay: 40, Days: 10}
	}
	for _, name := range []string{"baseline", "full-takeover"} {
		a := build(t, name, o(42))
		b := build(t, name, o(42))
		if !cmp.Equal(a, b) {
			t.Fatalf("%s: same seed, different worlds:\n%.2000s", name, cmp.Diff(a, b))
		}
		c := build(t, name, o(43))
		// Compared as JSON: go-cmp diffs unequal slices element by element,
		// which is slow on worlds this size.
		var ja, jc bytes.Buffer
		if err := Write(&ja, a, JSON); err != nil {
			t.Fatal(err)
		}
		if err := Write(&jc, c, JSON); err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(ja.Bytes(), jc.Bytes()) {
			t.Fatalf("%s: seeds 42 and 43 built the same world", name)
		}
		if a.Accounts[0].SID == c.Accounts[0].SID || a.Accounts[0].AuthToken == c.Accounts[0].AuthToken {
			t.Errorf("%s: credentials do not depend on the seed", name)
		}
	}
}

func TestBuildUnknownName(t *testing.T) {
	_, err := Build("no-such-thing", 1, testNow)
	if err == nil || !strings.Contains(err.Error(), "full-takeover") || !strings.Contains(err.Error(), "no-such-thing") {
		t.Fatalf("want an error naming the scenario and listing the known ones, got %v", err)
	}
}

func TestDefaultSize(t *testing.T) {
	if testing.Short() {
		t.Skip("default size in -short")
	}
	start := time.Now()
	w, err := Build("baseline", 1, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range w.Accounts {
		n += len(a.Messages)
	}
	if n < 20_000 || n > 40_000 {
		t.Errorf("default world has %d messages, want tens of thousands", n)
	}
	if !w.Now.Equal(DefaultNow()) {
		t.Errorf("now = %v, want DefaultNow", w.Now)
	}
	t.Logf("default baseline: %d messages in %v", n, time.Since(start))
}

func TestWriteParseRoundTrip(t *testing.T) {
	// Every overlay kind, small, so that the file carries every feature.
	w := build(t, "baseline", Options{Seed: 3, Now: testNow, Subaccounts: 2, MessagesPerDay: 30, Days: 9})
	if err := Apply(w, everyOverlay()); err != nil {
		t.Fatal(err)
	}
	for _, f := range []Format{JSON, YAML} {
		var buf bytes.Buffer
		if err := Write(&buf, w, f); err != nil {
			t.Fatal(err)
		}
		got, err := Parse(buf.Bytes(), f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !cmp.Equal(w, got, cmpopts.EquateEmpty()) {
			t.Fatalf("%s round trip differs:\n%.3000s", f, cmp.Diff(w, got, cmpopts.EquateEmpty()))
		}
	}
}

func TestSpecFile(t *testing.T) {
	src := `
base: baseline-isv
seed: 7
now: 2026-11-20T15:00:00Z
subaccounts: 2
messages_per_day: 40
days: 9
overlays:
  - {kind: sms-pumping, at: "-36h", account: "sub:2", countries: ["UZ"], count: 300}
  - {kind: api-key-created, at: "-40h"}
`
	w, err := Parse([]byte(src), YAML)
	if err != nil {
		t.Fatal(err)
	}
	if !w.Expect.Attack || !slices.Contains(w.Expect.Signals, atoguard.IDSequentialNumbers) || !slices.Contains(w.Expect.Signals, atoguard.IDAPIKeyCreated) {
		t.Errorf("expect = %+v", w.Expect)
	}
	if want := testNow.Add(-40 * time.Hour); !w.AttackStart.Equal(want) {
		t.Errorf("attack start %v, want %v", w.AttackStart, want)
	}
	sub, _ := w.account("sub:2")
	uz := 0
	for _, m := range sub.Messages {
		if strings.HasPrefix(m.To, "+998") {
			uz++
		}
	}
	if uz != 300 {
		t.Errorf("%d messages to Uzbekistan, want 300", uz)
	}
	// The same spec as JSON gives the same world.
	js := `{"base":"baseline","seed":7,"now":"2026-11-20T15:00:00Z","subaccounts":2,"messages_per_day":40,"days":9,
	 "overlays":[{"kind":"sms-pumping","at":"-36h","account":"sub:2","countries":["UZ"],"count":300},{"kind":"api-key-created","at":"-40h"}]}`
	w2, err := Parse([]byte(js), JSON)
	if err != nil {
		t.Fatal(err)
	}
	w2.Name = w.Name
	if !cmp.Equal(w, w2) {
		t.Errorf("YAML and JSON specs differ:\n%.2000s", cmp.Diff(w, w2))
	}
}

func TestBadFiles(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"unknown kind", `{"base":"baseline","days":9,"messages_per_day":20,"overlays":[{"kind":"sms-bombing","at":"-1h"}]}`, `unknown overlay kind "sms-bombing"`},
		{"bad time", `{"base":"baseline","days":9,"messages_per_day":20,"overlays":[{"kind":"api-key-created","at":"yesterday"}]}`, `bad time "yesterday"`},
		{"missing time", `{"base":"baseline","days":9,"messages_per_day":20,"overlays":[{"kind":"api-key-created"}]}`, `missing "at"`},
		{"future time", `{"base":"baseline","days":9,"messages_per_day":20,"overlays":[{"kind":"api-key-created","at":"+1h"}]}`, `not before the world's now`},
		{"unknown account", `{"base":"baseline","days":9,"messages_per_day":20,"overlays":[{"kind":"api-key-created","at":"-1h","account":"sub:9"}]}`, `unknown account reference "sub:9"`},
		{"unknown account sid", `{"base":"baseline","days":9,"messages_per_day":20,"overlays":[{"kind":"api-key-created","at":"-1h","account":"AC0000"}]}`, `unknown account reference "AC0000"`},
		{"unknown base", `{"base":"nope"}`, `unknown scenario "nope"`},
		{"unknown field", `{"base":"baseline","overlay":[]}`, `unknown field "overlay"`},
		{"unknown country", `{"base":"baseline","days":9,"messages_per_day":20,"overlays":[{"kind":"sms-pumping","at":"-1h","countries":["XX"]}]}`, `unknown country "XX"`},
		{"unknown brand", `{"base":"baseline","days":9,"messages_per_day":20,"overlays":[{"kind":"phishing-wave","at":"-1h","brand":"Acme"}]}`, `unknown brand "Acme"`},
		{"bad now", `{"base":"baseline","now":"tomorrow"}`, `bad now "tomorrow"`},
		{"wrong type", `{"base":"baseline","seed":"seven"}`, `field "seed"`},
		{"empty", `null`, `empty file`},
		{"bad world", `{"name":"x","now":"2026-11-20T15:00:00Z","accounts":[{"sid":"AC1","auth_token":"x"}],"expect":{"verdicts":["clean"]}}`, `SID "AC1"`},
		{"bad yaml", "base: [", "yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := JSON
			if tt.name == "bad yaml" {
				f = YAML
			}
			_, err := Parse([]byte(tt.src), f)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want error containing %q, got %v", tt.want, err)
			}
		})
	}
}

// everyOverlay lists every overlay kind with small counts.
func everyOverlay() []Overlay {
	return []Overlay{
		{Kind: KindAPIKeyCreated, At: "-50h"},
		{Kind: KindCredentialChange, At: "-49h"},
		{Kind: KindGeoWidening, At: "-48h", Account: "sub:1", Countries: []string{"UZ", "SO"}},
		{Kind: KindUsageTriggerDeleted, At: "-47h"},
		{Kind: KindWebhookHijack, At: "-46h", Count: 1},
		{Kind: KindCallerIDAdded, At: "-45h"},
		{Kind: KindSubaccountCreated, At: "-44h"},
		{Kind: KindSMSPumping, At: "-40h", Account: "sub:last", Count: 60, Countries: []string{"UZ"}},
		{Kind: KindPhishingWave, At: "-30h", Count: 40, Brand: "Netflix"},
		{Kind: KindCallPumping, At: "-28h", Count: 30, Countries: []string{"MV"}},
		{Kind: KindEvidenceDeleted, At: "-25h", Count: 10},
		{Kind: KindKeyRotation, At: "-24h"},
		{Kind: KindNewUser, At: "-4d"},
		{Kind: KindWebhookUpdate, At: "-2h", Account: "sub:1"},
		{Kind: KindMarketingCampaign, At: "-20h", Account: "sub:2", Count: 50},
		{Kind: KindCountryExpansion, At: "-5d", Account: "sub:1", Count: 40},
		{Kind: KindTokenRotation, At: "-3h", Account: "sub:2"},
	}
}

func TestSpecOnAttackBase(t *testing.T) {
	// A file's overlays come after the base scenario's, with one attacker.
	js := `{"base":"webhook-hijack","seed":5,"subaccounts":2,"messages_per_day":30,"days":9,
	 "overlays":[{"kind":"usage-trigger-deleted","at":"-50h"}]}`
	w, err := Parse([]byte(js), JSON)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{atoguard.IDWebhookChanged, atoguard.IDUsageTriggerDeleted} {
		if !slices.Contains(w.Expect.Signals, s) {
			t.Errorf("expect.signals %v lacks %s", w.Expect.Signals, s)
		}
	}
	if want := w.Now.Add(-50 * time.Hour); !w.AttackStart.Equal(want) {
		t.Errorf("attack start %v, want the earlier overlay's %v", w.AttackStart, want)
	}
	ips := map[string]bool{}
	for _, e := range w.mainAccount().Events {
		if !slices.Contains(officeIPs(), e.SourceIP) {
			ips[e.SourceIP] = true
		}
	}
	if len(ips) != 1 || !ips[w.Attacker.IP] {
		t.Errorf("attacker IPs %v, want only %s", ips, w.Attacker.IP)
	}
	// A snapshot from before either overlay: triggers and webhooks intact.
	snap := snapshotOf(t, w, w.mainAccount().SID)
	if len(snap.UsageTriggers) == 0 || snap.PhoneNumbers[0].Webhooks["sms_url"] == w.mainAccount().PhoneNumbers[0].Webhooks["sms_url"] {
		t.Error("snapshot taken after the attack")
	}
}

func TestLoadExampleFiles(t *testing.T) {
	w, err := Load("testdata/pumping-drill.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if w.Name != "pumping-drill" || len(w.Accounts) != 6 {
		t.Errorf("name %q, %d accounts", w.Name, len(w.Accounts))
	}
	for _, s := range []string{atoguard.IDGeoWidened, atoguard.IDSequentialNumbers, atoguard.IDWebhookChanged} {
		if !slices.Contains(w.Expect.Signals, s) {
			t.Errorf("expect.signals %v lacks %s", w.Expect.Signals, s)
		}
	}
	if !slices.Contains(w.Attacker.Hosts, "4f2a-203-0-113-99.ngrok-free.app") {
		t.Errorf("attacker hosts %v", w.Attacker.Hosts)
	}
	q, err := Load("testdata/quiet.json")
	if err != nil {
		t.Fatal(err)
	}
	if q.Name != "quiet-drill" || !q.Expect.Attack {
		t.Errorf("quiet drill: %q attack=%v", q.Name, q.Expect.Attack)
	}
	if _, err := Load("testdata/missing.yaml"); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: %v", err)
	}
}

func TestKindsAndDescriptions(t *testing.T) {
	benign := []string{KindMarketingCampaign, KindCountryExpansion, KindTokenRotation, KindKeyRotation, KindNewUser, KindWebhookUpdate, KindNewNetworkSignIn}
	for _, k := range OverlayKinds() {
		if IsAttack(k) == slices.Contains(benign, k) {
			t.Errorf("IsAttack(%s) = %v", k, IsAttack(k))
		}
	}
	if IsAttack("no-such-kind") {
		t.Error("an unknown kind is an attack")
	}
	for _, n := range Names() {
		if d, err := Describe(n); err != nil || d == "" {
			t.Errorf("Describe(%s) = %q, %v", n, d, err)
		}
	}
	if d, err := Describe("demo"); err != nil || !strings.Contains(d, "attacker") {
		t.Errorf("alias demo: %q, %v", d, err)
	}
	if _, err := Describe("nope"); err == nil {
		t.Error("Describe(nope) succeeded")
	}
}

func TestValidateCatchesBrokenWorlds(t *testing.T) {
	base := func() *World {
		return build(t, "webhook-hijack", Options{Seed: 8, Now: testNow, Subaccounts: 2, MessagesPerDay: 20, Days: 9})
	}
	tests := []struct {
		name   string
		breakW func(w *World)
		want   string
	}{
		{"bad SID", func(w *World) { w.Accounts[1].Messages[0].SID = "SM123" }, "is not SM followed by 32"},
		{"duplicate SID", func(w *World) { w.Accounts[1].Messages[0].SID = w.Accounts[0].Messages[0].SID }, "already used"},
		{"bad token", func(w *World) { w.Accounts[0].AuthToken = "NOTHEX" }, "auth token"},
		{"bad key secret", func(w *World) { w.Accounts[0].Keys[0].Secret = "short" }, "secret"},
		{"invalid number", func(w *World) { w.Accounts[1].Messages[3].To = "+15550000" }, "not a valid E.164"},
		{"out of order", func(w *World) {
			ms := w.Accounts[1].Messages
			ms[5].DateCreated = ms[4].DateCreated.Add(-time.Hour)
		}, "out of date order"},
		{"after now", func(w *World) {
			ev := w.Accounts[0].Events
			ev[len(ev)-1].EventDate = w.Now.Add(time.Hour)
		}, "after now"},
		{"attack outside window", func(w *World) { w.AttackStart = w.Now.Add(-8 * 24 * time.Hour) }, "outside the investigation window"},
		{"foreign record", func(w *World) { w.Accounts[1].Messages[0].AccountSID = w.Accounts[0].SID }, "account_sid"},
		{"bad status", func(w *World) { w.Accounts[1].Messages[0].Status = "lost" }, "not one of Twilio's"},
		{"orphan subaccount", func(w *World) { w.Accounts[1].OwnerSID = "AC" + strings.Repeat("0", 32) }, "owner"},
		{"bad webhook", func(w *World) { w.Accounts[0].PhoneNumbers[0].Webhooks["sms_url"] = "ftp:/x" }, "not an http(s) URL"},
		{"no verdicts", func(w *World) { w.Expect.Verdicts = nil }, "no verdicts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := base()
			if err := w.Validate(); err != nil {
				t.Fatalf("valid world rejected: %v", err)
			}
			tt.breakW(w)
			err := w.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want an error containing %q, got %v", tt.want, err)
			}
		})
	}
}

// A scenario file follows the caller's present, or says why it cannot; a
// bad overlay is named with its file line.
func TestLoadAtAnchorsAndPoints(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	now := time.Date(2027, 3, 2, 9, 0, 0, 0, time.UTC)
	w, err := LoadAt(write("a.yaml", "base: baseline\nmessages_per_day: 100\ndays: 10\n"), now, false)
	if err != nil || !w.Now.Equal(now) {
		t.Fatalf("spec without now: %v %v", w, err)
	}
	if _, err := LoadAt(write("b.yaml", "base: baseline\nnow: 2026-01-01T00:00:00Z\n"), now, true); err == nil || !strings.Contains(err.Error(), "field now") {
		t.Errorf("conflicting now: %v", err)
	}
	bad := write("c.yaml", "base: baseline\nmessages_per_day: 100\ndays: 10\noverlays:\n  - kind: sms-pumping\n    at: -10h\n  - kind: sms-pumping\n    at: -5h\n    numbers: scattered\n")
	if _, err := LoadAt(bad, now, false); err == nil || !strings.Contains(err.Error(), "c.yaml:7: ") || !strings.Contains(err.Error(), "field numbers") {
		t.Errorf("bad overlay: %v", err)
	}
	typed := write("d.json", "{\"base\": \"baseline\",\n \"days\": \"ten\"}")
	if _, err := LoadAt(typed, now, false); err == nil || !strings.Contains(err.Error(), "d.json:2: ") {
		t.Errorf("bad field type: %v", err)
	}
}
