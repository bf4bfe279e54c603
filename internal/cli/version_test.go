package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestVersionStamped(t *testing.T) {
	var out bytes.Buffer
	streams := IO{Out: &out, Build: BuildInfo{Version: "0.2.0-SNAPSHOT-1a2b3c4", Commit: "1a2b3c4d5e6f7a8b9c0d", Date: "2026-12-08T00:00:00Z"}}
	if code := Run(context.Background(), []string{"version"}, streams); code != 0 {
		t.Fatalf("exit %d", code)
	}
	got := out.String()
	for _, want := range []string{"atoguard 0.2.0-SNAPSHOT-1a2b3c4", "commit 1a2b3c4d5e6f", "built 2026-12-08T00:00:00Z", "go1."} {
		if !strings.Contains(got, want) {
			t.Errorf("version output %q lacks %q", got, want)
		}
	}
	out.Reset()
	if code := Run(context.Background(), []string{"version", "--json"}, streams); code != 0 {
		t.Fatalf("--json exit %d", code)
	}
	var b BuildInfo
	if err := json.Unmarshal(out.Bytes(), &b); err != nil || b.Version != "0.2.0-SNAPSHOT-1a2b3c4" || b.Commit != "1a2b3c4d5e6f7a8b9c0d" {
		t.Fatalf("--json: %v %+v", err, b)
	}
}

// Without a stamp the toolchain's record is used: never an empty version.
func TestVersionUnstamped(t *testing.T) {
	var out bytes.Buffer
	if code := Run(context.Background(), []string{"version"}, IO{Out: &out}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.HasPrefix(out.String(), "atoguard ") || strings.HasPrefix(out.String(), "atoguard  ") {
		t.Fatalf("version output %q", out.String())
	}
}
