package playbook

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/atoguard/atoguard"
)

// FuzzOpenJournal: any file content either opens (keeping a prefix of whole
// records, cutting a torn tail) or fails cleanly and leaves the file as it
// was; only a file with the journal header (or an empty one) opens; an
// opened journal accepts appends and reopens with them.
func FuzzOpenJournal(f *testing.F) {
	f.Add([]byte(""))
	f.Add([]byte(journalHeader))
	f.Add([]byte(journalHeader[:20]))
	f.Add([]byte(journalHeader + "{\"seq\":1,\"event\":\"run-start\"}\n"))
	f.Add([]byte(journalHeader + "{\"seq\":1,\"event\":\"run-start\"}\n{\"seq\":2,\"ev"))
	f.Add([]byte(journalHeader + "{\"seq\":1}\nnot json\n{\"seq\":3}\n"))
	f.Add([]byte(journalHeader + "\n\n"))
	f.Add([]byte(journalHeader + "{\"seq\":1,\"phase\":\"verified\",\"fingerprint\":\"abc\",\"action\":{\"account_sid\":\"AC1\"}}\n"))
	f.Add([]byte("{\"seq\":1,\"event\":\"run-start\"}\n"))
	f.Add([]byte(`{"AC1":{"auth_token":"x"}}`))
	f.Add([]byte("{\"a\":1}\n{\"b\":2}"))
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
			if after, _ := os.ReadFile(path); !bytes.Equal(after, data) {
				t.Fatalf("a refused file was changed: %q → %q", data, after)
			}
			return
		}
		if len(data) >= len(journalHeader) && !bytes.HasPrefix(data, []byte(journalHeader)) {
			t.Fatalf("a file without the journal header opened: %q", data)
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
