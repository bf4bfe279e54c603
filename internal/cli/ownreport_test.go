package cli

import (
	"bytes"
	"testing"
	"time"

	"github.com/atoguard/atoguard/playbook"
	"github.com/atoguard/atoguard/scan"
)

// respond's JSON outputs (the plan and the apply summary; the incident
// report is checked in report) are recognised as atoguard's own, so a scan
// of the directory they were saved in does not report their SIDs.
func TestRespondReportsRecognised(t *testing.T) {
	for name, v := range map[string]any{
		"plan":          &playbook.Plan{CreatedAt: time.Now(), MainAccount: testSID},
		"apply summary": applySummary{Run: "r1", Changed: 2},
	} {
		var b bytes.Buffer
		if err := writeJSON(&b, v); err != nil {
			t.Fatal(err)
		}
		if scan.OwnReport(b.Bytes()) == "" {
			t.Errorf("%s not recognised:\n%.300s", name, b.String())
		}
	}
}
