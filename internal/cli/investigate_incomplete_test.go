package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/twilio"
	"github.com/atoguard/atoguard/twilio/emulator"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

// runInvestigateNoRetry runs investigate against an emulator with faults,
// with a client that does not retry (a failing collector fails at once).
func runInvestigateNoRetry(t *testing.T, world string, faults []emulator.FaultRule, args ...string) (int, string, string) {
	t.Helper()
	w, err := scenario.BuildWith(world, scenario.Options{Seed: 1, Now: investigateNow, MessagesPerDay: smallWorld})
	if err != nil {
		t.Fatal(err)
	}
	emu, err := emulator.New(emulator.Options{World: w, Clock: emulator.NewFrozenClock(investigateNow), Faults: faults})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	sid, tok, _ := emu.TestCredential()
	env := map[string]string{"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": tok.Reveal()}
	var out, errb bytes.Buffer
	streams := IO{Out: &out, Err: &errb, Now: func() time.Time { return investigateNow }, Getenv: func(k string) string { return env[k] }}
	fillDefaults(&streams)
	cmd := newInvestigateCommandWith(streams, &investigateOptions{clientOpts: func(o *twilio.Options) { o.MaxRetries = -1 }})
	cmd.SetArgs(append([]string{"--json", "--twilio-api-url", srv.URL}, args...))
	code := exitStatus(cmd.ExecuteContext(context.Background()), &errb)
	return code, out.String(), errb.String()
}

// TestInvestigateNeverCleanOnMissingData makes each collector of investigate
// fail in turn (500 for every account) on a world that is clean when read
// in full: the verdict is "incomplete", naming what is missing, and the exit
// status 2. Before, a failed collector still gave "clean", exit 0.
func TestInvestigateNeverCleanOnMissingData(t *testing.T) {
	paths := map[string]emulator.FaultRule{
		"messages":      {Product: "api", Path: "/2010-04-01/Accounts/*/Messages.json"},
		"calls":         {Product: "api", Path: "/2010-04-01/Accounts/*/Calls.json"},
		"usage":         {Product: "api", Path: "/2010-04-01/Accounts/*/Usage/Records/Daily.json"},
		"events":        {Product: "monitor", Path: "/v1/Events"},
		"configuration": {Product: "api", Path: "/2010-04-01/Accounts/*/IncomingPhoneNumbers.json"},
	}
	t.Run("none", func(t *testing.T) {
		t.Parallel()
		code, out, stderr := runInvestigateNoRetry(t, "baseline", nil)
		if code != ExitClean || !strings.Contains(out, `"verdict": "clean"`) {
			t.Fatalf("fault-free world: exit %d\n%.300s\n%s", code, out, stderr)
		}
	})
	for collector, rule := range paths {
		t.Run(collector, func(t *testing.T) {
			t.Parallel()
			rule.Probability, rule.Kind, rule.Status = 1, emulator.FaultStatus, 500
			code, out, stderr := runInvestigateNoRetry(t, "baseline", []emulator.FaultRule{rule})
			var doc struct {
				Verdict    atoguard.Verdict `json:"verdict"`
				Reasons    []string         `json:"reasons"`
				Incomplete []string         `json:"incomplete"`
				Accounts   []struct {
					Verdict atoguard.Verdict `json:"verdict"`
					Missing []string         `json:"missing"`
				} `json:"accounts"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("exit %d: %v\n%s", code, err, stderr)
			}
			if doc.Verdict != atoguard.VerdictIncomplete || code != ExitError {
				t.Fatalf("verdict %s, exit %d; reasons %v", doc.Verdict, code, doc.Reasons)
			}
			if len(doc.Incomplete) == 0 || !strings.Contains(doc.Incomplete[0], collector) ||
				!strings.Contains(doc.Reasons[0], collector) || !strings.Contains(stderr, "incomplete") || !strings.Contains(stderr, collector) {
				t.Errorf("what is missing is not named: incomplete %v, reasons %v, stderr %s", doc.Incomplete, doc.Reasons, stderr)
			}
			for _, a := range doc.Accounts {
				if a.Verdict == atoguard.VerdictClean || !slices.Contains(a.Missing, collector) {
					t.Errorf("account verdict %s, missing %v", a.Verdict, a.Missing)
				}
			}
		})
	}
	// Evidence still carries a verdict when some data is missing; the
	// missing part is named among the reasons.
	t.Run("attack", func(t *testing.T) {
		t.Parallel()
		rule := paths["calls"]
		rule.Probability, rule.Kind, rule.Status = 1, emulator.FaultStatus, 500
		code, out, _ := runInvestigateNoRetry(t, "full-takeover", []emulator.FaultRule{rule})
		if code != ExitFindings || !strings.Contains(out, `"verdict": "compromised"`) || !strings.Contains(out, "also: incomplete data") {
			t.Fatalf("exit %d\n%.600s", code, out)
		}
	})
}
