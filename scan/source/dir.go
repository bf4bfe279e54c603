// Package source provides the things atoguard scans: files and directory
// trees (with .gitignore and .atoguardignore), archives, stdin, git history
// and staged changes. Every source yields scan.Items and reports non-fatal
// problems through a scan.Warner, then carries on.
package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/atoguard/atoguard/scan"
)

// IgnoreFile is atoguard's own ignore file: gitignore syntax, always honoured.
const IgnoreFile = ".atoguardignore"

// Options configure the file-system sources.
type Options struct {
	// NoIgnore scans files that .gitignore excludes (.atoguardignore still applies).
	NoIgnore bool
	// Warn receives non-fatal problems; nil drops them.
	Warn scan.Warner
	// Archive bounds archive expansion; zero fields take defaults.
	Archive ArchiveLimits
	// Exclude names files never to scan, matched by identity (os.SameFile),
	// so "report.json", "./report.json" and its absolute path are one file:
	// the scan's own report and baseline. Paths that do not exist are ignored.
	Exclude []string
}

// Paths scans files, directories and archives. "-" is not special here; use Stdin.
type Paths struct {
	roots    []string
	opts     Options
	pool     *bufPool
	excluded []os.FileInfo // Options.Exclude, as found when the source was made
	binary   atomic.Int64
}

// NewPaths returns a source over the given files and directories.
func NewPaths(roots []string, opts Options) *Paths {
	opts.Archive = opts.Archive.withDefaults()
	p := &Paths{roots: roots, opts: opts, pool: newBufPool()}
	for _, name := range opts.Exclude {
		if fi, err := os.Stat(name); err == nil {
			p.excluded = append(p.excluded, fi)
		}
	}
	return p
}

// isExcluded reports whether fi is one of Options.Exclude.
func (p *Paths) isExcluded(fi os.FileInfo) bool {
	for _, x := range p.excluded {
		if os.SameFile(x, fi) {
			return true
		}
	}
	return false
}

// Binary is the number of files and archive members left out as binary.
// What is not read in full for any other reason (unreadable, past a limit,
// corrupt) is a scan.SkipError given to Options.Warn.
func (p *Paths) Binary() int64 { return p.binary.Load() }

func (p *Paths) warn(path string, err error) {
	if p.opts.Warn != nil {
		p.opts.Warn(path, err)
	}
}

// skip reports something not read in full: a warning that is a
// scan.SkipError, so that the caller lists it.
func (p *Paths) skip(path string, err error) { p.warn(path, scan.Skipped(err)) }

// skipQuietly is skip for what another warning already sums up (the
// members an archive limit cut, reported once per archive).
func (p *Paths) skipQuietly(path string, err error) { p.warn(path, scan.SkippedQuietly(err)) }

