package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/atoguard/atoguard/scan"
)

// FuzzReadBaseline: a baseline file is user input; reading it never panics and
// whatever it accepts survives a write/read round trip unchanged.
func FuzzReadBaseline(f *testing.F) {
	var b bytes.Buffer
	_ = JSON(&b, sampleScanResult())
	f.Add(b.String())
	f.Add(`{"findings":[]}`)
	f.Add(`{"findings":[{"rule":"x","fingerprint":"y","date":"2024-01-01T00:00:00Z"}]}`)
	f.Add(`{"findings":null}`)
	f.Fuzz(func(t *testing.T, in string) {
		fs, err := scan.ReadBaseline(strings.NewReader(in))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := JSON(&out, scan.Result{Findings: fs}); err != nil {
			t.Fatal(err)
		}
		again, err := scan.ReadBaseline(&out)
		if err != nil {
			t.Fatalf("re-read: %v", err)
		}
		if len(again) != len(fs) {
			t.Fatalf("round trip: %d findings, then %d", len(fs), len(again))
		}
		for i := range fs {
			if BaselineKey(fs[i]) != BaselineKey(again[i]) || !fs[i].Date.Equal(again[i].Date) {
				t.Fatalf("finding %d changed: %+v → %+v", i, fs[i], again[i])
			}
		}
	})
}
