package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xeipuuv/gojsonschema"

	atoguard "github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/scan"
)

// Planted secrets: fabricated values that must never reach any output.
const (
	plantedToken  = "5e8f1c2ad94b7036fe21c8d4a97b3e60"
	plantedSecret = "Zq8RtY2mPw4KxN6vLs0JhGf3DcB9AeU1"
	plantedSG     = "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"
	rpAcct        = "AC4d2b8e6f0a1c3e5b7d9f1a3c5e7b9d1f"
	rpKeySID      = "SK7e1d3c5b9a2f4e6d8c0b1a3f5e7d9c2b"
)

func sampleScanResult() scan.Result {
	date := time.Date(2024, 3, 1, 12, 30, 0, 0, time.FixedZone("CET", 3600))
	mk := func(rule string, sev atoguard.Severity, path string, line int, acc, key, secret string) atoguard.Finding {
		f := atoguard.Finding{Rule: rule, Severity: sev, Path: path, Line: line, Column: 7, AccountSID: acc, KeySID: key,
			Verification: atoguard.Unverified}
		if secret != "" {
			f.Secret = atoguard.NewSecret(secret)
			f.Fingerprint = f.Secret.Fingerprint()
		} else {
			f.Fingerprint = atoguard.Fingerprint(acc)
		}
		return f
	}
	hist := mk(scan.RuleAuthToken, atoguard.SeverityCritical, "config/old settings.yml", 3, rpAcct, "", plantedToken)
	hist.Commit, hist.Author, hist.Email, hist.Date = "0123456789abcdef0123456789abcdef01234567", "Eve Mallory", "eve@example.com", date
	live := mk(scan.RuleAPIKey, atoguard.SeverityCritical, "app.zip!src/client.py", 12, rpAcct, rpKeySID, plantedSecret)
	live.Verification, live.VerificationDetail = atoguard.Live, "Full main account 'Acme', active"
	repeated := mk(scan.RuleAuthToken, atoguard.SeverityCritical, ".env", 2, rpAcct, "", plantedToken)
	repeated.Count = 12 // lines 2 to 13; the first ten further places are listed
	for l := 3; l < 3+atoguard.MaxMoreLocations; l++ {
		repeated.More = append(repeated.More, atoguard.Location{Line: l, Column: 7})
	}
	return scan.Result{
		Findings: []atoguard.Finding{
			repeated,
			hist, live,
			mk(scan.RuleAccountSID, atoguard.SeverityLow, "README.md", 40, rpAcct, "", ""),
			mk(scan.RuleSendGrid, atoguard.SeverityHigh, "-", 1, "", "", plantedSG),
		},
		Skipped: []scan.Skip{
			{Path: "bomb.zip!a.txt", Reason: "archive limit: expansion ratio exceeded, content past it not scanned"},
			{Path: "deep/d1/d2", Reason: "more than 256 directories deep, not descended"},
		},
		Stats: scan.Stats{Files: 10, Blobs: 3, Bytes: 123456, Duration: 1500 * time.Millisecond, Skipped: 5, Binary: 3},
	}
}

func renderScan(t *testing.T, f Format, res scan.Result) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, f, res, Options{ToolVersion: "0.1.0"}); err != nil {
		t.Fatalf("%s: %v", f, err)
	}
	return b.String()
}