// Items walks every root in order.
func (p *Paths) Items(ctx context.Context, yield func(scan.Item) error) error {
	for _, root := range p.roots {
		fi, err := os.Stat(root)
		if err != nil {
			return fmt.Errorf("scan %s: %w", root, unwrapPathError(err))
		}
		w := &walker{p: p, ctx: ctx, yield: yield, root: root, visited: map[fileID]bool{}}
		if fi.IsDir() {
			err = w.walkRoot()
		} else {
			err = w.file(root, root)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

type fileID struct{ dev, ino uint64 }

// walker walks one root. rel paths are slash-separated and relative to root;
// they are what ignore rules match.
type walker struct {
	p       *Paths
	ctx     context.Context
	yield   func(scan.Item) error
	root    string
	visited map[fileID]bool // directories entered, to stop symlink loops
}

// ignores are the ignore files in force at one point of a walk. .gitignore
// rules and atoguard's own are kept apart so that a "!pattern" in a
// .gitignore can never bring back what .atoguardignore excludes.
type ignores struct {
	git ignoreStack // .gitignore and .git/info/exclude; empty with NoIgnore
	own ignoreStack // .atoguardignore, always honoured
}

func (ig ignores) ignored(rel string, isDir bool) bool {
	return ig.own.ignored(rel, isDir) || ig.git.ignored(rel, isDir)
}

func (w *walker) walkRoot() error {
	// Rules of the enclosing repository apply to a sub-directory scan too.
	ig := w.parentIgnores()
	fi, err := os.Stat(w.root)
	if err != nil {
		return err
	}
	if id, ok := idOf(fi); ok {
		w.visited[id] = true
	}
	return w.dir(w.root, "", ig)
}

// parentIgnores loads the ignore files between the enclosing repository's
// top and the scan root (.git/info/exclude, .gitignore files unless
// NoIgnore, .atoguardignore files always), re-based so they match paths
// relative to the root. Outside a repository nothing above the root applies.
func (w *walker) parentIgnores() ignores {
	var ig ignores
	abs, err := filepath.Abs(w.root)
	if err != nil {
		return ig
	}
	var dirs []string
	top := ""
	for d := abs; ; d = filepath.Dir(d) {
		dirs = append(dirs, d)
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			top = d
			break
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	if top == "" {
		return ig
	}
	if !w.p.opts.NoIgnore {
		if f, _ := loadIgnoreFile(filepath.Join(top, ".git", "info"), "exclude", ""); f != nil {
			ig.git = append(ig.git, rebase(f, top, abs))
		}
	}
	// Outermost first; the root's own files are read by dir().
	for i := len(dirs) - 1; i >= 1; i-- {
		if !w.p.opts.NoIgnore {
			if f, _ := loadIgnoreFile(dirs[i], ".gitignore", ""); f != nil {
				ig.git = append(ig.git, rebase(f, dirs[i], abs))
			}
		}
		if f, _ := loadIgnoreFile(dirs[i], IgnoreFile, ""); f != nil {
			ig.own = append(ig.own, rebase(f, dirs[i], abs))
		}
	}
	return ig
}

// rebase turns rules written for directory from into rules that match paths
// relative to the descendant directory to.
func rebase(f *ignoreFile, from, to string) *ignoreFile {
	rel, err := filepath.Rel(from, to)
	if err != nil || rel == "." {
		return f
	}
	return &ignoreFile{base: "", rules: rebaseRules(f.rules, filepath.ToSlash(rel))}
}

// rebaseRules keeps the meaning of rules when paths are given relative to a
// sub-directory prefix of the rules' base: unanchored rules are unchanged,
// anchored ones get the prefix prepended to the subject via a wrapper.
func rebaseRules(rules []ignoreRule, prefix string) []ignoreRule {
	out := make([]ignoreRule, 0, len(rules))
	for _, r := range rules {
		r.prefix = prefix
		out = append(out, r)
	}
	return out
}

// maxDepth bounds directory nesting: a loop that inode tracking cannot see
// (no inodes on this platform) still ends.
const maxDepth = 256

func (w *walker) dir(path, rel string, ig ignores) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	if strings.Count(rel, "/") >= maxDepth {
		w.p.skip(path, fmt.Errorf("more than %d directories deep, not descended", maxDepth))
		return nil
	}
	entries, err := os.ReadDir(path)
	if err != nil && len(entries) == 0 {
		w.p.skip(path, unwrapPathError(err))
		return nil
	}
	ig = w.ignoresIn(path, rel, entries, err != nil, ig)
	for _, e := range entries {
		name := e.Name()
		child := filepath.Join(path, name)
		childRel := name
		if rel != "" {
			childRel = rel + "/" + name
		}
		typ := e.Type()
		if typ&fs.ModeSymlink != 0 {
			fi, err := os.Stat(child)
			if err != nil {
				w.p.skip(child, fmt.Errorf("broken symlink: %w", unwrapPathError(err)))
				continue
			}
			typ = fi.Mode().Type()
		}
		switch {
		case typ.IsDir():
			if name == ".git" || ig.ignored(childRel, true) {
				continue
			}
			fi, err := os.Stat(child)
			if err != nil {
				w.p.skip(child, unwrapPathError(err))
				continue
			}
			if id, ok := idOf(fi); ok {
				if w.visited[id] {
					if e.Type()&fs.ModeSymlink != 0 {
						w.p.warn(child, errors.New("symlink loop (directory already scanned), skipped"))
					}
					continue
				}
				w.visited[id] = true
			}
			if err := w.dir(child, childRel, ig); err != nil {
				return err
			}
		case typ.IsRegular():
			if ig.ignored(childRel, false) {
				continue
			}
			if err := w.file(child, child); err != nil {
				return err
			}
		}
		// Devices, sockets and pipes are not files to scan.
	}
	return nil
}

// ignoresIn adds the ignore files of the directory at path to ig. It
// looks for them only where the listing has them (or is incomplete): an
// open that fails costs as much as one that succeeds, twice per directory.
func (w *walker) ignoresIn(path, rel string, entries []fs.DirEntry, partial bool, ig ignores) ignores {
	listed := func(name string) bool {
		_, found := slices.BinarySearchFunc(entries, name, func(e fs.DirEntry, n string) int { return strings.Compare(e.Name(), n) })
		return found || partial
	}
	if !w.p.opts.NoIgnore && listed(".gitignore") {
		if f, err := loadIgnoreFile(path, ".gitignore", rel); err != nil {
			w.p.warn(filepath.Join(path, ".gitignore"), unwrapPathError(err))
		} else if f != nil {
			ig.git = append(ig.git[:len(ig.git):len(ig.git)], f)
		}
	}
	if listed(IgnoreFile) {
		if f, err := loadIgnoreFile(path, IgnoreFile, rel); err != nil {
			w.p.warn(filepath.Join(path, IgnoreFile), unwrapPathError(err))
		} else if f != nil {
			ig.own = append(ig.own[:len(ig.own):len(ig.own)], f)
		}
	}
	return ig
}

// file opens one file, sniffs it and yields it (or its archive members).
func (w *walker) file(path, display string) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	f, err := openFile(path)
	if err != nil {
		w.p.skip(display, unwrapPathError(err))
		return nil
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		w.p.skip(display, unwrapPathError(err))
		return nil
	}
	if len(w.p.excluded) > 0 && w.p.isExcluded(fi) {
		f.Close()
		return nil
	}
	bp := w.p.pool.get()
	buf := *bp
	n, eof, err := readSized(f, buf, fi.Size())
	if err != nil {
		f.Close()
		w.p.pool.put(bp)
		w.p.skip(display, unwrapPathError(err))
		return nil
	}
	switch sniff(buf[:n]) {
	case kindBinary:
		f.Close()
		w.p.pool.put(bp)
		w.p.binary.Add(1)
		return nil
	case kindReport:
		f.Close()
		w.p.warn(display, ownReportNote(buf[:n]))
		w.p.pool.put(bp)
		return nil
	case kindZip, kindGzip, kindTar:
		w.p.pool.put(bp)
		a := w.p.archiveWalker(w.ctx, w.yield, display)
		err := a.file(f, fi.Size())
		f.Close()
		return err
	}
	if eof {
		// The whole file is in hand: give the descriptor back now, and
		// the buffer once the engine has read it (no copy).
		f.Close()
		return w.yield(scan.Item{Path: display, Size: int64(n), Open: func() (io.ReadCloser, error) {
			return &prefixReader{prefix: buf[:n], onClose: func() { w.p.pool.put(bp) }}, nil
		}})
	}
	first := &prefixReader{prefix: buf[:n], rest: f, onClose: func() {
		f.Close()
		w.p.pool.put(bp)
	}}
	o := &opener{first: first, reopen: func() (io.ReadCloser, error) { return os.Open(path) }}
	return w.yield(scan.Item{Path: display, Size: fi.Size(), Open: o.open})
}

// readSized is readPrefix for a regular file of the given size: a file that
// fits the buffer is read with one call and taken as complete when that
// many bytes came, without a second read to see the end (a file growing
// meanwhile is read as it was when measured, as a read that reached its
// end a moment earlier would have). Sizes of 0 (special files say so) and
// files that do not fit take the general path.
func readSized(f *os.File, buf []byte, size int64) (int, bool, error) {
	if size <= 0 || size >= int64(len(buf)) {
		return readPrefix(f, buf)
	}
	n, err := io.ReadFull(f, buf[:size])
	if err == io.ErrUnexpectedEOF {
		err = nil // shrank since it was measured: what is there is all of it
	}
	return n, err == nil, err
}

// Multi chains sources.
type Multi []scan.Source

// Items yields every source's items in order.
func (m Multi) Items(ctx context.Context, yield func(scan.Item) error) error {
	for _, s := range m {
		if err := s.Items(ctx, yield); err != nil {
			return err
		}
	}
	return nil
}
