package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/credstore"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

// TestInvestigateAfterRespond is the walkthrough: investigate, respond apply
// with that investigation, investigate again with the new token. Respond's
// own changes (token rotation, key deletion, usage triggers) must read as
// "atoguard respond", not as an attacker's, while the attack's own signals
// stay; without the journal the rotation is an attacker's change.
func TestInvestigateAfterRespond(t *testing.T) {
	t.Parallel()
	// The journal keeps wall-clock times, so the world (and the emulator's
	// running clock) is set at the present.
	w, err := scenario.BuildWith("phishing-wave", scenario.Options{Seed: scenario.Seed("phishing-wave"), MessagesPerDay: smallWorld,
		Now: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	m := startEmulator(t, w)
	rc := newRespondCase(t, m)
	main := m.main()
	env := map[string]string{"TWILIO_ACCOUNT_SID": main.SID, "TWILIO_AUTH_TOKEN": main.AuthToken, "ATOGUARD_TWILIO_API_URL": m.url}
	inv := cli{sub: "investigate", env: env, now: m.e.Clock().Now()}
	code, out, errOut := inv.run(t, "--json", "--quiet")
	if code != ExitFindings {
		t.Fatalf("first investigate: exit %d: %s", code, errOut)
	}
	before := decodeInv(t, out)
	invPath := filepath.Join(rc.dir, "investigation.json")
	if err := os.WriteFile(invPath, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	if c := rc.run(t, "respond", "apply", "--yes", "--json", "--journal", rc.journal, "--credential-sink", "file:"+rc.sinkPath,
		"--report", rc.reportBase, "--investigation", invPath); c != 0 {
		t.Fatalf("respond apply exit %d: %s", c, rc.stderr.String())
	}
	tok, err := (&credstore.File{Path: rc.sinkPath}).Load(context.Background(), main.SID)
	if err != nil {
		t.Fatal(err)
	}
	env["TWILIO_AUTH_TOKEN"] = tok.Reveal()
	inv.now = m.e.Clock().Now()

	// Without the journal, respond's rotation is an attacker's change.
	_, out, _ = inv.run(t, "--json", "--quiet")
	if !slices.Contains(attackerChanges(decodeInv(t, out)), atoguard.IDAuthTokenChanged) {
		t.Fatalf("without the journal the rotation should read as an attacker's: %s", out)
	}

	code, out, errOut = inv.run(t, "--json", "--quiet", "--respond-journal", rc.journal)
	if code != ExitFindings {
		t.Fatalf("investigate after respond: exit %d: %s", code, errOut)
	}
	after := decodeInv(t, out)
	if got := attackerChanges(after); len(got) > 0 {
		t.Errorf("respond's own changes carry an attacker verdict: %v", got)
	}
	if after.Verdict != before.Verdict {
		t.Errorf("verdict %s before respond, %s after", before.Verdict, after.Verdict)
	}
	for _, s := range before.Signals {
		if !slices.ContainsFunc(after.Signals, func(a invSignal) bool { return a.ID == s.ID && a.AccountSID == s.AccountSID }) {
			t.Errorf("attack signal %s (%s) lost after respond", s.ID, s.AccountSID)
		}
	}
	own := 0
	for _, e := range after.Timeline {
		if e.Kind == "respond" {
			own++
			if e.Attacker || !strings.HasPrefix(e.Summary, "atoguard respond: ") {
				t.Errorf("own entry %+v", e)
			}
		}
		if e.Attacker && strings.Contains(e.Summary, "auth-token") {
			t.Errorf("rotation attributed to the attacker: %+v", e)
		}
	}
	if own == 0 || after.Respond == nil || after.Respond.OwnEvents != own || after.Respond.Path != rc.journal {
		t.Errorf("respond_journal %+v, %d own timeline entries", after.Respond, own)
	}
	_, text, _ := inv.run(t, "--quiet", "--respond-journal", rc.journal)
	if !strings.Contains(text, "Respond journal: "+rc.journal) {
		t.Errorf("text does not say the journal was used:\n%s", text)
	}
}

// TestInvestigateRespondJournalFlag: a named journal must exist and be one.
func TestInvestigateRespondJournalFlag(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notJournal := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notJournal, []byte("hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(dir, "missing.journal"), notJournal} {
		code, _, errOut := cli{sub: "investigate", env: map[string]string{}}.run(t, "--respond-journal", path)
		if code != ExitError || !strings.Contains(errOut, "--respond-journal") {
			t.Errorf("%s: exit %d: %s", path, code, errOut)
		}
	}
}

type invSignal struct {
	ID         string            `json:"id"`
	Severity   string            `json:"severity"`
	AccountSID string            `json:"account_sid"`
	Evidence   atoguard.Evidence `json:"evidence"`
}

type invDoc struct {
	Verdict  atoguard.Verdict         `json:"verdict"`
	Signals  []invSignal              `json:"signals"`
	Timeline []atoguard.TimelineEntry `json:"timeline"`
	Respond  *struct {
		Path      string `json:"path"`
		OwnEvents int    `json:"own_events"`
	} `json:"respond_journal"`
}

func decodeInv(t *testing.T, out string) invDoc {
	t.Helper()
	var d invDoc
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return d
}

// attackerChanges lists the event signals attributed to an attacker.
func attackerChanges(d invDoc) []string {
	var out []string
	for _, s := range d.Signals {
		if s.Evidence.Details["attributed_to_attacker"] == "true" {
			out = append(out, s.ID)
		}
	}
	return out
}
