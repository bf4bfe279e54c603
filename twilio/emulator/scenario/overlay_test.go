package scenario

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/nyaruka/phonenumbers"
)

func attackMessages(w *World, acc *Account) []atoguard.Message {
	var out []atoguard.Message
	for _, m := range acc.Messages {
		if !m.DateCreated.Before(w.AttackStart) {
			out = append(out, m)
		}
	}
	return out
}

func snapshotOf(t *testing.T, w *World, sid string) atoguard.Configuration {
	t.Helper()
	for _, c := range w.Snapshot {
		if c.AccountSID == sid {
			return c
		}
	}
	t.Fatalf("no snapshot for %s", sid)
	return atoguard.Configuration{}
}

func TestPumpingSequentialBlocks(t *testing.T) {
	w := build(t, "sms-pumping", small(11))
	sub, err := w.account("sub:1")
	if err != nil {
		t.Fatal(err)
	}
	blocks := map[string][]int{} // number minus its last 4 digits → last 4 digits
	failed, n := 0, 0
	for _, m := range attackMessages(w, sub) {
		region := regionOf(m.To)
		if region != "UZ" && region != "KG" {
			continue
		}
		n++
		if m.Status == "failed" || m.Status == "undelivered" {
			failed++
		}
		v, _ := strconv.Atoi(m.To[len(m.To)-4:])
		blocks[m.To[:len(m.To)-4]] = append(blocks[m.To[:len(m.To)-4]], v)
		if m.DateCreated.After(w.AttackStart.Add(6 * time.Hour)) {
			t.Errorf("pumping message %s at %v, after the 6h burst", m.SID, m.DateCreated)
		}
	}
	if n != 1200 {
		t.Fatalf("%d pumping messages, want 1200", n)
	}
	if share := float64(failed) / float64(n); share < 0.5 {
		t.Errorf("failed/undelivered share %.2f, want most pumped messages to fail", share)
	}
	// Four blocks (two per country) of hundreds of numbers, each a run with
	// gaps of at most 3 — a 4-digit window may split a run across two keys.
	big := 0
	for prefix, vs := range blocks {
		if len(vs) < 100 {
			continue
		}
		big++
		slices.Sort(vs)
		for i := 1; i < len(vs); i++ {
			if d := vs[i] - vs[i-1]; d < 1 || d > 3 {
				t.Fatalf("block %s: step %d between %d and %d", prefix, d, vs[i-1], vs[i])
			}
		}
	}
	if big < 2 {
		t.Errorf("want runs of ≥100 numbers in one prefix, blocks: %d", len(blocks))
	}
	if !smsEnabled(sub, "UZ") || !smsEnabled(sub, "KG") {
		t.Error("pumped countries are not enabled for SMS")
	}
	if len(w.Attacker.Numbers) == 0 {
		t.Error("attacker number blocks not recorded")
	}
}

func deobfuscate(s string) string {
	return strings.NewReplacer("[.]", ".", "(.)", ".", "hxxps://", "https://", "hxxp://", "http://").Replace(s)
}

func TestPhishingWave(t *testing.T) {
	w := build(t, "phishing-wave", small(12))
	main := w.mainAccount()
	var lure lure
	for _, l := range lures() {
		if l.Brand == "PayPal" {
			lure = l
		}
	}
	to := map[string]bool{}
	obfuscated := 0
	n := 0
	for _, m := range attackMessages(w, main) {
		if !strings.Contains(m.Body, "PayPal") {
			continue
		}
		n++
		to[m.To] = true
		clean := deobfuscate(m.Body)
		if clean != m.Body {
			obfuscated++
		}
		found := false
		for _, d := range lure.Domains {
			if strings.Contains(clean, d+"/") {
				found = true
				if !slices.Contains(w.Attacker.Hosts, d) {
					t.Errorf("lure domain %s not recorded as an attacker host", d)
				}
			}
		}
		if !found {
			t.Fatalf("body has no look-alike domain: %q", m.Body)
		}
		if strings.Contains(clean, "paypal.com/") {
			t.Fatalf("lure links to the brand's own domain: %q", m.Body)
		}
		if !strings.HasPrefix(m.Body, "PayPal: Your account is limited") {
			t.Fatalf("wave does not share one template: %q", m.Body)
		}
	}
	if n != 600 {
		t.Fatalf("%d phishing messages, want 600", n)
	}
	if len(to) < 550 {
		t.Errorf("%d distinct recipients, want many", len(to))
	}
	if obfuscated == 0 || obfuscated == n {
		t.Errorf("%d of %d links obfuscated, want a mix", obfuscated, n)
	}
}

