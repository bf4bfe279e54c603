package scan

import "testing"

// Files that merely look like JSON or Markdown reports are not taken for
// atoguard's own (the writers' packages check the positive side).
func TestOwnReportNotFooled(t *testing.T) {
	for _, s := range []string{
		"",
		`{"findings":[{"rule":"twilio-auth-token","verification":"unverified"}],"stats":{}}`, // compact: not ours
		"{\n  \"findings\": [\n    \"a user's list\"\n  ]\n}\n",
		"{\n  \"score\": 3\n}\n",
		"{\n  \"verdict\": \"guilty\"\n}\n",
		"{\n  \"version\": \"2.1.0\",\n  \"$schema\": \"x\",\n  \"runs\": [\n    {\"tool\": {\"driver\": {\"name\": \"gitleaks\"}}}\n  ]\n}\n",
		"# Incident report: Twilio account AC123\n\nWritten by hand.\n",
		"# atoguard audit notes\n",
		"{\n  \"unterminated",
	} {
		if got := OwnReport([]byte(s)); got != "" {
			t.Errorf("OwnReport(%q) = %q, want \"\"", s, got)
		}
	}
}
