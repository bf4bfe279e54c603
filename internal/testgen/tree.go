package testgen

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// TreeOptions describe a generated source tree.
type TreeOptions struct {
	Bytes       int64  // total size to generate (approximate, rounded up by one file)
	Seed        uint64 // same seed, same tree
	SecretEvery int    // one leaked credential per this many files; 0 = 500
}

// TreeStats describe what was generated.
type TreeStats struct {
	Files   int
	Bytes   int64
	Secrets int
}

// Tree writes a mixed source tree into dir.
func Tree(dir string, opts TreeOptions) (TreeStats, error) {
	if opts.SecretEvery <= 0 {
		opts.SecretEvery = 500
	}
	g := newGen(opts.Seed)
	var st TreeStats
	for st.Bytes < opts.Bytes {
		k := g.kind()
		sub := filepath.Join(dir, fmt.Sprintf("pkg%02d", st.Files%37), fmt.Sprintf("mod%03d", st.Files%211))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return st, err
		}
		size := g.size()
		if k == "env" {
			size = min(size, 2<<10)
		}
		leak := st.Files%opts.SecretEvery == opts.SecretEvery/2
		data := g.file(k, size, leak)
		name := filepath.Join(sub, fmt.Sprintf("%s_%d.%s", g.word(), st.Files, k))
		if err := os.WriteFile(name, data, 0o644); err != nil {
			return st, err
		}
		st.Files++
		st.Bytes += int64(len(data))
		if leak {
			st.Secrets++
		}
	}
	return st, nil
}

// Cached returns a directory under the temp directory named by key, calling
// build to fill it the first time. A marker file records completion, so an
// interrupted build is redone.
func Cached(key string, build func(dir string) error) (string, error) {
	dir := filepath.Join(os.TempDir(), "atoguard-testgen-"+key)
	marker := dir + ".done"
	if _, err := os.Stat(marker); err == nil {
		return dir, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if err := build(dir); err != nil {
		return "", err
	}
	return dir, os.WriteFile(marker, nil, 0o644)
}

// CachedTree is Tree in a cached directory.
func CachedTree(opts TreeOptions) (string, error) {
	key := fmt.Sprintf("tree-v1-%d-%d-%d", opts.Bytes, opts.Seed, opts.SecretEvery)
	return Cached(key, func(dir string) error {
		_, err := Tree(dir, opts)
		return err
	})
}

// HistoryOptions describe a generated git repository.
type HistoryOptions struct {
	Commits        int // number of commits on main (plus a few branch commits)
	Files          int // files in the tree; default 1000
	TouchPerCommit int // files changed per commit; default 2
	FileBytes      int // average file size; default 10 kB
	Seed           uint64
	SecretEvery    int // one credential per this many new blobs; 0 = 500
}

func (o HistoryOptions) withDefaults() HistoryOptions {
	if o.Files <= 0 {
		o.Files = 1000
	}
	if o.TouchPerCommit <= 0 {
		o.TouchPerCommit = 2
	}
	if o.FileBytes <= 0 {
		o.FileBytes = 10 << 10
	}
	if o.SecretEvery <= 0 {
		o.SecretEvery = 500
	}
	return o
}

// HistoryStats describe a generated repository.
type HistoryStats struct {
	Commits   int
	Blobs     int
	BlobBytes int64 // total size of unique blobs
	Secrets   int
}

// History creates a git repository in dir with opts.Commits commits, each
// changing a few lines of TouchPerCommit files, every tenth one on a side
// branch merged back later, streamed to `git fast-import` and then packed
// as a clone would be.
func History(dir string, opts HistoryOptions) (HistoryStats, error) {
	opts = opts.withDefaults()
	if err := gitRun(dir, "init", "-q", "-b", "main"); err != nil {
		return HistoryStats{}, err
	}
	cmd := gitCmd(dir, "fast-import", "--quiet", "--done")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return HistoryStats{}, err
	}
	if err := cmd.Start(); err != nil {
		return HistoryStats{}, err
	}
	h := &historyGen{
		w:      bufio.NewWriterSize(in, 1<<20),
		g:      newGen(opts.Seed),
		people: []string{"Alice <alice@example.com>", "Bob <bob@example.com>", "Carol <carol@example.com>", "Dan <dan@example.com>"},
		when:   1_600_000_000,
	}
	h.write(opts)
	h.w.WriteString("done\n")
	if err := h.w.Flush(); err != nil {
		return h.st, err
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		return h.st, fmt.Errorf("git fast-import: %v: %s", err, stderr.String())
	}
	// fast-import stores nearly every blob whole; a clone or `git gc` leaves
	// a file's versions as deltas of one another, which is what users scan.
	return h.st, gitRun(dir, "repack", "-a", "-d", "-f", "-q")
}

// gitCmd is git run in dir without the user's or the system's configuration.
func gitCmd(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	return cmd
}