func TestWebhookHijack(t *testing.T) {
	w := build(t, "webhook-hijack", small(13))
	main := w.mainAccount()
	snap := snapshotOf(t, w, main.SID)
	changed := 0
	for i, pn := range main.PhoneNumbers {
		before := snap.PhoneNumbers[i].Webhooks
		if pn.Webhooks["sms_url"] == before["sms_url"] {
			continue
		}
		changed++
		for _, f := range []string{"voice_url", "sms_url"} {
			h := hostOf(pn.Webhooks[f])
			if !slices.Contains(w.Attacker.Hosts, h) {
				t.Errorf("%s %s host %s is not an attacker host %v", pn.SID, f, h, w.Attacker.Hosts)
			}
			if hostOf(before[f]) == h {
				t.Errorf("%s %s still on %s", pn.SID, f, h)
			}
		}
		// The event shows previous → updated exactly.
		var ev *atoguard.Event
		for k := range main.Events {
			if main.Events[k].EventType == "phone-number.updated" && main.Events[k].ResourceSID == pn.SID && main.Events[k].SourceIP == w.Attacker.IP {
				ev = &main.Events[k]
			}
		}
		if ev == nil {
			t.Fatalf("no attacker phone-number.updated event for %s", pn.SID)
		}
		c := ev.Data["sms_url"].(map[string]any)
		if c["previous"] != before["sms_url"] || c["updated"] != pn.Webhooks["sms_url"] {
			t.Errorf("event %v does not match %q → %q", c, before["sms_url"], pn.Webhooks["sms_url"])
		}
	}
	if changed != 2 {
		t.Fatalf("%d numbers hijacked, want 2", changed)
	}
}

func TestFullTakeover(t *testing.T) {
	w := build(t, "full-takeover", small(14))
	main := w.mainAccount()
	a := w.Attacker
	if a == nil || a.IP == "" || a.Email == "" {
		t.Fatalf("attacker = %+v", a)
	}
	// Every attacker event comes from the attacker's address and an actor
	// recorded as the attacker's, and happens after the attack start.
	kinds := map[string]bool{}
	for _, acc := range w.Accounts {
		for _, e := range acc.Events {
			if e.SourceIP != a.IP {
				if slices.Contains(officeIPs(), e.SourceIP) {
					continue
				}
				t.Errorf("event %s %s from unexpected IP %s", e.SID, e.EventType, e.SourceIP)
				continue
			}
			kinds[e.EventType] = true
			if !slices.Contains(a.ActorSIDs, e.ActorSID) {
				t.Errorf("attacker event %s actor %s not in %v", e.EventType, e.ActorSID, a.ActorSIDs)
			}
			if e.EventDate.Before(w.AttackStart) {
				t.Errorf("attacker event %s before attack start", e.EventType)
			}
		}
	}
	for _, k := range []string{"account-api-keys.created", "user-session.created", "user-password.updated", "user.updated",
		"voice-geographic-permissions.updated", "sms-geographic-permissions.updated", "usage-trigger.deleted", "phone-number.updated"} {
		if !kinds[k] {
			t.Errorf("no attacker %s event", k)
		}
	}
	// The configuration shows what the events say.
	if !slices.ContainsFunc(main.Keys, func(k Key) bool { return k.FriendlyName == "backup" && k.DateCreated.Equal(w.AttackStart) }) {
		t.Error("attacker key missing from Keys")
	}
	if main.Users[0].Email != a.Email {
		t.Errorf("owner email %s, want the attacker's %s", main.Users[0].Email, a.Email)
	}
	if len(main.UsageTriggers) != 0 || len(snapshotOf(t, w, main.SID).UsageTriggers) == 0 {
		t.Error("usage triggers not deleted")
	}
	for _, p := range main.VoicePermissions {
		if p.ISOCode == "SO" && !(p.LowRiskEnabled && p.HighRiskSpecialEnabled) {
			t.Error("voice permission for SO not widened")
		}
	}
	for _, p := range snapshotOf(t, w, main.SID).VoicePermissions {
		if p.ISOCode == "SO" && p.LowRiskEnabled {
			t.Error("snapshot already allowed SO")
		}
	}
	for _, want := range []string{atoguard.IDVolumeSpike, atoguard.IDSequentialNumbers, atoguard.IDBrandImpersonation, atoguard.IDPasswordChanged,
		atoguard.IDAPIKeyCreated, atoguard.IDWebhookChanged, atoguard.IDGeoWidened} {
		if !slices.Contains(w.Expect.Signals, want) {
			t.Errorf("expect.signals lacks %s", want)
		}
	}
	if !slices.Equal(w.Expect.Verdicts, []atoguard.Verdict{atoguard.VerdictCompromised}) {
		t.Errorf("verdicts %v", w.Expect.Verdicts)
	}
}

