package source

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/atoguard/atoguard/scan"
)

// GitOptions configure the git sources.
type GitOptions struct {
	Warn scan.Warner
	// Git is the git executable; default "git" from PATH.
	Git string
	// MaxMemory: blobs up to this size are copied out of git's stream so the
	// scanner can work on them while git produces the next; default 8 MiB.
	MaxMemory int64
	// Env is added to git's environment (tests).
	Env []string
	// CatFiles is the number of `git cat-file` processes reading history
	// blobs in parallel; default 2.
	CatFiles int
	// SinceCommit limits History to the commits HEAD has and REV has not:
	// a pull request's own (SinceCommit "origin/main").
	SinceCommit string
	// PathsAsGiven shows item paths under the PATH as given, like a
	// directory scan (repo/config.env), instead of repository-relative:
	// several repositories scanned at once stay apart.
	PathsAsGiven bool
	// Cache, when set, makes History incremental (see HistoryCache); it
	// is not used with SinceCommit.
	Cache *HistoryCache
}

func (o GitOptions) withDefaults() GitOptions {
	if o.Git == "" {
		o.Git = "git"
	}
	if o.MaxMemory <= 0 {
		o.MaxMemory = 8 << 20
	}
	if o.CatFiles <= 0 {
		o.CatFiles = 2
	}
	return o
}

// History yields every unique blob reachable from any ref of the repository
// at Dir exactly once, attributed to the commit that introduced it.
//
// Listing: `git log --all --reverse --date-order -c --raw -z`, oldest
// first, so the first commit whose diff adds a blob at a path is the one
// that introduced it. For a merge, -c lists only what differs from every
// parent: what the merge itself brought (a conflict resolution, an evil
// merge), never a side's changes, which belong to that side's commits.
// Blobs that refs point at directly (a tag on a blob) follow, named by the
// ref. Content: `git cat-file --batch --buffer` (two processes, each given
// the blobs of a fixed share of paths), fed blob ids as they are discovered,
// so listing, inflating and scanning overlap.
// Archives among the blobs are expanded. When Dir is a sub-directory of the
// work tree, only its history is scanned.
type History struct {
	Dir    string
	opts   GitOptions
	ignore *Matcher
	view   pathView // how item paths are shown (GitOptions.PathsAsGiven)
	base   string   // the resolved SinceCommit
	paths  []string // repository paths Items read, with SinceCommit
	binary atomic.Int64
	blobs  atomic.Int64
}

// NewHistory returns a history source for the repository at dir.
func NewHistory(dir string, opts GitOptions) *History {
	return &History{Dir: dir, opts: opts.withDefaults()}
}

// Binary is the number of blobs left out as binary. Blobs not read for
// another reason are scan.SkipErrors given to GitOptions.Warn.
func (h *History) Binary() int64 { return h.binary.Load() }

// Blobs is the number of unique blobs read.
func (h *History) Blobs() int64 { return h.blobs.Load() }

// repoInfo describes the repository a git source reads.
type repoInfo struct {
	top     string // work tree top; empty for a bare repository (or inside .git)
	prefix  string // dir inside the work tree, slash-separated; empty at the top
	shallow bool
}

