package scan

import (
	"testing"
	"time"

	"github.com/atoguard/atoguard"
)

func TestEarliestPerSecret(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }
	f := func(path, fp, commit string, d int) atoguard.Finding {
		return atoguard.Finding{Rule: "twilio-auth-token", Path: path, Fingerprint: fp, Commit: commit, Date: day(d)}
	}
	in := []atoguard.Finding{
		f(".env", "aaa", "c3", 3), // a later edit of the file, still holding the token
		f(".env", "aaa", "c1", 1), // the commit that introduced it
		f(".env", "bbb", "c2", 2), // another secret in the same file
		f("app.py", "aaa", "c5", 5),
	}
	got := EarliestPerSecret(in)
	want := []string{".env@c1", ".env@c2", "app.py@c5"}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d: %+v", len(got), len(want), got)
	}
	for i, g := range got {
		if s := g.Path + "@" + g.Commit; s != want[i] {
			t.Errorf("finding %d = %s, want %s", i, s, want[i])
		}
	}
	if in[0].Commit != "c3" {
		t.Error("the input slice was modified")
	}
}
