package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/credstore"
	"github.com/atoguard/atoguard/internal/testsupport"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

func TestDemo(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("the demo builds a full world (a few seconds)")
	}
	var out, errb bytes.Buffer
	start := time.Now()
	streams := IO{Out: &out, Err: &errb, Now: time.Now}
	var code int
	wopts := scenario.Options{}
	if testsupport.Race { // the real command, on a smaller world
		wopts = scenario.Options{MessagesPerDay: 150}
		fillDefaults(&streams)
		code = exitStatus(runDemo(context.Background(), streams, &demoFlags{json: true, keep: true, seed: 3, world: &wopts}), streams.Err)
	} else {
		code = Run(context.Background(), []string{"demo", "--json", "--keep", "--seed", "3"}, streams)
	}
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, errb.String(), out.String())
	}
	if d := time.Since(start); d > 60*time.Second && !testsupport.Race {
		t.Errorf("demo took %s, want under a minute", d)
	}
	var sum demoSummary
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
		t.Fatalf("--json: %v\n%s", err, out.String())
	}
	t.Cleanup(func() { os.RemoveAll(sum.Dir) })
	if sum.Dir == "" || sum.Report == "" {
		t.Fatalf("--keep did not report the directory: %+v", sum)
	}
	if sum.Verdict != atoguard.VerdictCompromised || sum.LiveTokens == 0 || sum.Changed == 0 || sum.Failed != 0 {
		t.Errorf("summary: %+v", sum)
	}
	if len(sum.Checks) < 6 {
		t.Errorf("only %d checks", len(sum.Checks))
	}
	for _, c := range sum.Checks {
		if !c.OK {
			t.Errorf("check failed: %+v", c)
		}
	}
	narration := errb.String()
	for _, want := range []string{"== 1.", "Scan", "Investigate", "plan", "apply", "Verify", "Incident report", "Done in"} {
		if !strings.Contains(narration, want) {
			t.Errorf("narration lacks %q", want)
		}
	}

	wopts.Seed = 3
	assertDemoShowsNoToken(t, sum.Dir, wopts, out.String(), narration)
}

// assertDemoShowsNoToken: no token — the leaked one or the new ones — in the
// output or the files the demo kept, outside the credential file and the
// repository.
func assertDemoShowsNoToken(t *testing.T, dir string, wopts scenario.Options, texts ...string) {
	t.Helper()
	w, err := scenario.BuildWith("full-takeover", wopts)
	if err != nil {
		t.Fatal(err)
	}
	fs := &credstore.File{Path: filepath.Join(dir, "twilio-credentials.json")}
	var secrets []string
	for _, a := range w.Accounts {
		secrets = append(secrets, a.AuthToken)
		tok, err := fs.Load(context.Background(), a.SID)
		if err != nil {
			t.Fatalf("%s: %v", a.SID, err)
		}
		secrets = append(secrets, tok.Reveal())
	}
	for _, name := range []string{"respond.journal", "incident.md", "incident.json"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(data))
	}
	for _, s := range secrets {
		for i, txt := range texts {
			if strings.Contains(txt, s) {
				t.Errorf("text %d shows a token (fingerprint %s)", i, atoguard.Fingerprint(s))
			}
		}
	}
}