// gitRepo finds the repository at dir. Bare repositories and mirrors have
// no work tree, and --show-toplevel fails there: ask for it only after.
func gitRepo(ctx context.Context, opts GitOptions, dir string) (repoInfo, error) {
	out, err := gitOutput(ctx, opts, dir, "rev-parse", "--is-bare-repository", "--is-inside-git-dir", "--is-shallow-repository")
	if err != nil {
		return repoInfo{}, err
	}
	f := strings.Fields(string(out))
	if len(f) != 3 {
		return repoInfo{}, fmt.Errorf("git rev-parse in %s: unexpected output %q", dir, out)
	}
	info := repoInfo{shallow: f[2] == "true"}
	if f[0] == "true" || f[1] == "true" {
		return info, nil
	}
	out, err = gitOutput(ctx, opts, dir, "rev-parse", "--show-toplevel", "--show-prefix")
	if err != nil {
		return repoInfo{}, err
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	info.top = lines[0]
	if len(lines) > 1 {
		info.prefix = strings.TrimSuffix(lines[1], "/")
	}
	return info, nil
}

// pathView turns repository paths into the paths a user sees.
type pathView struct {
	strip  string // the PATH's place in the repository ("svc/a/"): every path read is under it
	prefix string // the PATH as given ("repo/", "../", "/abs/repo/")
}

func (v pathView) show(p string) string {
	return v.prefix + strings.TrimPrefix(p, v.strip)
}

// view is how item paths are shown. With PathsAsGiven, as a directory scan
// shows them: the PATH as given, then the path under it (repo/config.env,
// a/main.go for PATH a in svc/, ../top.txt for PATH ..); otherwise
// repository-relative.
func (o GitOptions) view(dir string, info repoInfo) pathView {
	if !o.PathsAsGiven {
		return pathView{}
	}
	var v pathView
	if info.prefix != "" {
		v.strip = info.prefix + "/"
	}
	d := filepath.ToSlash(filepath.Clean(dir))
	if path.Base(d) == ".git" {
		// repo/.git names the repository at repo: show its paths as for repo.
		d = path.Dir(d)
	}
	if d != "." {
		v.prefix = strings.TrimSuffix(d, "/") + "/"
	}
	return v
}

func gitCommand(ctx context.Context, opts GitOptions, dir string, args ...string) *exec.Cmd {
	// Bounded pack windows: several git processes run at once and together
	// must stay well under atoguard's memory budget. The delta-base cache
	// keeps git's default size: on a packed repository (any clone) a smaller
	// one makes cat-file rebuild delta chains, 2.5x the CPU at 16 MiB.
	base := []string{"-c", "core.packedGitWindowSize=8m", "-c", "core.packedGitLimit=32m",
		"-c", "core.deltaBaseCacheLimit=96m",
		// A scanned repository's config must not make git run its programs.
		"-c", "core.fsmonitor=false", "-C", dir}
	cmd := exec.CommandContext(ctx, opts.Git, append(base, args...)...)
	// Never let a repository's config or an editor prompt interfere.
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_OPTIONAL_LOCKS=0")
	cmd.Env = append(cmd.Env, opts.Env...)
	return cmd
}

func gitOutput(ctx context.Context, opts GitOptions, dir string, args ...string) ([]byte, error) {
	cmd := gitCommand(ctx, opts, dir, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, gitError(args[0], dir, err, stderr.Bytes())
	}
	return out, nil
}

func gitError(op, dir string, err error, stderr []byte) error {
	if errors.Is(err, exec.ErrNotFound) {
		return fmt.Errorf("git is not installed (needed for --history and --staged): %w", err)
	}
	msg := strings.TrimSpace(string(stderr))
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	if msg != "" {
		return fmt.Errorf("git %s in %s: %s", op, dir, msg)
	}
	return fmt.Errorf("git %s in %s: %w", op, dir, err)
}

// loadRepoIgnore reads .atoguardignore at the work tree top.
func loadRepoIgnore(top string) *Matcher {
	if top == "" {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(top, IgnoreFile))
	if err != nil {
		return nil
	}
	return NewMatcher(string(data))
}

// pending is a blob asked of cat-file, waiting for its content.
type pending struct {
	id     string
	origin scan.Origin
}

// Items runs git and yields blobs in the order they were introduced.
func (h *History) Items(ctx context.Context, yield func(scan.Item) error) error {
	info, err := gitRepo(ctx, h.opts, h.Dir)
	if err != nil {
		return err
	}
	h.ignore = loadRepoIgnore(info.top)
	h.view = h.opts.view(h.Dir, info)
	if info.shallow && h.opts.Warn != nil {
		h.opts.Warn(h.Dir, errors.New("shallow clone: history before its boundary is missing, and what the boundary commits hold is attributed to them (git fetch --unshallow for the full history)"))
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	plan, err := h.planLog(ctx, info.prefix)
	if err != nil {
		return err
	}
	if c := h.cache(); c != nil {
		exclude, hits, unchanged, err := h.beginCache(ctx, c, info.prefix, info.top, plan.tips)
		if err != nil || unchanged {
			// Nothing new since the cache was written: only the blobs
			// with findings are read, to report them again.
			return cmp.Or(err, catBlobs(ctx, h.opts, h.Dir, hits, &h.binary, &h.blobs, h.opts.Warn, c, yield))
		}
		// Revisions go before the "--" of a sub-directory's path limit.
		revs := make([]string, 0, len(exclude))
		for _, t := range exclude {
			revs = append(revs, "^"+t)
		}
		plan.args = slices.Insert(plan.args, slices.Index(plan.args, "--all")+1, revs...)
		plan.first = hits
	}
	return h.runLog(ctx, cancel, plan, yield)
}

// logPlan is what Items asks git log for, and the blobs it reads besides.
type logPlan struct {
	args []string
	// tips are the objects the refs point at, for the history cache.
	tips []string
	// first are blobs read before the log's (cached findings); refBlobs
	// after it (blobs a ref points at directly, a tag on a blob: in no commit).
	first, refBlobs []pending
}

// planLog builds git log's arguments and, when needed, reads the refs.
func (h *History) planLog(ctx context.Context, prefix string) (logPlan, error) {
	// --date-order: committer dates, which a back-dated author cannot move.
	p := logPlan{args: []string{"log", "--reverse", "--date-order", "-c", "--raw", "--no-renames",
		"--no-abbrev", "-z", "--no-color", "--no-ext-diff", "--format=%x01%H%x00%an%x00%ae%x00%aI"}}
	if h.opts.SinceCommit != "" {
		base, err := resolveCommit(ctx, h.opts, h.Dir, h.opts.SinceCommit)
		if err != nil {
			return p, err
		}
		p.args = append(p.args, "HEAD", "^"+base)
		h.base = base
	} else {
		p.args = append(p.args, "--all")
	}
	if prefix != "" {
		// Only this sub-tree; --full-history keeps every commit that touched it.
		p.args = append(p.args, "--full-history", "--", ".")
	}
	if prefix == "" && h.opts.SinceCommit == "" || h.cache() != nil {
		var err error
		if p.tips, p.refBlobs, err = h.refs(ctx, h.cache() != nil); err != nil {
			return p, err
		}
		if prefix != "" {
			p.refBlobs = nil
		}
	}
	return p, nil
}

// runLog runs git log and the cat-file processes that read its blobs, and
// yields them.
func (h *History) runLog(ctx context.Context, cancel context.CancelFunc, plan logPlan, yield func(scan.Item) error) error {
	logCmd := gitCommand(ctx, h.opts, h.Dir, plan.args...)
	var logErr bytes.Buffer
	logCmd.Stderr = &logErr
	logOut, logW, err := bigPipe()
	if err != nil {
		return err
	}
	defer logOut.Close()
	logCmd.Stdout = logW

	workers, err := startCatFiles(ctx, cancel, h.opts, h.Dir)
	if err != nil {
		logW.Close()
		return err
	}
	err = logCmd.Start()
	logW.Close() // the child has its copy; EOF comes when it exits
	if err != nil {
		cancel()
		for _, w := range workers {
			w.in.Close()
			w.wait()
		}
		return gitError("log", h.Dir, err, nil)
	}

	var listErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		listErr = h.feed(ctx, logOut, plan, workers)
		if err := logCmd.Wait(); err != nil && listErr == nil && ctx.Err() == nil {
			listErr = gitError("log", h.Dir, err, logErr.Bytes())
		}
	}()
	readErrs := h.readAll(ctx, cancel, workers, yield)
	wg.Wait()
	return itemsError(ctx, listErr, workers, readErrs)
}

// startCatFiles starts the cat-file processes. Inflating blobs is git's hot
// loop and single-threaded per process: several share the blobs, by path.
func startCatFiles(ctx context.Context, cancel context.CancelFunc, opts GitOptions, dir string) ([]*catFile, error) {
	workers := make([]*catFile, opts.CatFiles)
	for i := range workers {
		c, err := startCatFile(ctx, opts, dir)
		if err != nil {
			cancel()
			for _, w := range workers[:i] {
				w.wait()
			}
			return nil, err
		}
		workers[i] = c
	}
	return workers, nil
}

// feed lists git log's blobs into the workers' queues and requests, then
// closes them.
func (h *History) feed(ctx context.Context, logOut io.Reader, plan logPlan, workers []*catFile) error {
	listErr := h.list(ctx, logOut, plan.first, plan.refBlobs, func(p pending) error {
		w := workers[pathWorker(p.origin.Path, len(workers))]
		select {
		case w.queue <- p:
		case <-ctx.Done():
			return ctx.Err()
		}
		_, err := w.inBuf.WriteString(p.id + "\n")
		return err
	})
	for _, w := range workers {
		if err := w.inBuf.Flush(); err != nil && listErr == nil && ctx.Err() == nil {
			listErr = err
		}
		w.in.Close()
		close(w.queue)
	}
	return listErr
}

// readAll reads the workers' answers concurrently, calling yield from one
// at a time, and returns each reader's error; the first cancels the rest.
func (h *History) readAll(ctx context.Context, cancel context.CancelFunc, workers []*catFile, yield func(scan.Item) error) []error {
	var yieldMu sync.Mutex
	serial := func(it scan.Item) error {
		yieldMu.Lock()
		defer yieldMu.Unlock()
		return yield(it)
	}
	readErrs := make([]error, len(workers))
	var rwg sync.WaitGroup
	for i, w := range workers {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			err := readBatch(ctx, w.out, w.queue, h.opts.MaxMemory, &h.binary, &h.blobs, h.opts.Warn, h.cache(), serial)
			if err != nil {
				readErrs[i] = err
				cancel()
			}
			for range w.queue { // never leave the lister stuck on a full queue
			}
		}()
	}
	rwg.Wait()
	return readErrs
}

