// Package credstore stores new Twilio credentials where applications read them:
// a JSON file (0600, atomic replace), an env file updated in place (other
// lines untouched), or a command that receives JSON on stdin (Vault, a cloud
// secret manager, a deploy hook). Every Store is durable when it returns:
// files are fsynced and renamed, commands must exit 0. Values never appear in
// errors, logs or command lines.
package credstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/atoguard/atoguard"
)

// Parse builds a sink from its flag form: file:PATH, env:PATH[:VAR] or
// cmd:COMMAND. mainAccount names the account whose token the env file keeps
// under VAR; subaccounts get VAR_<SID>.
func Parse(spec, mainAccount string) (atoguard.CredentialStore, error) {
	kind, rest, ok := strings.Cut(spec, ":")
	if !ok || rest == "" {
		return nil, atoguard.Errorf(atoguard.EINVALID, "sink", "credential sink %q: want file:PATH, env:PATH[:VAR] or cmd:COMMAND", spec)
	}
	switch kind {
	case "file":
		if err := checkPath(spec, rest); err != nil {
			return nil, err
		}
		return &File{Path: rest}, nil
	case "env":
		path, v := rest, "TWILIO_AUTH_TOKEN"
		if i := strings.LastIndex(rest, ":"); i > 0 && isVarName(rest[i+1:]) {
			path, v = rest[:i], rest[i+1:]
		}
		if err := checkPath(spec, path); err != nil {
			return nil, err
		}
		return &Env{Path: path, Var: v, Main: mainAccount}, nil
	case "cmd":
		return &Command{Command: rest}, nil
	}
	return nil, atoguard.Errorf(atoguard.EINVALID, "sink", "unknown credential sink kind %q (file, env, cmd)", kind)
}

// checkPath refuses, before anything changes, a path no token can be
// written to: a dangling or looping link, a directory, a device.
func checkPath(spec, path string) error {
	if _, err := target(path); err != nil {
		return atoguard.Errorf(atoguard.EINVALID, "sink", "credential sink %q: %v", spec, err)
	}
	return nil
}

func isVarName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r != '_' && (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') && (i == 0 || r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// target is the file a sink reads and writes: path itself, or — when path
// is a symbolic link — the file the link finally points to, so the
// application reading that file gets the new token (replacing the link with
// a regular file would leave the real file holding a revoked token). A
// dangling or looping link, or anything other than a regular file, is an
// error: the sink refuses before a token is created or promoted.
func target(path string) (string, error) {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return path, nil // created on the first store
	case err != nil:
		return "", err
	case fi.Mode()&os.ModeSymlink == 0:
		if !fi.Mode().IsRegular() {
			return "", fmt.Errorf("%s is not a regular file (%v)", path, fi.Mode().Type())
		}
		return path, nil
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", fmt.Errorf("%s is a symbolic link that leads to no file (dangling or looping: %v); fix the link or name the real file", path, unwrapPath(err))
	}
	st, err := os.Stat(real)
	if err != nil {
		return "", err
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("%s is a symbolic link to %s, which is not a regular file (%v)", path, real, st.Mode().Type())
	}
	return real, nil
}

// unwrapPath drops the *PathError wrapper, whose path repeats the message's.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// tokenPerm is the mode a file gets once it holds a token: the existing
// file's owner and group bits (an application may read it through its
// group), never bits for others; 0600 for a new file.
func tokenPerm(st os.FileInfo) os.FileMode {
	if st == nil {
		return 0o600
	}
	return st.Mode().Perm() &^ 0o007
}

