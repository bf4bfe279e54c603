package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	atoguard "github.com/atoguard/atoguard"
)

func sampleIncident() atoguard.Incident {
	t0 := time.Date(2026, 11, 18, 3, 0, 0, 0, time.UTC)
	return atoguard.Incident{
		GeneratedAt: t0.Add(48 * time.Hour), IncidentStart: t0, AccountSID: "AC" + strings.Repeat("1", 32),
		Accounts: []atoguard.Account{{SID: "AC" + strings.Repeat("1", 32)}, {SID: "AC" + strings.Repeat("2", 32), OwnerSID: "AC" + strings.Repeat("1", 32)}},
		Verdict:  atoguard.VerdictCompromised,
		Signals: []atoguard.Signal{
			{ID: "events.password", Severity: atoguard.SeverityCritical, Summary: "password changed | by attacker"},
			{ID: "traffic.spike", Severity: atoguard.SeverityHigh, Summary: "sms spike\x1b[31m"},
		},
		Timeline: []atoguard.TimelineEntry{{Time: t0, AccountSID: "AC1", Summary: "API key created", Attacker: true}},
		Actions: []atoguard.Action{
			{ID: "rotate-tokens/AC1", Step: "rotate-tokens", AccountSID: "AC1", Summary: "rotate the auth token", Before: "primary token aaaaaaaaaaaa", After: "primary token bbbbbbbbbbbb", Status: atoguard.ActionDone, Time: t0.Add(47 * time.Hour)},
			{ID: "delete-keys/AC1/SK1", Step: "delete-keys", AccountSID: "AC1", Summary: "delete API key SK1", Status: atoguard.ActionSkipped},
		},
		Credentials: []atoguard.CredentialRecord{{AccountSID: "AC1", StoreKind: "file", Location: "/srv/creds.json", Fingerprint: "bbbbbbbbbbbb", PreviousFingerprint: "aaaaaaaaaaaa", Verified: true}},
		Failures:    []atoguard.Action{{Step: "webhooks", AccountSID: "AC2", Summary: "restore webhooks", Error: "503 after retries", Status: atoguard.ActionFailed}},
		Checklist: []atoguard.ChecklistItem{
			{ID: "passwords", Guidance: 1, Title: "Change the password of every user", Why: "w", How: "h", Status: atoguard.CheckVerified, Evidence: []string{"AE1 user-password.updated"}},
			{ID: "contact-support", Title: "Contact Twilio Support", Why: "w", How: "h", Status: atoguard.CheckManual},
		},
	}
}

func TestIncidentMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := IncidentMarkdown(&b, sampleIncident()); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"# Incident report: Twilio account AC111",
		"## Summary for Twilio Support or a security firm",
		"> Investigation verdict: compromised",
		"**Verdict: compromised**",
		`password changed \| by attacker`, // pipes escaped in tables
		"| attacker | API key created |",
		"| rotate-tokens | rotate the auth token | primary token aaaaaaaaaaaa | primary token bbbbbbbbbbbb |",
		"| file:/srv/creds.json | bbbbbbbbbbbb | aaaaaaaaaaaa | yes",
		"| webhooks | restore webhooks | 503 after retries |",
		"- [x] **Change the password of every user** (guidance step 1; verified)",
		"- [ ] **Contact Twilio Support** (support; manual)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if strings.Contains(md, "\x1b") {
		t.Error("control characters reach the report")
	}
	if strings.Contains(md, "delete API key SK1") {
		t.Error("a skipped action is listed as a change")
	}
}

func TestIncidentJSONArraysNeverNull(t *testing.T) {
	var b bytes.Buffer
	if err := IncidentJSON(&b, atoguard.Incident{AccountSID: "AC1"}); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"actions", "credentials", "failures", "checklist"} {
		if _, ok := m[k].([]any); !ok {
			t.Errorf("%s = %v, want an array", k, m[k])
		}
	}
	if s, _ := m["summary"].(string); !strings.Contains(s, "AC1") {
		t.Errorf("summary = %q", s)
	}
}

func TestIncidentSummary(t *testing.T) {
	s := IncidentSummary(sampleIncident())
	for _, want := range []string{"and 1 subaccount.", "verdict: compromised", "rotate-tokens ×1", "1 of 2 accounts", "Not completed: 1", "Manual steps open: 1 of 2"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
}