// itemsError waits for the cat-file processes and picks the error that
// explains the failure: a reader's own before the lister's, the lister's
// before git's, and a cancellation last.
func itemsError(ctx context.Context, listErr error, workers []*catFile, readErrs []error) error {
	var catErr error
	for _, w := range workers {
		if err := w.wait(); err != nil && catErr == nil && ctx.Err() == nil {
			catErr = err
		}
	}
	for _, err := range readErrs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	switch {
	case listErr != nil && !errors.Is(listErr, context.Canceled):
		return listErr
	case catErr != nil:
		return catErr
	}
	for _, err := range readErrs {
		if err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Base returns, once Items has run with SinceCommit, a source of the base
// commit's version of every path Items read, under the same names: a
// finding also found there was not added by the range (a pull request that
// edits a file holding an old secret did not leak it). Nil otherwise.
func (h *History) Base() scan.Source {
	if h.base == "" {
		return nil
	}
	return baseSource{h}
}

type baseSource struct{ h *History }

func (b baseSource) Items(ctx context.Context, yield func(scan.Item) error) error {
	h := b.h
	ps := make([]pending, 0, len(h.paths))
	seen := map[string]bool{}
	for _, p := range h.paths {
		if !seen[p] && !strings.ContainsAny(p, "\n\r") {
			seen[p] = true
			ps = append(ps, pending{id: h.base + ":" + p, origin: scan.Origin{Path: h.view.show(p)}})
		}
	}
	var binary, blobs atomic.Int64
	// Paths new in the range are missing at the base: not worth a warning.
	return catBlobs(ctx, h.opts, h.Dir, ps, &binary, &blobs, nil, nil, yield)
}

// cache is the history cache in use, or nil.
func (h *History) cache() *HistoryCache {
	if h.opts.SinceCommit != "" {
		return nil
	}
	return h.opts.Cache
}

// beginCache starts an incremental scan from the ref tips read before
// listing (a commit made while the scan runs is listed again next time,
// never skipped). It returns the cached tips this repository has, to
// exclude from the listing, the blobs with findings to read again, and
// whether nothing changed since the cache was written.
func (h *History) beginCache(ctx context.Context, c *HistoryCache, prefix, top string, tips []string) ([]string, []pending, bool, error) {
	old, hits := c.begin(cacheScope(prefix, top), tips, h.view)
	ps := make([]pending, len(hits))
	ids := make([]string, 0, len(old)+len(hits))
	for i, hit := range hits {
		ps[i] = pending{id: hit.Blob, origin: scan.Origin{Path: h.view.show(hit.Path),
			Commit: hit.Commit, Author: hit.Author, Email: hit.Email, Date: hit.Date}}
		ids = append(ids, hit.Blob)
	}
	// A file's versions one after another: git stores them as deltas of
	// one another, and its delta-base cache then serves the next.
	slices.SortStableFunc(ps, func(a, b pending) int {
		return cmp.Or(strings.Compare(a.origin.Path, b.origin.Path), a.origin.Date.Compare(b.origin.Date))
	})
	if slices.Equal(old, tips) && len(old) > 0 {
		return nil, ps, true, nil // the same refs: the same objects
	}
	// A cache from another clone may name commits this one lacks
	// (force-pushed, not fetched), which git log refuses to exclude.
	types, err := objectTypes(ctx, h.opts, h.Dir, append(ids, old...))
	if err != nil {
		return nil, nil, false, err
	}
	var exclude []string
	for _, t := range old {
		if types[t] == "commit" {
			exclude = append(exclude, t)
		}
	}
	ps = slices.DeleteFunc(ps, func(p pending) bool { return types[p.id] != "blob" })
	return exclude, ps, false, nil
}

// pathWorker picks the cat-file process for a blob by its path: git stores
// a file's versions as deltas of one another, so sending them all to one
// process lets its delta-base cache serve them instead of rebuilding each
// chain in every process (measured: ~20 % less git CPU on a packed clone).
func pathWorker(path string, n int) int {
	h := uint32(2166136261) // FNV-1a
	for i := 0; i < len(path); i++ {
		h = (h ^ uint32(path[i])) * 16777619
	}
	return int(h % uint32(n))
}

// resolveCommit names the commit rev stands for, or says clearly that the
// repository has none (in CI, often a branch a shallow checkout left out).
func resolveCommit(ctx context.Context, opts GitOptions, dir, rev string) (string, error) {
	out, err := gitOutput(ctx, opts, dir, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) || ctx.Err() != nil {
			return "", err
		}
		return "", fmt.Errorf("--since-commit %q: no such commit in %s (in CI, fetch it first, e.g. git fetch origin main)", rev, dir)
	}
	return strings.TrimSpace(string(out)), nil
}

// refs lists, from one for-each-ref, the objects the refs point at (tags
// peeled, and HEAD when head is set), sorted — what a history cache
// compares — and the blobs among them (a tag on a blob), named by their ref.
func (h *History) refs(ctx context.Context, head bool) ([]string, []pending, error) {
	out, err := gitOutput(ctx, h.opts, h.Dir, "for-each-ref",
		"--format=%(objecttype) %(objectname) %(*objecttype) %(*objectname) %(refname)")
	if err != nil {
		return nil, nil, err
	}
	var tips []string
	var ps []pending
	for _, line := range strings.Split(string(out), "\n") {
		switch f := strings.Fields(line); {
		case len(f) == 3 && f[0] == "blob": // direct: type, id, refname
			ps = append(ps, pending{id: f[1], origin: scan.Origin{Path: f[2]}})
			tips = append(tips, f[1])
		case len(f) == 5 && f[2] == "blob": // annotated tag peeling to a blob
			ps = append(ps, pending{id: f[3], origin: scan.Origin{Path: f[4]}})
			tips = append(tips, f[3])
		case len(f) == 3 && f[0] == "commit":
			tips = append(tips, f[1])
		case len(f) == 5 && f[2] == "commit":
			tips = append(tips, f[3])
		}
	}
	if !head {
		return nil, ps, nil
	}
	// A detached HEAD is scanned (--all) but in no ref.
	if out, err := gitOutput(ctx, h.opts, h.Dir, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"); err == nil {
		tips = append(tips, strings.TrimSpace(string(out)))
	}
	slices.Sort(tips)
	return slices.Compact(tips), ps, nil
}

// catFile is one `git cat-file --batch --buffer` process.
type catFile struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	inBuf  *bufio.Writer
	out    *bufio.Reader
	outF   *os.File
	stderr *bytes.Buffer
	queue  chan pending
	dir    string
}

