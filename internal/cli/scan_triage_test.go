package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestScanTriage (issue 18): text groups a bare SID found in several places
// on one line; --min-severity filters every format; JSON keeps every
// finding with its severity and placeholder mark.
func TestScanTriage(t *testing.T) {
	const bareSID = "AC7e2f9a4c1b8d3e6f0a5c9b2d7e4f1a8c" // fabricated
	dir := t.TempDir()
	files := map[string]string{
		"app/.env": "TWILIO_ACCOUNT_SID=" + testSID + "\nTWILIO_AUTH_TOKEN=" + testToken + "\n",
	}
	for _, name := range []string{"docs/a.md", "docs/b.md", "docs/c.md", "tests/d_test.py", "tests/e_test.py"} {
		files[name] = "The account " + bareSID + " sends the message.\n"
	}
	writeTree(t, dir, files)
	code, out, _ := cli{}.run(t, "scan", "--quiet", dir)
	if code != 1 || strings.Count(out, bareSID) != 1 || !strings.Contains(out, bareSID+" twilio-account-sid (low) in 5 places: ") ||
		!strings.Contains(out, filepath.Join(dir, "docs/a.md")+":1:13") || !strings.Contains(out, ", …") {
		t.Errorf("exit %d, text not grouped:\n%s", code, out)
	}
	code, out, _ = cli{}.run(t, "scan", "--quiet", "--min-severity", "high", dir)
	if code != 1 || strings.Contains(out, bareSID) || !strings.Contains(out, "twilio-auth-token (critical)") {
		t.Errorf("--min-severity high: exit %d\n%s", code, out)
	}
	code, out, _ = cli{}.run(t, "scan", "--quiet", "--json", "--include-placeholders", dir)
	var rep struct {
		Findings []struct {
			Rule        string `json:"rule"`
			Severity    *string
			Placeholder *bool
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 1 || len(rep.Findings) != 6 {
		t.Fatalf("json: exit %d, %v, %d findings\n%s", code, err, len(rep.Findings), out)
	}
	for _, f := range rep.Findings {
		if f.Severity == nil || f.Placeholder == nil {
			t.Errorf("finding without severity or placeholder: %+v", f)
		}
	}
	code, _, errOut := cli{}.run(t, "scan", "--min-severity", "urgent", dir)
	if code != 2 || !strings.Contains(errOut, "--min-severity") || !strings.Contains(errOut, "low, high or critical") {
		t.Errorf("bad --min-severity: exit %d %s", code, errOut)
	}
}