func TestJSONContract(t *testing.T) {
	out := renderScan(t, FormatJSON, sampleScanResult())
	if !strings.Contains(out, `"secret": "<redacted>"`) {
		t.Errorf("secret not written as <redacted>:\n%s", out)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	keys := func(m map[string]any) []string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return ks
	}
	if got := strings.Join(keys(doc), ","); got != "findings,skipped,stats" {
		t.Fatalf("top-level keys %s", got)
	}
	// severity and placeholder are on every finding (issue 18).
	wantF := "account_sid,author,column,commit,count,date,email,fingerprint,key_sid,line,more_locations,path,placeholder,rule,secret,severity,verification"
	fs := doc["findings"].([]any)
	if len(fs) != 5 {
		t.Fatalf("%d findings", len(fs))
	}
	for _, f := range fs {
		if got := strings.Join(keys(f.(map[string]any)), ","); got != wantF {
			t.Fatalf("finding keys %s", got)
		}
	}
	if got := strings.Join(keys(doc["stats"].(map[string]any)), ","); got != "binary,blobs,bytes,duration_ms,files,skipped" {
		t.Fatalf("stats keys %s", got)
	}
	var rep JSONReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	f0, f1, f2, f3 := rep.Findings[0], rep.Findings[1], rep.Findings[2], rep.Findings[3]
	checks := []struct {
		name      string
		got, want any
	}{
		{"secret redacted", f0.Secret, "<redacted>"},
		{"no commit", f0.Commit, ""},
		{"no date", f0.Date, ""},
		{"no key sid", f0.KeySID, ""},
		{"unverified", f0.Verification, "unverified"},
		{"date rfc3339", f1.Date, "2024-03-01T12:30:00+01:00"},
		{"author", f1.Author, "Eve Mallory"},
		{"live", f2.Verification, "live"},
		{"key sid", f2.KeySID, rpKeySID},
		{"bare sid has no secret", f3.Secret, ""},
		{"severity", f0.Severity, "critical"},
		{"bare sid severity", f3.Severity, "low"},
		{"not a placeholder", f0.Placeholder, false},
		{"bare sid fingerprint", f3.Fingerprint, atoguard.Fingerprint(rpAcct)},
		{"duration", rep.Stats.DurationMS, int64(1500)},
		{"bytes", rep.Stats.Bytes, int64(123456)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

// A repeated credential is one finding in every format, with its count and
// the first further places.
func TestRepeatedFindingRendered(t *testing.T) {
	res := sampleScanResult()
	var rep JSONReport
	if err := json.Unmarshal([]byte(renderScan(t, FormatJSON, res)), &rep); err != nil {
		t.Fatal(err)
	}
	f0, f1 := rep.Findings[0], rep.Findings[1]
	if f0.Count != 12 || len(f0.MoreLocations) != 10 || f0.MoreLocations[9] != (JSONLocation{Line: 12, Column: 7}) {
		t.Errorf("repeated JSON finding: count %d, more %v", f0.Count, f0.MoreLocations)
	}
	if f1.Count != 1 || f1.MoreLocations == nil || len(f1.MoreLocations) != 0 {
		t.Errorf("single JSON finding: count %d, more %#v (want 1 and [])", f1.Count, f1.MoreLocations)
	}
	text := renderScan(t, FormatText, res)
	if !strings.Contains(text, "  repeated 12 times in this file, also at 3:7, 4:7, 5:7, 6:7, 7:7, 8:7, 9:7, 10:7, 11:7, 12:7, …\n") {
		t.Errorf("text lacks the repetition line:\n%s", text)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				Message          struct{ Text string } `json:"message"`
				RelatedLocations []any                 `json:"relatedLocations"`
				Properties       map[string]any        `json:"properties"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(renderScan(t, FormatSARIF, res)), &log); err != nil {
		t.Fatal(err)
	}
	r0 := log.Runs[0].Results[0]
	if len(r0.RelatedLocations) != 10 || r0.Properties["count"] != float64(12) || !strings.Contains(r0.Message.Text, "12 times in this file") {
		t.Errorf("SARIF result: %d related locations, properties %v, message %q", len(r0.RelatedLocations), r0.Properties, r0.Message.Text)
	}
}

// What a scan did not read in full is listed with path and reason in JSON
// and SARIF, and counted in the text summary, apart from binary files.
func TestSkippedReported(t *testing.T) {
	res := sampleScanResult()
	var rep JSONReport
	if err := json.Unmarshal([]byte(renderScan(t, FormatJSON, res)), &rep); err != nil {
		t.Fatal(err)
	}
	want := []JSONSkip{{"bomb.zip!a.txt", res.Skipped[0].Reason}, {"deep/d1/d2", res.Skipped[1].Reason}}
	if !slices.Equal(rep.Skipped, want) || rep.Stats.Skipped != 5 || rep.Stats.Binary != 3 {
		t.Errorf("JSON skipped %v, stats %+v", rep.Skipped, rep.Stats)
	}
	var log struct {
		Runs []struct {
			Invocations []struct {
				ExecutionSuccessful        bool `json:"executionSuccessful"`
				ToolExecutionNotifications []struct {
					Level     string                `json:"level"`
					Message   struct{ Text string } `json:"message"`
					Locations []struct {
						PhysicalLocation struct {
							ArtifactLocation struct{ URI string } `json:"artifactLocation"`
						} `json:"physicalLocation"`
					} `json:"locations"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(renderScan(t, FormatSARIF, res)), &log); err != nil {
		t.Fatal(err)
	}
	if len(log.Runs[0].Invocations) != 1 {
		t.Fatalf("invocations %+v", log.Runs[0].Invocations)
	}
	inv := log.Runs[0].Invocations[0]
	if !inv.ExecutionSuccessful || len(inv.ToolExecutionNotifications) != 2 {
		t.Fatalf("invocation %+v", inv)
	}
	n := inv.ToolExecutionNotifications[1]
	if n.Level != "warning" || n.Locations[0].PhysicalLocation.ArtifactLocation.URI != "deep/d1/d2" || !strings.Contains(n.Message.Text, "256 directories deep") {
		t.Errorf("notification %+v", n)
	}
	for _, c := range []struct {
		st   scan.Stats
		want string
	}{
		{scan.Stats{Files: 1}, "no findings in 1 file, 0 B in 0.00s"},
		{scan.Stats{Files: 1, Skipped: 2, Binary: 2}, "no findings in 1 file, 0 B in 0.00s, 2 skipped (binary)"},
		{scan.Stats{Files: 1, Skipped: 1}, "no findings in 1 file, 0 B in 0.00s, 1 skipped (not read in full)"},
	} {
		if got := Summary(scan.Result{Stats: c.st}); got != c.want {
			t.Errorf("summary %q, want %q", got, c.want)
		}
	}
}

func TestJSONEmptyFindingsIsArray(t *testing.T) {
	out := renderScan(t, FormatJSON, scan.Result{})
	if !strings.Contains(out, `"findings": []`) {
		t.Fatalf("empty findings not []: %s", out)
	}
}

func TestReadBaselineRoundTrip(t *testing.T) {
	res := sampleScanResult()
	var b bytes.Buffer
	if err := JSON(&b, res); err != nil {
		t.Fatal(err)
	}
	known, err := scan.ReadBaseline(&b)
	if err != nil {
		t.Fatal(err)
	}
	if len(known) != len(res.Findings) {
		t.Fatalf("read %d findings", len(known))
	}
	if !known[1].Date.Equal(res.Findings[1].Date) || known[1].Severity != atoguard.SeverityCritical || !known[1].Secret.IsZero() {
		t.Errorf("round trip: %+v", known[1])
	}
	// Same findings on other lines are known; a new secret is not.
	next := slices.Clone(res.Findings)
	for i := range next {
		next[i].Line += 5
	}
	fresh := atoguard.Finding{Rule: scan.RuleAuthToken, Path: ".env", AccountSID: rpAcct, Secret: atoguard.NewSecret("ffffffffffffffff0000000000000000")}
	fresh.Fingerprint = fresh.Secret.Fingerprint()
	next = append(next, fresh)
	got := scan.FilterBaseline(next, known)
	if len(got) != 1 || got[0].Fingerprint != fresh.Fingerprint {
		t.Fatalf("filtered %+v", got)
	}
}

func TestReadBaselineErrors(t *testing.T) {
	for _, in := range []string{"", "nope", `{"stats":{}}`, `{"findings":[{"rule":"x"}]}`,
		`{"findings":[{"rule":"x","fingerprint":"ab","date":"yesterday"}]}`} {
		_, err := scan.ReadBaseline(strings.NewReader(in))
		var ae *atoguard.Error
		if !errors.As(err, &ae) || ae.Code != atoguard.EINVALID {
			t.Errorf("%q: err = %v", in, err)
		}
	}
}

// TestSARIFValidAgainstSchema validates against the OASIS SARIF 2.1.0 JSON
// schema (errata01), vendored in testdata from the Go module cache copy that
// github.com/owenrumney/go-sarif/v3 v3.3.1 embeds (pkg/report/v210/sarif/
// schema.go), with the draft-04 validator github.com/xeipuuv/gojsonschema.
func TestSARIFValidAgainstSchema(t *testing.T) {
	schema, err := os.ReadFile("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	sl := gojsonschema.NewBytesLoader(schema)
	for name, res := range map[string]scan.Result{"sample": sampleScanResult(), "empty": {}} {
		out := renderScan(t, FormatSARIF, res)
		r, err := gojsonschema.Validate(sl, gojsonschema.NewStringLoader(out))
		if err != nil {
			t.Fatal(err)
		}
		if !r.Valid() {
			t.Errorf("%s: invalid SARIF: %v\n%s", name, r.Errors(), out)
		}
	}
	// The validator does reject a broken log (the test can fail).
	r, err := gojsonschema.Validate(sl, gojsonschema.NewStringLoader(`{"version":"2.1.0","runs":[{"results":[]}]}`))
	if err != nil || r.Valid() {
		t.Fatalf("schema accepted a run without tool: %v", err)
	}
}

func TestSARIFContent(t *testing.T) {
	res := sampleScanResult()
	out := renderScan(t, FormatSARIF, res)
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID   string `json:"id"`
						Help struct {
							Text string `json:"text"`
						} `json:"help"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID              string            `json:"ruleId"`
				RuleIndex           int               `json:"ruleIndex"`
				Level               string            `json:"level"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
				Locations           []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if log.Version != "2.1.0" || run.Tool.Driver.Name != "atoguard" || len(run.Tool.Driver.Rules) != len(scan.Rules()) {
		t.Fatalf("header: %+v", log)
	}
	for _, r := range run.Tool.Driver.Rules {
		if len(r.Help.Text) < 40 {
			t.Errorf("rule %s: help %q", r.ID, r.Help.Text)
		}
	}
	for i, r := range run.Results {
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %d: ruleIndex %d points at %s", i, r.RuleIndex, run.Tool.Driver.Rules[r.RuleIndex].ID)
		}
		if r.PartialFingerprints[PartialFingerprintKey] == "" {
			t.Errorf("result %d: no partial fingerprint", i)
		}
	}
	if got := run.Results[1].Locations[0].PhysicalLocation.ArtifactLocation.URI; got != "config/old%20settings.yml" {
		t.Errorf("uri %q", got)
	}
	if run.Results[3].Level != "note" || run.Results[0].Level != "error" {
		t.Errorf("levels %s %s", run.Results[0].Level, run.Results[3].Level)
	}
	// Stable: moving a finding to another line keeps its partial fingerprint;
	// another secret changes it.
	moved := sampleScanResult()
	moved.Findings[0].Line = 99
	if PartialFingerprint(moved.Findings[0]) != run.Results[0].PartialFingerprints[PartialFingerprintKey] {
		t.Error("partial fingerprint depends on the line")
	}
	if PartialFingerprint(res.Findings[0]) == PartialFingerprint(res.Findings[3]) {
		t.Error("different findings share a partial fingerprint")
	}
}

func TestText(t *testing.T) {
	out := renderScan(t, FormatText, sampleScanResult())
	for _, want := range []string{
		".env:2:7 twilio-auth-token (critical)",
		"  account  " + rpAcct,
		"  secret   ******** fingerprint " + atoguard.Fingerprint(plantedToken),
		"  commit   0123456789abcdef0123456789abcdef01234567 by Eve Mallory <eve@example.com> 2024-03-01T11:30:00Z",
		"  api key  " + rpKeySID,
		"  verified live - Full main account 'Acme', active",
		"README.md:40:7 twilio-account-sid (low)",
		"5 findings (3 critical, 1 high, 1 low) in 10 files, 3 blobs, 123.5 kB in 1.50s, 5 skipped (3 binary, 2 not read in full)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour without Options.Color")
	}
	var b bytes.Buffer
	if err := Text(&b, sampleScanResult(), Options{Color: true}); err != nil || !strings.Contains(b.String(), "\x1b[") {
		t.Error("no colour with Options.Color")
	}
	if got := Summary(scan.Result{}); got != "no findings in 0 files, 0 B in 0.00s" {
		t.Errorf("empty summary %q", got)
	}
	history := scan.Result{Stats: scan.Stats{Blobs: 20906, Bytes: 214_200_000, Duration: 590 * time.Millisecond}}
	if got := Summary(history); got != "no findings in 20906 blobs, 214.2 MB in 0.59s" {
		t.Errorf("history summary = %q", got)
	}
}

func TestTextStripsControlCharacters(t *testing.T) {
	res := scan.Result{Findings: []atoguard.Finding{{Rule: scan.RuleAccountSID, Path: "evil\x1b[2J.txt", Line: 1, Column: 1, AccountSID: rpAcct}}}
	if out := renderScan(t, FormatText, res); strings.Contains(out, "\x1b") {
		t.Fatalf("escape passed through: %q", out)
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"text": FormatText, "JSON": FormatJSON, " sarif ": FormatSARIF} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	if _, err := ParseFormat("xml"); atoguard.CodeOf(err) != atoguard.EINVALID {
		t.Errorf("xml: %v", err)
	}
	if err := Write(&bytes.Buffer{}, "xml", scan.Result{}, Options{}); err == nil {
		t.Error("Write accepted xml")
	}
}

// TestPlantedSecretsNeverRendered renders planted secrets in every format
// (and through fmt and slog) and looks for any 6-character piece of them.
func TestPlantedSecretsNeverRendered(t *testing.T) {
	res := sampleScanResult()
	outputs := map[string]string{}
	for _, f := range []Format{FormatText, FormatJSON, FormatSARIF} {
		outputs[string(f)] = renderScan(t, f, res)
	}
	var b bytes.Buffer
	lg := slog.New(slog.NewJSONHandler(&b, nil))
	for _, f := range res.Findings {
		lg.Info("finding", "finding", f, "secret", f.Secret)
	}
	outputs["slog"] = b.String()
	var fm bytes.Buffer
	for _, f := range res.Findings {
		fm.WriteString(strings.Join([]string{fmt.Sprintf("%v", f), fmt.Sprintf("%+v", f), fmt.Sprintf("%#v", f), fmt.Sprintf("%s", f.Secret)}, "\n"))
	}
	outputs["fmt"] = fm.String()
	for _, secret := range []string{plantedToken, plantedSecret, plantedSG} {
		fp := atoguard.Fingerprint(secret)
		for name, out := range outputs {
			if !strings.Contains(out, "<redacted>") && !strings.Contains(out, Mask) {
				t.Errorf("%s: no redaction marker at all", name)
			}
			// Drop what the fingerprint and the SIDs legitimately show.
			scrubbed := strings.NewReplacer(fp, "", rpAcct, "", rpKeySID, "").Replace(out)
			for i := 0; i+6 <= len(secret); i++ {
				if piece := secret[i : i+6]; strings.Contains(scrubbed, piece) {
					t.Errorf("%s output contains %q from a planted secret", name, piece)
				}
			}
		}
	}
}

// TestPlantedSecretsEndToEnd plants secrets in files, scans them with the
// real detectors and greps every format for any 6-character piece.
func TestPlantedSecretsEndToEnd(t *testing.T) {
	content := strings.Join([]string{
		"TWILIO_ACCOUNT_SID=" + rpAcct,
		"TWILIO_AUTH_TOKEN=" + plantedToken,
		"TWILIO_API_KEY=" + rpKeySID,
		"TWILIO_API_SECRET=" + plantedSecret,
		"SENDGRID_API_KEY=" + plantedSG,
		"curl -u " + rpAcct + ":" + plantedToken + " https://api.twilio.com/",
	}, "\n")
	s := scan.New(scan.Options{})
	res := scan.Result{Findings: s.ScanBytes("config/.env", []byte(content)), Stats: scan.Stats{Files: 1}}
	// The curl line repeats the auth token pair: one finding, counted twice.
	if len(res.Findings) != 3 || res.Findings[0].Count != 2 {
		t.Fatalf("want 3 findings, the first twice, got %+v", res.Findings)
	}
	for _, f := range []Format{FormatText, FormatJSON, FormatSARIF} {
		out := renderScan(t, f, res)
		scrubbed := strings.NewReplacer(rpAcct, "", rpKeySID, "").Replace(out)
		for _, secret := range []string{plantedToken, plantedSecret, plantedSG} {
			scrubbed = strings.ReplaceAll(scrubbed, atoguard.Fingerprint(secret), "")
		}
		for _, secret := range []string{plantedToken, plantedSecret, plantedSG} {
			for i := 0; i+6 <= len(secret); i++ {
				if strings.Contains(scrubbed, secret[i:i+6]) {
					t.Errorf("%s output contains %q of a planted secret", f, secret[i:i+6])
				}
			}
		}
	}
}