func startCatFile(ctx context.Context, opts GitOptions, dir string) (*catFile, error) {
	cmd := gitCommand(ctx, opts, dir, "cat-file", "--batch", "--buffer")
	c := &catFile{cmd: cmd, stderr: &bytes.Buffer{}, queue: make(chan pending, 4096), dir: dir}
	cmd.Stderr = c.stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, w, err := bigPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout = w
	err = cmd.Start()
	w.Close()
	if err != nil {
		out.Close()
		return nil, gitError("cat-file", dir, err, nil)
	}
	// The queue must hold more requests than the writer buffers, so the
	// oldest request a reader waits for has always reached git.
	c.in, c.inBuf, c.out, c.outF = in, bufio.NewWriterSize(in, 64<<10), bufio.NewReaderSize(out, 1<<20), out
	return c, nil
}

func (c *catFile) wait() error {
	err := c.cmd.Wait()
	c.outF.Close()
	if err != nil {
		return gitError("cat-file", c.dir, err, c.stderr.Bytes())
	}
	return nil
}

// list parses git log's raw -z output and emits each blob the first time it
// appears at a path that is not ignored.
//
// An entry is ":old-mode new-mode old-id new-id status" then the path, or
// for a merge with -c, one colon, mode and id per parent:
// "::mode1 mode2 new-mode id1 id2 new-id status".
func (h *History) list(ctx context.Context, r io.Reader, first, extra []pending, emit func(pending) error) error {
	l := logLister{h: h, br: bufio.NewReaderSize(r, 256<<10), seen: make(map[string]struct{}, 1<<14),
		cache: h.cache(), submodules: map[string]bool{}}
	for _, p := range first {
		l.seen[p.id] = struct{}{}
		if err := emit(p); err != nil {
			return err
		}
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		tok, err := l.next()
		if err == io.EOF {
			return l.extra(extra, emit)
		}
		if err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(tok, "\x01"):
			err = l.commit(tok)
		case strings.HasPrefix(tok, ":"):
			var p pending
			var ok bool
			if p, ok, err = l.entry(tok); ok {
				err = emit(p)
			}
		}
		if err != nil {
			return err
		}
	}
}