// writeAtomic replaces path with data: a temp file in the same directory,
// fsynced, renamed over path, then the directory fsynced, so a crash leaves
// either the old or the new content, never a mix. The replaced file's group
// is kept where the process may set it.
func writeAtomic(path string, data []byte, perm os.FileMode, old os.FileInfo) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer os.Remove(name) // no-op after a successful rename
	keepGroup(tmp, old)
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(name, path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// writeError is a failed write: a path the sink refuses (EINVALID) or an
// I/O failure (EINTERNAL).
type writeError struct {
	code atoguard.ErrorCode
	err  error
}

func (w *writeError) withOp(op string) error {
	return &atoguard.Error{Code: w.code, Op: op, Err: w.err}
}

// writeThrough writes data to path, or through a symbolic link at path to
// its target, atomically in the target's directory.
func writeThrough(path string, data []byte) *writeError {
	real, err := target(path)
	if err != nil {
		return &writeError{atoguard.EINVALID, err}
	}
	st, err := statOrNil(real)
	if err != nil {
		return &writeError{atoguard.EINTERNAL, err}
	}
	if err := writeAtomic(real, data, tokenPerm(st), st); err != nil {
		return &writeError{atoguard.EINTERNAL, err}
	}
	return nil
}

// statOrNil is the file's information, nil when it does not exist.
func statOrNil(path string) (os.FileInfo, error) {
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return st, err
}

// File keeps tokens in a JSON file, one entry per account:
//
//	{"AC…": {"auth_token": "…", "fingerprint": "…", "updated": "RFC 3339"}}
type File struct {
	Path string
	mu   sync.Mutex
	// cache is the parsed file as last read or written, valid while the
	// file's size and modification time are unchanged: a rotation of 1,000
	// accounts reads the file thousands of times.
	cache    map[string]fileEntry
	cacheKey fileStamp
}

type fileStamp struct {
	size int64
	mod  time.Time
	ok   bool
}

func stampOf(path string) fileStamp {
	st, err := os.Stat(path)
	if err != nil {
		return fileStamp{}
	}
	return fileStamp{size: st.Size(), mod: st.ModTime(), ok: true}
}

type fileEntry struct {
	AuthToken   string    `json:"auth_token"`
	Fingerprint string    `json:"fingerprint"`
	Updated     time.Time `json:"updated"`
}

func (f *File) Kind() string     { return "file" }
func (f *File) Location() string { return f.Path }

func (f *File) read() (map[string]fileEntry, error) {
	if st := stampOf(f.Path); st.ok && st == f.cacheKey && f.cache != nil {
		return f.cache, nil
	}
	m, err := f.readFile()
	if err != nil {
		return nil, err
	}
	f.cache, f.cacheKey = m, stampOf(f.Path)
	return m, nil
}

func (f *File) readFile() (map[string]fileEntry, error) {
	m := map[string]fileEntry{}
	data, err := os.ReadFile(f.Path)
	if errors.Is(err, os.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return m, nil
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s is not a credential file (JSON object by account SID)", f.Path) // no content in the error: it may hold tokens
	}
	return m, nil
}

// Store replaces the account's token atomically; a new file is 0600, an
// existing one keeps its mode less any bits for others.
func (f *File) Store(_ context.Context, account string, token atoguard.Secret) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := target(f.Path); err != nil {
		return &atoguard.Error{Code: atoguard.EINVALID, Op: "sink.file", Err: err}
	}
	m, err := f.read()
	if err != nil {
		return &atoguard.Error{Code: atoguard.EINTERNAL, Op: "sink.file", Err: err}
	}
	next := make(map[string]fileEntry, len(m)+1)
	for k, v := range m {
		next[k] = v
	}
	next[account] = fileEntry{AuthToken: token.Reveal(), Fingerprint: token.Fingerprint(), Updated: time.Now().UTC()}
	data, err := json.MarshalIndent(next, "", "  ")
	if err != nil {
		return &atoguard.Error{Code: atoguard.EINTERNAL, Op: "sink.file", Err: err}
	}
	// The next Load reads the file from disk again: a read-back after a store
	// checks what is on disk, not what was meant to be written.
	f.cache = nil
	if err := writeThrough(f.Path, append(data, '\n')); err != nil {
		return err.withOp("sink.file")
	}
	return nil
}

// Load reads the account's token.
func (f *File) Load(_ context.Context, account string) (atoguard.Secret, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.read()
	if err != nil {
		return atoguard.Secret{}, &atoguard.Error{Code: atoguard.EINTERNAL, Op: "sink.file", Err: err}
	}
	e, ok := m[account]
	if !ok || e.AuthToken == "" {
		return atoguard.Secret{}, atoguard.ErrNotStored
	}
	return atoguard.NewSecret(e.AuthToken), nil
}

// Accounts lists the accounts with a stored token (tests, reports).
func (f *File) Accounts() ([]string, error) {
	m, err := f.read()
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out, nil
}

