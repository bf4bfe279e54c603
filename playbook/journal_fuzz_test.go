package playbook

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/atoguard/atoguard"
)

// FuzzOpenJournal: any file content either opens (keeping a prefix of whole
// records, cutting a torn tail) or fails cleanly; an opened journal accepts
// appends and reopens with them.
func FuzzOpenJournal(f *testing.F) {
	f.Add([]byte(""))
	f.Add([]byte("{\"seq\":1,\"event\":\"run-start\"}\n"))
	f.Add([]byte("{\"seq\":1,\"event\":\"run-start\"}\n{\"seq\":2,\"ev"))
	f.Add([]byte("{\"seq\":1}\nnot json\n{\"seq\":3}\n"))
	f.Add([]byte("\n\n"))
	f.Add([]byte("{\"seq\":1,\"phase\":\"verified\",\"fingerprint\":\"abc\",\"action\":{\"account_sid\":\"AC1\"}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "j")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		j, err := OpenJournal(path)
		if err != nil {
			if atoguard.CodeOf(err) == "" {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		n := len(j.Records())
		appendRecord(t, j, Record{Event: EventRunEnd})
		j.Close()
		j2 := openJournal(t, path) // reopens after the append
		defer j2.Close()
		if got := len(j2.Records()); got != n+1 {
			t.Fatalf("records after append: %d, want %d", got, n+1)
		}
		_ = j2.Actions()
		_ = j2.Credentials()
	})
}

func BenchmarkJournalAppend(b *testing.B) {
	j := openJournal(b, filepath.Join(b.TempDir(), "j"))
	defer j.Close()
	r := Record{Event: EventDone, Action: atoguard.Action{ID: "delete-keys/AC1/SK1", Step: StepDeleteKeys, AccountSID: "AC1", Summary: "delete API key SK1", Status: atoguard.ActionDone}}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := j.Append(r); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
