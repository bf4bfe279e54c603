package report

import (
	"strings"
	"testing"

	"github.com/atoguard/atoguard/audit"
)

func TestFixCommandsMergeAccounts(t *testing.T) {
	f := func(sid, step, flags string) audit.Finding {
		return audit.Finding{AccountSID: sid, Step: step, Fix: "atoguard respond apply --only " + step + " --accounts " + sid + flags}
	}
	findings := []audit.Finding{
		f("AC1", "usage-triggers", " --trigger-callback-url https://x"),
		f("AC1", "usage-triggers", " --trigger-callback-url https://x"),
		f("AC2", "usage-triggers", " --trigger-callback-url https://x"),
		f("AC2", "webhooks", " --webhook-snapshot k.json"),
		{AccountSID: "AC1", Fix: "serve it over HTTPS"}, // manual: no command
	}
	got := fixCommands(findings, 2)
	if len(got) != 2 || got[0].findings != 3 || got[0].accounts != nil || got[1].findings != 1 {
		t.Fatalf("got %+v", got)
	}
	// Every account: no --accounts at all; some: one --accounts each.
	if s := got[0].shellLines(""); strings.Contains(s, "--accounts") {
		t.Errorf("all accounts named:\n%s", s)
	}
	want := "atoguard respond apply \\\n    --only webhooks \\\n    --accounts AC2 \\\n    --webhook-snapshot k.json"
	if s := got[1].shellLines(""); s != want {
		t.Errorf("got\n%s\nwant\n%s", s, want)
	}
}