// Env keeps tokens in a dotenv file: VAR=token for the main account and
// VAR_<SID>=token for subaccounts. Other lines, comments and order are kept;
// the file (the link's target when the path is a symbolic link) is replaced
// atomically, keeping its mode less any bits for others.
type Env struct {
	Path string
	Var  string
	Main string
	mu   sync.Mutex
}

func (e *Env) Kind() string     { return "env" }
func (e *Env) Location() string { return e.Path + ":" + e.Var }

func (e *Env) varFor(account string) string {
	if account == e.Main || e.Main == "" {
		return e.Var
	}
	return e.Var + "_" + account
}

// envLine reports whether line assigns name and returns its value.
func envLine(line, name string) (string, bool) {
	l := strings.TrimSpace(line)
	l = strings.TrimPrefix(l, "export ")
	k, v, ok := strings.Cut(l, "=")
	if !ok || strings.TrimSpace(k) != name {
		return "", false
	}
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		v = v[1 : len(v)-1]
	}
	return v, true
}

// Store sets the account's variable, replacing its line or appending one.
func (e *Env) Store(_ context.Context, account string, token atoguard.Secret) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	name := e.varFor(account)
	path, err := target(e.Path)
	if err != nil {
		return &atoguard.Error{Code: atoguard.EINVALID, Op: "sink.env", Err: err}
	}
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return &atoguard.Error{Code: atoguard.EINTERNAL, Op: "sink.env", Err: err}
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(data) == 0 {
		lines = nil
	}
	set := name + "=" + token.Reveal()
	found := false
	for i, l := range lines {
		if _, ok := envLine(l, name); ok {
			if strings.HasPrefix(strings.TrimSpace(l), "export ") {
				lines[i] = "export " + set
			} else {
				lines[i] = set
			}
			found = true
		}
	}
	if !found {
		lines = append(lines, set)
	}
	if err := writeThrough(path, []byte(strings.Join(lines, "\n")+"\n")); err != nil {
		return err.withOp("sink.env")
	}
	return nil
}

// Load reads the account's variable.
func (e *Env) Load(_ context.Context, account string) (atoguard.Secret, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	data, err := os.ReadFile(e.Path)
	if errors.Is(err, os.ErrNotExist) {
		return atoguard.Secret{}, atoguard.ErrNotStored
	}
	if err != nil {
		return atoguard.Secret{}, &atoguard.Error{Code: atoguard.EINTERNAL, Op: "sink.env", Err: err}
	}
	name := e.varFor(account)
	val, found := "", false
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := envLine(l, name); ok {
			val, found = v, true // the last assignment wins, as in a shell
		}
	}
	if !found || val == "" {
		return atoguard.Secret{}, atoguard.ErrNotStored
	}
	return atoguard.NewSecret(val), nil
}

// Command runs `sh -c COMMAND` with one JSON object on stdin:
//
//	{"action":"store","account_sid":"AC…","auth_token":"…","fingerprint":"…"}
//
// Exit 0 means stored durably. For read-back (resume after a crash) it is
// run with {"action":"load","account_sid":"AC…"} and may print
// {"auth_token":"…"}; exit status 3 or no output means it cannot read back.
// The token never appears in the command line or the environment; the
// command's output is never shown. A command that outlives Timeout is killed
// with its whole process group, and the store fails.
type Command struct {
	Command string
	Timeout time.Duration // default DefaultCommandTimeout
	mu      sync.Mutex
}

// DefaultCommandTimeout bounds one run of a credential command.
const DefaultCommandTimeout = 30 * time.Second

// maxCommandOutput caps what a load may print: a token answer is tiny.
const maxCommandOutput = 64 << 10

// ErrCommandTimeout: the credential command did not finish in time.
var ErrCommandTimeout = errors.New("credential command timed out")

func (c *Command) Kind() string { return "cmd" }

