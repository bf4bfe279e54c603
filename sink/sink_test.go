package sink

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/atoguard/atoguard"
)

const (
	mainSID = "AC00000000000000000000000000000001"
	subSID  = "AC00000000000000000000000000000002"
)

func tok(c byte) atoguard.Secret { return atoguard.NewSecret(strings.Repeat(string(c), 32)) }

func TestSinksStoreAndLoad(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "store.sh")
	db := filepath.Join(dir, "db")
	// A tiny secret manager: keeps the JSON it receives, one file per account.
	os.WriteFile(script, []byte(`#!/bin/sh
in=$(cat)
acct=$(printf '%s' "$in" | sed -n 's/.*"account_sid":"\([^"]*\)".*/\1/p')
case "$in" in
*'"action":"store"'*) printf '%s' "$in" > "`+db+`.$acct" ;;
*'"action":"load"'*) if [ -f "`+db+`.$acct" ]; then cat "`+db+`.$acct"; fi ;;
esac
`), 0o700)
	tests := []struct {
		spec string
	}{
		{"file:" + filepath.Join(dir, "creds.json")},
		{"env:" + filepath.Join(dir, ".env")},
		{"env:" + filepath.Join(dir, "app.env") + ":APP_TWILIO_TOKEN"},
		{"cmd:" + script},
	}
	for _, tc := range tests {
		t.Run(tc.spec[:strings.Index(tc.spec, ":")], func(t *testing.T) {
			s, err := Parse(tc.spec, mainSID)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if _, err := s.Load(ctx, mainSID); !errors.Is(err, ErrNotStored) && !errors.Is(err, ErrNoReadBack) {
				t.Fatalf("empty sink: err = %v", err)
			}
			for _, step := range []struct {
				acct string
				tok  atoguard.Secret
			}{{mainSID, tok('a')}, {subSID, tok('b')}, {mainSID, tok('c')}} {
				if err := s.Store(ctx, step.acct, step.tok); err != nil {
					t.Fatal(err)
				}
				got, err := s.Load(ctx, step.acct)
				if err != nil {
					t.Fatal(err)
				}
				if got.Reveal() != step.tok.Reveal() {
					t.Fatalf("%s: loaded %s, want %s", step.acct, got.Fingerprint(), step.tok.Fingerprint())
				}
			}
			if got, _ := s.Load(ctx, subSID); got.Reveal() != tok('b').Reveal() {
				t.Fatal("storing the main token clobbered the subaccount's")
			}
			if s.Kind() != "cmd" {
				p := strings.Split(strings.TrimPrefix(tc.spec, s.Kind()+":"), ":")[0]
				st, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if st.Mode().Perm() != 0o600 {
					t.Errorf("mode %v, want 0600", st.Mode().Perm())
				}
			}
			if strings.Contains(s.Location(), tok('c').Reveal()) {
				t.Fatal("location shows a token")
			}
		})
	}
}

func TestEnvKeepsOtherLines(t *testing.T) {
	p := filepath.Join(t.TempDir(), ".env")
	os.WriteFile(p, []byte("# app settings\nexport TWILIO_AUTH_TOKEN=\"old\"\nDATABASE_URL=postgres://x\n"), 0o640)
	s := &Env{Path: p, Var: "TWILIO_AUTH_TOKEN", Main: mainSID}
	if err := s.Store(context.Background(), mainSID, tok('n')); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(p)
	want := "# app settings\nexport TWILIO_AUTH_TOKEN=" + tok('n').Reveal() + "\nDATABASE_URL=postgres://x\n"
	if string(data) != want {
		t.Fatalf("env file:\n%s\nwant:\n%s", data, want)
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v: a file holding a token must be owner-only", st.Mode().Perm())
	}
}

func TestCommandFailureIsNotStored(t *testing.T) {
	s := &Command{Command: "cat >/dev/null; echo secret-echo >&2; exit 1"}
	err := s.Store(context.Background(), mainSID, tok('z'))
	if err == nil {
		t.Fatal("a failing command reported success")
	}
	if strings.Contains(err.Error(), tok('z').Reveal()) || strings.Contains(err.Error(), "secret-echo") {
		t.Fatalf("error leaks: %v", err)
	}
	if _, err := (&Command{Command: "cat >/dev/null; exit 3"}).Load(context.Background(), mainSID); !errors.Is(err, ErrNoReadBack) {
		t.Fatalf("load without support: %v", err)
	}
}

func TestFileRejectsGarbageWithoutLeaking(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.json")
	os.WriteFile(p, []byte("TOKEN=abcdef0123456789abcdef0123456789"), 0o600)
	_, err := (&File{Path: p}).Load(context.Background(), mainSID)
	if err == nil || strings.Contains(err.Error(), "abcdef") {
		t.Fatalf("err = %v", err)
	}
}

func TestParse(t *testing.T) {
	for _, bad := range []string{"", "file:", "s3:bucket", "nocolon"} {
		if _, err := Parse(bad, mainSID); atoguard.CodeOf(err) != atoguard.EINVALID {
			t.Errorf("Parse(%q) err = %v", bad, err)
		}
	}
	s, _ := Parse("env:/tmp/x.env:MY_VAR", mainSID)
	if e := s.(*Env); e.Path != "/tmp/x.env" || e.Var != "MY_VAR" {
		t.Errorf("env parse: %+v", e)
	}
	s, _ = Parse("env:/tmp/dir:with/x.env", mainSID)
	if e := s.(*Env); e.Path != "/tmp/dir:with/x.env" || e.Var != "TWILIO_AUTH_TOKEN" {
		t.Errorf("env parse with colon in path: %+v", e)
	}
}
