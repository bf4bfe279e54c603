package credstore

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atoguard/atoguard"
)

// FuzzEnvFile: whatever the env file holds, a store keeps every other line
// and a load returns the stored token.
func FuzzEnvFile(f *testing.F) {
	f.Add("# c\nA=1\nexport TWILIO_AUTH_TOKEN=\"x\"\n")
	f.Add("TWILIO_AUTH_TOKEN='y'\nTWILIO_AUTH_TOKEN=z")
	f.Add("")
	f.Add("=\n\x00\nexport \n")
	f.Fuzz(func(t *testing.T, content string) {
		p := filepath.Join(t.TempDir(), ".env")
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		s := &Env{Path: p, Var: "TWILIO_AUTH_TOKEN", Main: mainSID}
		tok := atoguard.NewSecret("0123456789abcdef0123456789abcdef")
		if err := s.Store(context.Background(), mainSID, tok); err != nil {
			t.Fatal(err)
		}
		got, err := s.Load(context.Background(), mainSID)
		if err != nil || got.Reveal() != tok.Reveal() {
			t.Fatalf("load after store: %v (match %v)", err, got.Reveal() == tok.Reveal())
		}
		data, _ := os.ReadFile(p)
		for _, l := range strings.Split(strings.TrimSuffix(content, "\n"), "\n") {
			if _, ok := envLine(l, "TWILIO_AUTH_TOKEN"); ok || l == "" {
				continue
			}
			if !strings.Contains(string(data), l) {
				t.Fatalf("line %q lost", l)
			}
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"file:/x", "env:/a:B", "cmd:vault put", "env:/a:b:C", ":", "file"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := Parse(spec, mainSID)
		if err != nil {
			if atoguard.CodeOf(err) != atoguard.EINVALID {
				t.Fatalf("error code %s", atoguard.CodeOf(err))
			}
			return
		}
		if s.Kind() == "" {
			t.Fatal("sink without a kind")
		}
	})
}