func TestQuietTakeoverHasNoAttackTraffic(t *testing.T) {
	w := build(t, "quiet-takeover", small(15))
	for _, acc := range w.Accounts {
		for _, m := range attackMessages(w, &acc) {
			if r := regionOf(m.To); r == "UZ" || r == "KG" || r == "SO" {
				t.Fatalf("message to %s in a quiet takeover", r)
			}
		}
	}
	main := w.mainAccount()
	if !smsEnabled(main, "UZ") || len(main.UsageTriggers) != 0 || len(main.Keys) != 3 {
		t.Errorf("changes missing: UZ=%v triggers=%d keys=%d", smsEnabled(main, "UZ"), len(main.UsageTriggers), len(main.Keys))
	}
}

func TestSubaccountAbuse(t *testing.T) {
	w := build(t, "subaccount-abuse", small(16))
	sub, err := w.account("sub:last")
	if err != nil {
		t.Fatal(err)
	}
	if sub.FriendlyName != "backup" || !sub.DateCreated.Equal(w.AttackStart) || len(sub.Messages) != 700 {
		t.Errorf("new subaccount %s created %v with %d messages", sub.FriendlyName, sub.DateCreated, len(sub.Messages))
	}
	main := w.mainAccount()
	if len(main.CallerIDs) != 2 || !slices.Contains(w.Attacker.Numbers, main.CallerIDs[1].PhoneNumber) {
		t.Errorf("caller ID not added or not recorded: %v", main.CallerIDs)
	}
}

// Benign look-alikes: loud but legitimate.

func TestMarketingSpike(t *testing.T) {
	w := build(t, "marketing-spike", small(17))
	sub, _ := w.account("sub:2")
	campaign, failed, other := 0, 0, 0
	for _, m := range sub.Messages {
		if !strings.Contains(m.Body, "Winter sale") {
			if m.Outbound() {
				other++
			}
			continue
		}
		campaign++
		if !strings.Contains(m.Body, "https://pinecrestoutfitters.co.uk/sale") {
			t.Fatalf("campaign links elsewhere: %q", m.Body)
		}
		if r := regionOf(m.To); r != "GB" && r != "IE" {
			t.Fatalf("campaign to %s", r)
		}
		if m.Status == "failed" || m.Status == "undelivered" {
			failed++
		}
	}
	daily := float64(other) / 14
	if float64(campaign) < 8*daily {
		t.Errorf("campaign of %d messages against %.0f a day: not a spike", campaign, daily)
	}
	if share := float64(failed) / float64(campaign); share > 0.06 {
		t.Errorf("campaign failure share %.2f, want normal delivery", share)
	}
	if w.Attacker != nil || w.Expect.Attack {
		t.Error("benign world has an attacker")
	}
}

func TestPlannedExpansion(t *testing.T) {
	w := build(t, "planned-expansion", small(18))
	sub, _ := w.account("sub:1")
	var enabled time.Time
	main := w.mainAccount()
	for _, e := range sub.Events {
		if e.EventType == "sms-geographic-permissions.updated" {
			enabled = e.EventDate
			if e.ActorSID != main.Users[0].SID || !slices.Contains(officeIPs(), e.SourceIP) {
				t.Errorf("permission change by %s from %s, want a known user from the office", e.ActorSID, e.SourceIP)
			}
		}
	}
	if enabled.IsZero() {
		t.Fatal("no permission change event")
	}
	perDay := map[int]int{}
	for _, m := range sub.Messages {
		if regionOf(m.To) != "MX" {
			continue
		}
		if m.DateCreated.Before(enabled) {
			t.Fatal("message to MX before the permission was enabled")
		}
		perDay[int(m.DateCreated.Sub(enabled).Hours()/24)]++
	}
	if len(perDay) < 4 || perDay[0] >= perDay[5] {
		t.Errorf("MX volume per day %v, want a gradual ramp", perDay)
	}
	if !smsEnabled(sub, "MX") {
		t.Error("MX not enabled")
	}
}

