package scan

import (
	"context"
	"testing"

	atoguard "github.com/atoguard/atoguard"
)

// verifyMarker marks every finding it is given, as scan/verify does.
type verifyMarker struct{ seen int }

func (v *verifyMarker) Findings(_ context.Context, fs []atoguard.Finding) {
	for i := range fs {
		fs[i].Verification = "checked"
		v.seen++
	}
}

// TestRunPipeline: Run drops what the base held and what the baseline
// holds, and verifies only what is left.
func TestRunPipeline(t *testing.T) {
	pair := expand("account_sid = \"{SID}\"\nauth_token = \"{TOK}\"\n")
	pair2 := expand("account_sid = \"{SID2}\"\nauth_token = \"{TOK2}\"\n")
	pair3 := expand("TWILIO_ACCOUNT_SID={SID}\nTWILIO_AUTH_TOKEN={TOK3}\n")
	src := items{textItem("old.py", pair), textItem("new.py", pair2), textItem("known.env", pair3)}
	base := items{textItem("old.py", pair)}
	known := New(Options{}).ScanBytes("known.env", []byte(pair3))
	v := &verifyMarker{}
	res, err := New(Options{}).Run(context.Background(), Job{Source: src, Base: base, Baseline: known, Verifier: v})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 || res.Findings[0].Path != "new.py" || res.Findings[0].Verification != "checked" || v.seen != 1 {
		t.Fatalf("findings %+v, verified %d; want new.py alone, verified", res.Findings, v.seen)
	}
}