func gitRun(dir string, args ...string) error {
	out, err := gitCmd(dir, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

// historyGen writes a generated history as a fast-import stream.
type historyGen struct {
	w      *bufio.Writer
	g      *gen
	people []string
	files  []histFile
	mark   int   // last fast-import mark used
	when   int64 // last commit time
	st     HistoryStats
}

// histFile is a file of the tree as of the last commit written.
type histFile struct {
	path  string
	kind  string
	lines []string
}

// write streams the initial import and opts.Commits-1 changes; every tenth
// change goes to a short-lived branch, merged with the next commit on main.
func (h *historyGen) write(opts HistoryOptions) {
	g := h.g
	main := h.initial(opts)
	branch := 0
	for c := 1; c < opts.Commits; c++ {
		changes := h.edit(opts)
		if c%10 == 5 {
			branch = h.commit(fmt.Sprintf("refs/heads/topic-%d", c), []int{main}, changes, fmt.Sprintf("topic %d: %s", c, g.sentence()))
			continue
		}
		parents := []int{main}
		if branch != 0 {
			parents = append(parents, branch)
			branch = 0
		}
		main = h.commit("refs/heads/main", parents, changes, fmt.Sprintf("change %d: %s", c, g.sentence()))
	}
}

// initial generates opts.Files files and commits them all; it returns the
// commit's mark.
func (h *historyGen) initial(opts HistoryOptions) int {
	g := h.g
	h.files = make([]histFile, opts.Files)
	all := make([]int, opts.Files)
	for i := range h.files {
		k := g.kind()
		data := string(g.file(k, opts.FileBytes/2+g.r.IntN(opts.FileBytes), false))
		h.files[i] = histFile{
			path:  fmt.Sprintf("src/pkg%02d/%s_%d.%s", i%29, g.word(), i, k),
			kind:  k,
			lines: strings.Split(strings.TrimSuffix(data, "\n"), "\n"),
		}
		all[i] = i
	}
	return h.commit("refs/heads/main", nil, all, "initial import")
}

// edit changes a few lines of opts.TouchPerCommit files, sometimes leaking
// a credential, and returns the indexes of the files changed.
func (h *historyGen) edit(opts HistoryOptions) []int {
	g := h.g
	changes := make([]int, opts.TouchPerCommit)
	for i := range changes {
		fi := g.r.IntN(len(h.files))
		changes[i] = fi
		f := &h.files[fi]
		for range 1 + g.r.IntN(4) {
			f.lines[g.r.IntN(len(f.lines))] = g.line(f.kind)
		}
		if g.r.IntN(opts.SecretEvery) == 0 {
			f.lines[g.r.IntN(len(f.lines))] = g.secret(f.kind)
			h.st.Secrets++
		}
	}
	return changes
}

// blob writes the file's current content and returns its mark.
func (h *historyGen) blob(f *histFile) int {
	h.mark++
	var b strings.Builder
	for _, l := range f.lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	data := b.String()
	fmt.Fprintf(h.w, "blob\nmark :%d\ndata %d\n%s\n", h.mark, len(data), data)
	h.st.Blobs++
	h.st.BlobBytes += int64(len(data))
	return h.mark
}

// commit writes the changed files and a commit of them on ref; it returns
// the commit's mark.
func (h *historyGen) commit(ref string, parents []int, changes []int, msg string) int {
	marks := make([]int, len(changes))
	for i, fi := range changes {
		marks[i] = h.blob(&h.files[fi])
	}
	h.mark++
	h.when += 600 + int64(h.g.r.IntN(3600))
	who := h.people[h.g.r.IntN(len(h.people))]
	fmt.Fprintf(h.w, "commit %s\nmark :%d\nauthor %s %d +0000\ncommitter %s %d +0000\ndata %d\n%s\n",
		ref, h.mark, who, h.when, who, h.when, len(msg), msg)
	for i, p := range parents {
		if i == 0 {
			fmt.Fprintf(h.w, "from :%d\n", p)
		} else {
			fmt.Fprintf(h.w, "merge :%d\n", p)
		}
	}
	for i, fi := range changes {
		fmt.Fprintf(h.w, "M 100644 :%d %s\n", marks[i], h.files[fi].path)
	}
	h.w.WriteByte('\n')
	h.st.Commits++
	return h.mark
}

// CachedHistory is History in a cached directory. It also returns the stats,
// stored beside the repository.
func CachedHistory(opts HistoryOptions) (string, HistoryStats, error) {
	opts = opts.withDefaults()
	key := fmt.Sprintf("git-v2-%d-%d-%d-%d-%d-%d", opts.Commits, opts.Files, opts.TouchPerCommit, opts.FileBytes, opts.Seed, opts.SecretEvery)
	var st HistoryStats
	dir, err := Cached(key, func(dir string) error {
		var err error
		st, err = History(dir, opts)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, ".git", "testgen-stats"),
			fmt.Appendf(nil, "%d %d %d %d", st.Commits, st.Blobs, st.BlobBytes, st.Secrets), 0o644)
	})
	if err != nil {
		return "", st, err
	}
	data, err := os.ReadFile(filepath.Join(dir, ".git", "testgen-stats"))
	if err != nil {
		return "", st, err
	}
	f := strings.Fields(string(data))
	if len(f) == 4 {
		st.Commits, _ = strconv.Atoi(f[0])
		st.Blobs, _ = strconv.Atoi(f[1])
		st.BlobBytes, _ = strconv.ParseInt(f[2], 10, 64)
		st.Secrets, _ = strconv.Atoi(f[3])
	}
	return dir, st, nil
}
