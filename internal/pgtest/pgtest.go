// Package pgtest starts a throwaway PostgreSQL server for tests: Debian's
// binaries, a temporary data directory, 127.0.0.1 on a free port, stopped
// when the tests end. PostgreSQL refuses to run as root, and CI runs as
// root, so there the server runs as the system user atoguard-pg (created
// when missing). One server serves a whole test binary (start it in
// TestMain); each test gets a fresh database.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// User is the system user the server runs as when the tests run as root.
const User = "atoguard-pg"

// ErrNotInstalled means no PostgreSQL binaries were found.
var ErrNotInstalled = errors.New("PostgreSQL is not installed (initdb and pg_ctl not found; scripts/ensure-deps.sh installs Debian's postgresql)")

// Server is a running throwaway PostgreSQL.
type Server struct {
	bin, dir, data string
	port           int
	cred           *syscall.Credential
	admin          *sql.DB
	n              atomic.Int64
}

// binDir finds initdb and pg_ctl: $ATOGUARD_PG_BIN, Debian's newest
// /usr/lib/postgresql/*/bin, or the PATH.
func binDir() (string, error) {
	if d := os.Getenv("ATOGUARD_PG_BIN"); d != "" {
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", ErrNotInstalled
}

func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// Start initialises and starts a server. Call Stop when done.
func Start() (*Server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin}
	if os.Geteuid() == 0 {
		if s.cred, err = systemUser(); err != nil {
			return nil, err
		}
	}
	if err := s.init(); err != nil {
		s.Stop()
		return nil, err
	}
	var lastErr error
	for range 3 { // the free port may be taken between choosing and binding
		if lastErr = s.start(); lastErr == nil {
			break
		}
	}
	if lastErr != nil {
		s.Stop()
		return nil, lastErr
	}
	return s, nil
}

// systemUser returns User's credentials, creating the user if needed.
func systemUser() (*syscall.Credential, error) {
	u, err := user.Lookup(User)
	if err != nil {
		out, uerr := exec.Command("useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
			"--shell", "/usr/sbin/nologin", User).CombinedOutput()
		// Another test binary may have created it meanwhile: look again.
		if u, err = user.Lookup(User); err != nil {
			return nil, fmt.Errorf("pgtest: creating system user %s: %v: %s", User, uerr, out)
		}
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func (s *Server) init() error {
	dir, err := os.MkdirTemp("", "atoguard-pg-*")
	if err != nil {
		return err
	}
	s.dir, s.data = dir, filepath.Join(dir, "data")
	if s.cred != nil {
		if err := os.Chown(dir, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			return err
		}
	}
	return s.run(2*time.Minute, "initdb", "-D", s.data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--no-locale")
}

func (s *Server) start() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	// fsync off: a test database need not survive a power cut.
	opts := fmt.Sprintf("-h 127.0.0.1 -p %d -k %s -F -c max_connections=300 -c full_page_writes=off", s.port, s.dir)
	if err := s.run(time.Minute, "pg_ctl", "start", "-w", "-t", "60", "-D", s.data, "-l", filepath.Join(s.dir, "log"), "-o", opts); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
		return fmt.Errorf("%w\n%s", err, log)
	}
	admin, err := sql.Open("pgx", s.dsn("postgres"))
	if err != nil {
		return err
	}
	s.admin = admin
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return admin.PingContext(ctx)
}

func (s *Server) run(timeout time.Duration, name string, args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir // the server's user must be able to read its working directory
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pgtest: %s: %v: %s", name, err, out)
	}
	return nil
}

func (s *Server) dsn(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, db)
}

// NewDatabase creates an empty database for t, dropped when t ends, and
// returns its URL.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("t%d_%d", os.Getpid(), s.n.Add(1))
	if _, err := s.admin.ExecContext(t.Context(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = s.admin.ExecContext(ctx, "DROP DATABASE "+name+" WITH (FORCE)")
	})
	return s.dsn(name)
}

// Stop stops the server and removes its files.
func (s *Server) Stop() {
	if s.admin != nil {
		s.admin.Close()
	}
	if s.data != "" {
		_ = s.run(time.Minute, "pg_ctl", "stop", "-D", s.data, "-m", "immediate", "-w")
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

// Main is TestMain for a package whose tests need PostgreSQL: it starts the
// server, runs the tests with it, and stops it. Without PostgreSQL the
// server is nil and tests call Require to skip, except under CI=true where
// a missing server fails the run.
func Main(m *testing.M, set func(*Server)) int {
	s, err := Start()
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		if os.Getenv("CI") == "true" || !errors.Is(err, ErrNotInstalled) {
			return 1
		}
	}
	set(s)
	code := m.Run()
	if s != nil {
		s.Stop()
	}
	return code
}

// Require skips t when there is no server (only possible outside CI).
func Require(t testing.TB, s *Server) {
	t.Helper()
	if s == nil {
		t.Skip("PostgreSQL not installed: " + ErrNotInstalled.Error())
	}
}