// logLister is list's state while it reads git log's output.
type logLister struct {
	h          *History
	br         *bufio.Reader
	seen       map[string]struct{} // blob ids listed
	cache      *HistoryCache
	submodules map[string]bool // paths warned of
	cur        scan.Origin     // the commit being read
}

// next reads one NUL-terminated token.
func (l *logLister) next() (string, error) {
	tok, err := l.br.ReadString(0)
	if err != nil {
		if err == io.EOF && tok != "" {
			return strings.TrimLeft(tok, "\n"), nil
		}
		return "", err
	}
	return strings.TrimLeft(tok[:len(tok)-1], "\n"), nil
}

// commit reads a commit's header: tok is "\x01" and its id, then the
// author's name, email and date follow.
func (l *logLister) commit(tok string) error {
	var fields [3]string
	for i := range fields {
		var err error
		if fields[i], err = l.next(); err != nil {
			return fmt.Errorf("git log: truncated commit header: %w", err)
		}
	}
	date, _ := time.Parse(time.RFC3339, fields[2])
	l.cur = scan.Origin{Commit: tok[1:], Author: fields[0], Email: fields[1], Date: date}
	return nil
}

// entry reads a raw entry's path and returns its blob, when it is one to
// scan: a file's content, new, not ignored and not in the cache.
func (l *logLister) entry(tok string) (pending, bool, error) {
	h := l.h
	path, err := l.next()
	if err != nil {
		return pending{}, false, fmt.Errorf("git log: truncated raw entry: %w", err)
	}
	parents := len(tok) - len(strings.TrimLeft(tok, ":"))
	f := strings.Fields(tok[parents:])
	if len(f) != 2*(parents+1)+1 {
		return pending{}, false, fmt.Errorf("git log: unexpected raw entry %q", tok)
	}
	// Deletions have mode 000000; submodules 160000: another
	// repository, said once per path so it is not taken as clean.
	if mode := f[parents]; !strings.HasPrefix(mode, "10") && mode != "120000" {
		if mode == "160000" && !l.submodules[path] && h.opts.Warn != nil {
			l.submodules[path] = true
			h.opts.Warn(h.view.show(path), errors.New("submodule: its history is not scanned here; scan its repository with --history"))
		}
		return pending{}, false, nil
	}
	id := f[2*parents+1]
	if _, ok := l.seen[id]; ok {
		return pending{}, false, nil
	}
	if h.ignore.Match(path) {
		return pending{}, false, nil // may be seen again at a path that is not ignored
	}
	l.seen[id] = struct{}{}
	if l.cache.known(id) {
		return pending{}, false, nil
	}
	if h.base != "" {
		h.paths = append(h.paths, path)
	}
	o := l.cur
	o.Path = h.view.show(path)
	return pending{id: id, origin: o}, true, nil
}