func TestTokenRotation(t *testing.T) {
	w := build(t, "token-rotation", small(19))
	main := w.mainAccount()
	base := build(t, "baseline", small(19))
	if main.AuthToken == base.mainAccount().AuthToken {
		t.Error("token not rotated")
	}
	var types []string
	for _, e := range main.Events {
		if strings.HasPrefix(e.EventType, "account-auth-token.") {
			types = append(types, e.EventType)
			if !slices.Contains(officeIPs(), e.SourceIP) {
				t.Errorf("rotation from %s", e.SourceIP)
			}
		}
	}
	if !slices.Equal(types, []string{"account-auth-token.secondary-created", "account-auth-token.promoted"}) {
		t.Errorf("rotation events %v", types)
	}
}

// The baseline looks like real traffic: home countries only, mobile
// recipients, business-hour and weekday rhythm, few failures.
func TestBaselineRealism(t *testing.T) {
	w := build(t, "baseline", small(20))
	if w.Attacker != nil || !w.AttackStart.IsZero() {
		t.Fatal("baseline has an attacker")
	}
	dental, _ := w.account("sub:1") // Harbor Lane Dental, America/New_York, appointments
	loc, _ := time.LoadLocation("America/New_York")
	var weekday, weekend, business, total, failed int
	for _, m := range dental.Messages {
		if !m.Outbound() {
			continue
		}
		total++
		lt := m.DateCreated.In(loc)
		if lt.Weekday() == time.Saturday || lt.Weekday() == time.Sunday {
			weekend++
		} else {
			weekday++
		}
		if h := lt.Hour(); h >= 7 && h < 20 {
			business++
		}
		if m.Status == "failed" || m.Status == "undelivered" {
			failed++
		}
		if regionOf(m.To) != "US" {
			t.Fatalf("dental message to %s", m.To)
		}
	}
	if float64(weekday)/5 < 3*float64(weekend)/2 {
		t.Errorf("weekday/weekend: %d/%d, want weekdays much busier", weekday, weekend)
	}
	if float64(business) < 0.95*float64(total) {
		t.Errorf("%d of %d reminders in business hours", business, total)
	}
	if share := float64(failed) / float64(total); share < 0.005 || share > 0.05 {
		t.Errorf("failure share %.3f", share)
	}
	// Recipients are mobiles per libphonenumber.
	for _, m := range dental.Messages[:200] {
		n, err := phonenumbers.Parse(m.To, "")
		if err != nil {
			t.Fatal(err)
		}
		if typ := phonenumbers.GetNumberType(n); typ != phonenumbers.MOBILE && typ != phonenumbers.FIXED_LINE_OR_MOBILE {
			t.Fatalf("%s: number type %v", m.To, typ)
		}
	}
	// Geo permissions allow the home countries only.
	for _, p := range dental.SMSPermissions {
		if p.Enabled != (p.CountryCode == "US") {
			t.Errorf("SMS permission %s enabled=%v", p.CountryCode, p.Enabled)
		}
	}
	// Staff sign in from the office only.
	for _, e := range w.mainAccount().Events {
		if !slices.Contains(officeIPs(), e.SourceIP) {
			t.Errorf("baseline event from %s", e.SourceIP)
		}
	}
}

func TestOverlayIndependence(t *testing.T) {
	// Adding an overlay does not change what the baseline or the other
	// overlays drew.
	base := build(t, "baseline", small(21))
	w := build(t, "baseline", small(21))
	if err := Apply(w, []Overlay{{Kind: KindAPIKeyCreated, At: "-2h"}}); err != nil {
		t.Fatal(err)
	}
	if base.Accounts[1].Messages[100].Body != w.Accounts[1].Messages[100].Body {
		t.Error("an overlay changed the baseline")
	}
}

func TestTollFraud(t *testing.T) {
	w := build(t, "toll-fraud", small(22))
	main := w.mainAccount()
	short, total := 0, 0
	blocks := map[string]int{}
	for _, c := range main.Calls {
		r := regionOf(c.To)
		if r != "SO" && r != "MV" {
			continue
		}
		total++
		if c.Duration <= 10 && c.Status == "completed" {
			short++
		}
		blocks[c.To[:len(c.To)-3]]++
		if c.EndTime.Sub(c.StartTime) != time.Duration(c.Duration)*time.Second {
			t.Fatalf("call %s: end − start ≠ duration", c.SID)
		}
	}
	// 800 placed, 60 deleted by the attacker.
	if total != 740 {
		t.Fatalf("%d toll-fraud calls left, want 740", total)
	}
	if float64(short) < 0.7*float64(total) {
		t.Errorf("%d of %d calls short", short, total)
	}
	deleted := 0
	for _, e := range main.Events {
		if e.EventType == "call.deleted" {
			deleted++
			if e.SourceIP != w.Attacker.IP {
				t.Errorf("deletion from %s", e.SourceIP)
			}
			if slices.ContainsFunc(main.Calls, func(c atoguard.Call) bool { return c.SID == e.ResourceSID }) {
				t.Errorf("deleted call %s still listed", e.ResourceSID)
			}
		}
	}
	if deleted != 60 {
		t.Errorf("%d call.deleted events, want 60", deleted)
	}
	for _, want := range []string{atoguard.IDSequentialNumbers, atoguard.IDShortCalls, atoguard.IDGeoWidened, atoguard.IDEvidenceDeleted} {
		if !slices.Contains(w.Expect.Signals, want) {
			t.Errorf("expect.signals %v lacks %s", w.Expect.Signals, want)
		}
	}
}

