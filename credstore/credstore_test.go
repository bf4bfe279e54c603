package credstore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
			if _, err := s.Load(ctx, mainSID); !errors.Is(err, atoguard.ErrNotStored) && !errors.Is(err, atoguard.ErrNoReadBack) {
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
	os.WriteFile(p, []byte("# app settings\nexport TWILIO_AUTH_TOKEN=\"old\"\nDATABASE_URL=postgres://x\n"), 0o644)
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
	if st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v: want 0640, the owner's and group's bits kept (an application may read it through its group), none for others", st.Mode().Perm())
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
	if _, err := (&Command{Command: "cat >/dev/null; exit 3"}).Load(context.Background(), mainSID); !errors.Is(err, atoguard.ErrNoReadBack) {
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

// TestSymlinkedSinkWritesThrough: a sink path that is a symbolic link gets
// the token in the file the link points to — the file applications read —
// atomically in that file's directory, with its mode kept; the link stays a
// link. Before the fix the link was replaced by a new regular file and the
// real file kept the old, revoked token.
func TestSymlinkedSinkWritesThrough(t *testing.T) {
	for _, kind := range []string{"env", "file"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			realDir := filepath.Join(dir, "real")
			os.Mkdir(realDir, 0o700)
			real := filepath.Join(realDir, "app.env")
			before := "DATABASE_URL=postgres://x\nTWILIO_AUTH_TOKEN=old\n"
			if kind == "file" {
				before = `{"` + subSID + `":{"auth_token":"` + tok('s').Reveal() + `"}}`
			}
			if err := os.WriteFile(real, []byte(before), 0o640); err != nil {
				t.Fatal(err)
			}
			link := filepath.Join(dir, "link.env")
			if err := os.Symlink("real/app.env", link); err != nil { // relative, as people make them
				t.Fatal(err)
			}
			s, err := Parse(kind+":"+link, mainSID)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if err := s.Store(ctx, mainSID, tok('n')); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Fatalf("the link was replaced: %v %v", fi.Mode(), err)
			}
			data, _ := os.ReadFile(real)
			if !strings.Contains(string(data), tok('n').Reveal()) {
				t.Fatalf("the link's target does not hold the new token:\n%s", data)
			}
			if kind == "env" && !strings.HasPrefix(string(data), "DATABASE_URL=postgres://x\n") {
				t.Errorf("other lines lost:\n%s", data)
			}
			if got, err := s.Load(ctx, mainSID); err != nil || got.Reveal() != tok('n').Reveal() {
				t.Fatalf("load through the link: %v", err)
			}
			if kind == "file" {
				if got, _ := s.Load(ctx, subSID); got.Reveal() != tok('s').Reveal() {
					t.Error("the other account's token was lost")
				}
			}
			if st, _ := os.Stat(real); st.Mode().Perm() != 0o640 {
				t.Errorf("target mode %v, want 0640 kept", st.Mode().Perm())
			}
			for _, d := range []string{dir, realDir} {
				ents, _ := os.ReadDir(d)
				for _, e := range ents {
					if strings.Contains(e.Name(), ".tmp-") {
						t.Errorf("temp file left in %s: %s", d, e.Name())
					}
				}
			}
		})
	}
}

// TestSinkRefusesBadLinks: dangling and looping links, directories and
// devices are refused when the sink is parsed — before any token exists —
// and again by Store (the path may change after parsing), with an error
// that says what is wrong; nothing is created.
func TestSinkRefusesBadLinks(t *testing.T) {
	dir := t.TempDir()
	dangling := filepath.Join(dir, "dangling.env")
	os.Symlink(filepath.Join(dir, "missing", "app.env"), dangling)
	loopA, loopB := filepath.Join(dir, "a.env"), filepath.Join(dir, "b.env")
	os.Symlink(loopB, loopA)
	os.Symlink(loopA, loopB)
	toDir := filepath.Join(dir, "todir.env")
	os.Symlink(dir, toDir)
	for _, tc := range []struct{ path, want string }{
		{dangling, "leads to no file"},
		{loopA, "leads to no file"},
		{toDir, "not a regular file"},
		{dir, "not a regular file"},
	} {
		for _, kind := range []string{"env", "file"} {
			_, err := Parse(kind+":"+tc.path, mainSID)
			if atoguard.CodeOf(err) != atoguard.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse(%s:%s) err = %v, want EINVALID %q", kind, tc.path, err, tc.want)
			}
		}
		for _, s := range []atoguard.CredentialStore{&Env{Path: tc.path, Var: "T", Main: mainSID}, &File{Path: tc.path}} {
			err := s.Store(context.Background(), mainSID, tok('x'))
			if atoguard.CodeOf(err) != atoguard.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s Store(%s) err = %v, want EINVALID %q", s.Kind(), tc.path, err, tc.want)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Error("a refused sink created its target's directory")
	}
	if fi, err := os.Lstat(dangling); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the dangling link was replaced")
	}
}

// TestCommandTimeoutKillsGroup: a credential command that does not finish
// is killed with every process it started once Timeout passes, and the
// store fails with ErrCommandTimeout (wrapping context.DeadlineExceeded,
// which the playbook does not retry). Before the fix `sh -c` was killed but
// its `sleep` child kept stdout open and Store hung until the child ended.
func TestCommandTimeoutKillsGroup(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	// The child ignores the shell's death and holds stdout open.
	s := &Command{Command: "sleep 1000 & echo $! > " + pidFile + "; wait", Timeout: 200 * time.Millisecond}
	for _, op := range []func() error{
		func() error { return s.Store(context.Background(), mainSID, tok('t')) },
		func() error { _, err := s.Load(context.Background(), mainSID); return err },
	} {
		err := op()
		if !errors.Is(err, ErrCommandTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want a timeout", err)
		}
		if strings.Contains(err.Error(), tok('t').Reveal()) {
			t.Fatal("error leaks the token")
		}
		pid, _ := os.ReadFile(pidFile)
		if alive(t, strings.TrimSpace(string(pid))) {
			t.Errorf("the command's child %s survived the timeout", pid)
		}
	}
}

// alive reports whether process pid still runs a moment after it was
// killed (the kernel closes a dying process's files before it becomes a
// zombie, so give it a little while). A zombie waiting for a reaper does not
// count: it holds nothing open.
func alive(t *testing.T, pid string) bool {
	t.Helper()
	if _, err := os.Stat("/proc/self"); err != nil {
		t.Skip("no /proc to check processes")
	}
	for range 200 {
		data, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil {
			return false
		}
		// the state follows the parenthesised command name
		f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
		if len(f) == 0 || f[0] == "Z" || f[0] == "X" {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// TestCommandOutputCapped: a load that prints without end is cut off and
// reported, not buffered until memory runs out.
func TestCommandOutputCapped(t *testing.T) {
	s := &Command{Command: "cat >/dev/null; yes '{\"auth_token\":\"x\"}' | head -c 200000"}
	if _, err := s.Load(context.Background(), mainSID); err == nil || !strings.Contains(err.Error(), "load") {
		t.Fatalf("err = %v", err)
	}
}