// extra emits, after the log, the blobs in no commit it did not list.
func (l *logLister) extra(extra []pending, emit func(pending) error) error {
	h := l.h
	for _, p := range extra {
		if _, ok := l.seen[p.id]; !ok && !h.ignore.Match(p.origin.Path) && !l.cache.known(p.id) {
			l.seen[p.id] = struct{}{}
			p.origin.Path = h.view.show(p.origin.Path)
			if err := emit(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// readBatch reads one `git cat-file --batch` answer per queued request and
// yields text blobs; binary ones are counted in binary.
func readBatch(ctx context.Context, r *bufio.Reader, queue <-chan pending, maxMem int64, binary, blobs *atomic.Int64, warn scan.Warner, cache *HistoryCache, yield func(scan.Item) error) error {
	b := batchReader{ctx: ctx, r: r, maxMem: maxMem, binary: binary, blobs: blobs, warn: warn, cache: cache, yield: yield,
		buf: make([]byte, prefixSize), pool: newSizedPool()}
	for p := range queue {
		if err := b.read(p); err != nil {
			return err
		}
	}
	return nil
}

// batchReader is readBatch's state, shared by the answers it reads.
type batchReader struct {
	ctx           context.Context
	r             *bufio.Reader
	maxMem        int64
	binary, blobs *atomic.Int64
	warn          scan.Warner
	cache         *HistoryCache
	yield         func(scan.Item) error
	buf           []byte // a streamed blob's prefix
	pool          *sizedPool
}

// read reads the answer to request p, header, content and newline.
func (b *batchReader) read(p pending) error {
	header, err := b.r.ReadString('\n')
	if err != nil {
		if b.ctx.Err() != nil {
			return b.ctx.Err()
		}
		return fmt.Errorf("git cat-file: reading %s: %w", p.id, err)
	}
	// "<id> <type> <size>" or "<name> missing"
	f := strings.Fields(header)
	if len(f) == 2 && f[1] == "missing" {
		// A staged submodule (":path" names a commit we do not have) is not content.
		if b.warn != nil && !strings.HasPrefix(p.id, ":") {
			b.warn(p.origin.Path, scan.Skipped(fmt.Errorf("git object %s missing or corrupt, not scanned", p.id)))
		}
		return nil
	}
	if len(f) != 3 {
		return fmt.Errorf("git cat-file: unexpected header %q", strings.TrimSpace(header))
	}
	size, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil {
		return fmt.Errorf("git cat-file: unexpected header %q", strings.TrimSpace(header))
	}
	if f[1] == "blob" && size <= b.maxMem {
		err = b.inMemory(p, size)
	} else {
		err = b.streamed(p, f[1], size)
	}
	if err != nil {
		return err
	}
	if _, err := b.r.Discard(1); err != nil { // the newline after the content
		return fmt.Errorf("git cat-file: reading %s: %w", p.id, err)
	}
	return nil
}

// inMemory handles the common case: a blob copied once, straight out of
// the pipe buffer.
func (b *batchReader) inMemory(p pending, size int64) error {
	bp := b.pool.get(int(size))
	data := (*bp)[:size]
	if _, err := io.ReadFull(b.r, data); err != nil {
		return fmt.Errorf("git cat-file: reading %s: %w", p.id, err)
	}
	switch sniff(data) {
	case kindZip, kindGzip, kindTar:
		b.blobs.Add(1)
		n, err := expandBlob(b.ctx, b.yield, p.origin.Path, originsOf(p.origin), bytes.Clone(data), b.warn)
		b.pool.put(bp)
		b.binary.Add(n)
		return err
	case kindBinary:
		b.pool.put(bp)
		b.binary.Add(1)
		b.cache.skipped(p.id)
	case kindReport:
		if b.warn != nil {
			b.warn(p.origin.Path, ownReportNote(data))
		}
		b.pool.put(bp)
	default:
		b.blobs.Add(1)
		it := pooledItem(p.origin.Path, bp, len(data), originsOf(p.origin), b.pool)
		if b.cache != nil {
			it.Blob = p.id
		}
		return b.yield(it)
	}
	return nil
}

// streamed handles an object too big to copy, or not a blob, from its
// prefix, and reads the rest of it.
func (b *batchReader) streamed(p pending, typ string, size int64) error {
	body := io.LimitReader(b.r, size)
	n, eof, err := readPrefix(body, b.buf[:min(int64(len(b.buf)), size+1)])
	if err != nil {
		return fmt.Errorf("git cat-file: reading %s: %w", p.id, err)
	}
	switch k := sniff(b.buf[:n]); {
	case typ != "blob" || k == kindBinary:
		b.binary.Add(1)
		b.cache.skipped(p.id)
	case k == kindReport:
		if b.warn != nil {
			b.warn(p.origin.Path, ownReportNote(b.buf[:n]))
		}
	case k == kindZip || k == kindGzip || k == kindTar:
		b.blobs.Add(1)
		whole := io.MultiReader(bytes.NewReader(b.buf[:n]), body)
		n, err := expandBlobStream(b.ctx, b.yield, p.origin.Path, originsOf(p.origin), k, whole, b.warn)
		b.binary.Add(n)
		if err != nil {
			return err
		}
	default:
		b.blobs.Add(1)
		withID := func(it scan.Item) error {
			if b.cache != nil {
				it.Blob = p.id
			}
			return b.yield(it)
		}
		if err := handoff(b.ctx, withID, p.origin.Path, originsOf(p.origin), b.buf[:n], eof, body, b.maxMem); err != nil {
			return err
		}
	}
	// The scanner may not have read to the end.
	_, err = io.Copy(io.Discard, body)
	return err
}

func originsOf(o scan.Origin) []scan.Origin {
	if o.Commit == "" {
		return nil
	}
	return []scan.Origin{o}
}

// Staged yields the blobs staged in the index of the repository at Dir
// (added, copied, modified or renamed), for a pre-commit hook.
type Staged struct {
	Dir    string
	opts   GitOptions
	binary atomic.Int64
	blobs  atomic.Int64
}

// NewStaged returns a source over the staged changes of the repository at dir.
func NewStaged(dir string, opts GitOptions) *Staged {
	return &Staged{Dir: dir, opts: opts.withDefaults()}
}

// Binary is the number of staged files left out as binary. Files not read
// for another reason are scan.SkipErrors given to GitOptions.Warn.
func (s *Staged) Binary() int64 { return s.binary.Load() }

// Items yields each staged blob, named by its path in the repository.
func (s *Staged) Items(ctx context.Context, yield func(scan.Item) error) error {
	info, err := gitRepo(ctx, s.opts, s.Dir)
	if err != nil {
		return err
	}
	top := info.top
	if top == "" {
		return fmt.Errorf("--staged needs a work tree; %s is a bare repository", s.Dir)
	}
	args := []string{"diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR", "--no-renames"}
	if info.prefix != "" {
		args = append(args, "--", info.prefix) // a sub-directory: only what is staged in it
	}
	out, err := gitOutput(ctx, s.opts, top, args...)
	if err != nil {
		return err
	}
	view := s.opts.view(s.Dir, info)
	ignore := loadRepoIgnore(top)
	var paths []string
	for _, p := range strings.Split(string(out), "\x00") {
		switch {
		case p == "":
		case strings.ContainsAny(p, "\n\r"):
			// cat-file reads one name per line; such a path cannot be asked for.
			if s.opts.Warn != nil {
				s.opts.Warn(p, scan.Skipped(errors.New("path contains a newline, not scanned")))
			}
		case ignore.Match(p):
		default:
			paths = append(paths, p)
		}
	}
	if len(paths) == 0 {
		return nil
	}
	ps := make([]pending, len(paths))
	for i, p := range paths {
		ps[i] = pending{id: ":" + p, origin: scan.Origin{Path: view.show(p)}}
	}
	return catBlobs(ctx, s.opts, top, ps, &s.binary, &s.blobs, s.opts.Warn, nil, yield)
}

// catBlobs reads the named blobs with one `git cat-file --batch` in dir and
// yields them; a name git does not have is skipped (warned of unless warn
// is nil or it names the index).
func catBlobs(ctx context.Context, opts GitOptions, dir string, ps []pending, binary, blobs *atomic.Int64, warn scan.Warner, cache *HistoryCache, yield func(scan.Item) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cat := gitCommand(ctx, opts, dir, "cat-file", "--batch", "--buffer")
	var catErr bytes.Buffer
	cat.Stderr = &catErr
	var in strings.Builder
	queue := make(chan pending, len(ps))
	for _, p := range ps {
		in.WriteString(p.id + "\n")
		queue <- p
	}
	close(queue)
	cat.Stdin = strings.NewReader(in.String())
	catOut, catW, err := bigPipe()
	if err != nil {
		return err
	}
	defer catOut.Close()
	cat.Stdout = catW
	err = cat.Start()
	catW.Close()
	if err != nil {
		return gitError("cat-file", dir, err, nil)
	}
	readErr := readBatch(ctx, bufio.NewReaderSize(catOut, 256<<10), queue, opts.MaxMemory, binary, blobs, warn, cache, yield)
	if readErr != nil {
		cancel()
	}
	waitErr := cat.Wait()
	if readErr != nil {
		return readErr
	}
	if waitErr != nil {
		return gitError("cat-file", dir, waitErr, catErr.Bytes())
	}
	return nil
}