// Location is the command's first word: arguments may carry addresses or
// options that do not belong in a report.
func (c *Command) Location() string {
	f := strings.Fields(c.Command)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

func (c *Command) timeout() time.Duration {
	if c.Timeout <= 0 {
		return DefaultCommandTimeout
	}
	return c.Timeout
}

// run executes the command once. On timeout the shell and everything it
// started are killed (a `sleep` child would otherwise keep stdout open and
// Wait would block), and the error wraps ErrCommandTimeout and
// context.DeadlineExceeded, which the playbook does not retry.
func (c *Command) run(ctx context.Context, in any) ([]byte, int, error) {
	body, err := json.Marshal(in)
	if err != nil {
		return nil, 0, err
	}
	tctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	cmd := exec.CommandContext(tctx, "sh", "-c", c.Command)
	cmd.Stdin = bytes.NewReader(body)
	out := &capped{max: maxCommandOutput}
	cmd.Stdout = out
	cmd.Stderr = nil // dropped: a hook may echo what it received
	ownGroup(cmd)
	cmd.WaitDelay = time.Second // pipes held by an unkillable grandchild stop mattering
	err = cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	}
	if err != nil && ctx.Err() == nil && errors.Is(tctx.Err(), context.DeadlineExceeded) {
		return nil, code, timeoutError{c.timeout()}
	}
	if err == nil && out.over {
		return nil, code, fmt.Errorf("credential command printed more than %d bytes", maxCommandOutput)
	}
	return out.buf.Bytes(), code, err
}

// timeoutError is ErrCommandTimeout and context.DeadlineExceeded, with a
// message that says how long the command had.
type timeoutError struct{ after time.Duration }

func (e timeoutError) Error() string {
	return fmt.Sprintf("timed out after %v (killed with the processes it started)", e.after)
}

func (e timeoutError) Is(target error) bool {
	return target == ErrCommandTimeout || target == context.DeadlineExceeded
}

// capped keeps at most max bytes and drops the rest, so a runaway command
// cannot exhaust memory.
type capped struct {
	buf  bytes.Buffer
	max  int
	over bool
}

func (w *capped) Write(p []byte) (int, error) {
	if room := w.max - w.buf.Len(); room < len(p) {
		w.over = true
		w.buf.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return w.buf.Write(p)
}

type cmdStore struct {
	Action      string `json:"action"`
	AccountSID  string `json:"account_sid"`
	AuthToken   string `json:"auth_token,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
}

// Store hands the token to the command.
func (c *Command) Store(ctx context.Context, account string, token atoguard.Secret) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, code, err := c.run(ctx, cmdStore{Action: "store", AccountSID: account, AuthToken: token.Reveal(), Fingerprint: token.Fingerprint()})
	if errors.Is(err, ErrCommandTimeout) {
		return &atoguard.Error{Code: atoguard.EUNAVAILABLE, Op: "sink.cmd", Err: fmt.Errorf("credential command %s: %w; the token is not stored", c.Location(), err)}
	}
	if err != nil {
		return atoguard.Errorf(atoguard.EINTERNAL, "sink.cmd", "credential command %s failed (exit %d); the token is not stored", c.Location(), code)
	}
	return nil
}

// Load asks the command for the stored token.
func (c *Command) Load(ctx context.Context, account string) (atoguard.Secret, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out, code, err := c.run(ctx, cmdStore{Action: "load", AccountSID: account})
	if errors.Is(err, ErrCommandTimeout) {
		return atoguard.Secret{}, &atoguard.Error{Code: atoguard.EUNAVAILABLE, Op: "sink.cmd", Err: fmt.Errorf("credential command %s on load: %w", c.Location(), err)}
	}
	if code == 3 || (err == nil && len(bytes.TrimSpace(out)) == 0) {
		return atoguard.Secret{}, atoguard.ErrNoReadBack
	}
	if err != nil {
		return atoguard.Secret{}, atoguard.Errorf(atoguard.EINTERNAL, "sink.cmd", "credential command %s failed on load (exit %d)", c.Location(), code)
	}
	var r struct {
		AuthToken string `json:"auth_token"`
	}
	if json.Unmarshal(out, &r) != nil {
		return atoguard.Secret{}, atoguard.Errorf(atoguard.EINTERNAL, "sink.cmd", "credential command %s printed something other than {\"auth_token\":…} on load", c.Location())
	}
	if r.AuthToken == "" {
		return atoguard.Secret{}, atoguard.ErrNotStored
	}
	return atoguard.NewSecret(r.AuthToken), nil
}

var (
	_ atoguard.CredentialStore = (*File)(nil)
	_ atoguard.CredentialStore = (*Env)(nil)
	_ atoguard.CredentialStore = (*Command)(nil)
)