func TestKeyRotation(t *testing.T) {
	w := build(t, "key-rotation", small(23))
	main := w.mainAccount()
	base := build(t, "baseline", small(23)).mainAccount()
	if len(main.Keys) != len(base.Keys) || main.Keys[0].SID == base.Keys[0].SID {
		t.Errorf("keys %v: want the oldest replaced", main.Keys)
	}
	for _, e := range main.Events {
		if strings.HasPrefix(e.EventType, "account-api-keys.") && (e.ActorSID != main.Users[1].SID || !slices.Contains(officeIPs(), e.SourceIP)) {
			t.Errorf("%s by %s from %s, want the developer from the office", e.EventType, e.ActorSID, e.SourceIP)
		}
	}
}

// Expectations follow from what the generated data can show.
func TestExpectFollowsData(t *testing.T) {
	now := DefaultNow()
	build := func(ov ...Overlay) []string {
		t.Helper()
		w, err := BuildWith("baseline", Options{Seed: 3, Now: now, MessagesPerDay: 200})
		if err != nil {
			t.Fatal(err)
		}
		if err := Apply(w, ov); err != nil {
			t.Fatal(err)
		}
		return w.Expect.Signals
	}
	// Spread over 150 hours, 300 messages clear no hourly guard.
	if got := build(Overlay{Kind: KindSMSPumping, At: "-7d", Account: "sub:1", Count: 300, Duration: "150h"}); slices.Contains(got, atoguard.IDVolumeSpike) || slices.Contains(got, atoguard.IDFailureSpike) {
		t.Errorf("thin pumping promises spikes: %v", got)
	}
	// Eight numbers are below the ten the sequential detector needs.
	if got := build(Overlay{Kind: KindSMSPumping, At: "-1d", Account: "sub:1", Count: 8, Countries: []string{"UZ"}}); slices.Contains(got, atoguard.IDSequentialNumbers) {
		t.Errorf("8 numbers promise sequential-numbers: %v", got)
	}
	// Random numbers never promise sequential runs.
	if got := build(Overlay{Kind: KindSMSPumping, At: "-1d", Account: "sub:1", Numbers: NumbersRandom}); slices.Contains(got, atoguard.IDSequentialNumbers) || !slices.Contains(got, atoguard.IDVolumeSpike) {
		t.Errorf("random pumping: %v", got)
	}
	// Deleting the whole phishing wave takes its promises with it.
	got := build(Overlay{Kind: KindPhishingWave, At: "-30h", Count: 100, Duration: "1h"}, Overlay{Kind: KindEvidenceDeleted, At: "-20h", Count: 100})
	if slices.Contains(got, atoguard.IDBrandImpersonation) || slices.Contains(got, atoguard.IDTemplateBlast) || !slices.Contains(got, atoguard.IDEvidenceDeleted) {
		t.Errorf("evidence-deleted keeps phishing promises: %v", got)
	}
	// A key as actor, a custom lure, a bad value.
	w, _ := BuildWith("baseline", Options{Seed: 3, Now: now, MessagesPerDay: 200})
	if err := Apply(w, []Overlay{{Kind: KindSecondaryToken, At: "-2h", Via: ViaKey}}); err != nil {
		t.Fatal(err)
	}
	if a := w.Attacker.ActorSIDs; len(a) != 1 || !strings.HasPrefix(a[0], "SK") {
		t.Errorf("actor through a key: %v", a)
	}
	if err := Apply(w, []Overlay{{Kind: KindSMSPumping, At: "-2h", Numbers: "scattered"}}); err == nil || !strings.Contains(err.Error(), "field numbers") {
		t.Errorf("bad numbers: %v", err)
	}
}
