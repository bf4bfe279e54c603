package source

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/atoguard/atoguard/scan"
)

// HistoryCache makes a History scan incremental (scan --history --cache).
// It remembers, for one detector revision and scan configuration, which
// blobs were scanned and the commits every ref pointed at; the next scan
// lists only commits not reachable from those, skips blobs already
// scanned, and re-reads by id the few blobs that gave findings so they are
// reported again with their first commit. It stores no secrets: object
// ids, ref tips, and for blobs with findings their path and commit (hash,
// author, email, date, as git log shows them), never content. Blob ids name content, so a cache moved
// between clones or CI runners stays right; anything it cannot trust
// (corrupt, another revision or configuration) is ignored with a warning.
//
// Use: OpenHistoryCache, then GitOptions.Cache for the History and
// scan.Options.ItemDone = Done for the engine; Save after a scan that ended
// without error.
type HistoryCache struct {
	path     string
	detector string // detector revision and build, plus engine options
	warn     scan.Warner

	// Read once at open; read-only while a scan runs.
	clean []string // blob ids scanned without findings, sorted
	hits  []cachedHit
	tips  []string
	scope string

	mu       sync.Mutex
	done     map[string]bool // blob id → had findings, this run
	partial  map[string]bool // blob id → not read in full this run
	origins  map[string]cachedHit
	newTips  []string
	newScope string
	view     pathView
}

// cachedHit is a blob that gave findings and where it was first seen (the
// repository path, not the path as shown, which depends on the PATH given).
type cachedHit struct {
	Blob   string    `json:"blob"`
	Path   string    `json:"path"`
	Commit string    `json:"commit,omitempty"`
	Author string    `json:"author,omitempty"`
	Email  string    `json:"email,omitempty"`
	Date   time.Time `json:"date,omitzero"`
}

// cacheFile is the file: this header as one line of JSON, then the clean
// blob ids, sorted, one a line (a 10,000-commit history has tens of
// thousands; lines read ten times faster than a JSON array of them).
// Format changes with any incompatible change.
type cacheFile struct {
	Format   string      `json:"format"`
	Detector string      `json:"detector"`
	Scope    string      `json:"scope"`
	Tips     []string    `json:"tips"`
	Hits     []cachedHit `json:"hits"`
	Clean    []string    `json:"-"`
}

const cacheFormat = "atoguard-history-cache/1"

// OpenHistoryCache reads the cache at path for a scan by detector (the
// detector revision, the build and the options that change findings). A
// missing file is an empty cache; one that is corrupt or was written for
// another detector is ignored with a warning, and Save replaces it.
func OpenHistoryCache(path, detector string, warn scan.Warner) *HistoryCache {
	c := &HistoryCache{path: path, detector: detector, warn: warn,
		done: map[string]bool{}, partial: map[string]bool{}, origins: map[string]cachedHit{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return c
	}
	var f cacheFile
	switch {
	case err != nil:
		c.warnf("cannot read it (%v); scanning everything", err)
	case !parseCache(data, &f):
		c.warnf("not an atoguard history cache of this format; scanning everything")
	case f.Detector != detector:
		c.warnf("written by another detector version or options (%.80q); scanning everything", f.Detector)
	default:
		c.clean, c.hits, c.tips, c.scope = f.Clean, f.Hits, f.Tips, f.Scope
	}
	return c
}

// parseCache reads data into f; false if it is not a well-formed cache.
func parseCache(data []byte, f *cacheFile) bool {
	header, rest, _ := bytes.Cut(data, []byte("\n"))
	if json.Unmarshal(header, f) != nil || f.Format != cacheFormat {
		return false
	}
	// Substrings of one string: one allocation for tens of thousands of ids.
	ids := string(rest)
	f.Clean = make([]string, 0, len(ids)/41)
	for ids != "" {
		id, next, _ := strings.Cut(ids, "\n")
		if !objectID(id) || len(f.Clean) > 0 && id <= f.Clean[len(f.Clean)-1] {
			return false
		}
		f.Clean = append(f.Clean, id)
		ids = next
	}
	return validIDs(*f)
}

// objectID: 40 (SHA-1) or 64 (SHA-256) lowercase hex digits. Anything else
// would reach git's command line or stdin.
func objectID(id string) bool {
	if len(id) != 40 && len(id) != 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func (c *HistoryCache) warnf(format string, args ...any) {
	if c.warn != nil {
		c.warn(c.path, fmt.Errorf("history cache: "+format, args...))
	}
}

// validIDs: the header's ids are object ids and its paths one line each.
func validIDs(f cacheFile) bool {
	for _, id := range f.Tips {
		if !objectID(id) {
			return false
		}
	}
	for _, h := range f.Hits {
		if !objectID(h.Blob) || (h.Commit != "" && !objectID(h.Commit)) || strings.ContainsAny(h.Path, "\n\r") {
			return false
		}
	}
	return true
}

// Reused is the number of blobs known clean from earlier scans: the last
// scan did not read them again.
func (c *HistoryCache) Reused() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.clean)
}

// begin starts a History scan with scope (what the repository's ignore file
// and the scanned sub-directory make of its blobs) and the commits the refs
// point at now; it returns the cached tips to exclude from the listing and
// the blobs with findings to read again. A cache of another scope is not
// used.
func (c *HistoryCache) begin(scope string, tips []string, view pathView) ([]string, []cachedHit) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.newScope, c.newTips, c.view = scope, tips, view
	if c.scope != scope {
		if len(c.clean) > 0 || len(c.hits) > 0 {
			c.warnf("written for another sub-directory or %s; scanning everything", IgnoreFile)
		}
		c.clean, c.hits, c.tips = nil, nil, nil
	}
	return c.tips, c.hits
}

// known: the blob was scanned before (with or without findings).
func (c *HistoryCache) known(id string) bool {
	if c == nil {
		return false
	}
	_, ok := slices.BinarySearch(c.clean, id)
	return ok
}

// skipped records a blob History read but left out as binary content.
func (c *HistoryCache) skipped(id string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.done[id]; !ok {
		c.done[id] = false
	}
}

// Done is the engine's scan.Options.ItemDone: it records the outcome of
// each history blob.
func (c *HistoryCache) Done(it scan.Item, findings int, complete bool) {
	if it.Blob == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !complete {
		c.partial[it.Blob] = true
		return
	}
	c.done[it.Blob] = c.done[it.Blob] || findings > 0
	if findings > 0 {
		h := cachedHit{Blob: it.Blob, Path: it.Path}
		if len(it.Origins) > 0 {
			o := it.Origins[0]
			h = cachedHit{Blob: it.Blob, Path: o.Path, Commit: o.Commit, Author: o.Author, Email: o.Email, Date: o.Date}
		}
		c.origins[it.Blob] = h
	}
}

// Save writes the cache: the blobs known before and those read in full by
// this scan, and the ref tips it started from. Call it only after a scan
// that ended without error, so no blob is remembered as scanned that was
// not. The file is replaced atomically.
func (c *HistoryCache) Save() error {
	c.mu.Lock()
	f := cacheFile{Format: cacheFormat, Detector: c.detector, Scope: c.newScope, Tips: c.newTips}
	var added []string
	for id, hit := range c.done {
		switch {
		case c.partial[id]:
		case hit:
			h := c.origins[id]
			// Back to the repository path: the next scan may be given
			// the repository under another name.
			h.Path = c.view.strip + strings.TrimPrefix(h.Path, c.view.prefix)
			f.Hits = append(f.Hits, h)
		case !c.known(id):
			added = append(added, id)
		}
	}
	slices.Sort(added)
	f.Clean = mergeSorted(c.clean, added)
	unchanged := len(added) == 0 && c.scope == f.Scope && slices.Equal(c.tips, f.Tips) && sameHits(c.hits, f.Hits)
	c.mu.Unlock()
	if unchanged {
		return nil // nothing new: leave the file (and its time stamp) alone
	}
	slices.SortFunc(f.Hits, func(a, b cachedHit) int { return strings.Compare(a.Blob, b.Blob) })
	header, err := json.Marshal(f)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.Grow(len(header) + 41*len(f.Clean) + 1)
	buf.Write(header)
	buf.WriteByte('\n')
	for _, id := range f.Clean {
		buf.WriteString(id)
		buf.WriteByte('\n')
	}
	return writeAtomic(c.path, buf.Bytes())
}

// sameHits: the same blobs gave findings (in any order).
func sameHits(a, b []cachedHit) bool {
	if len(a) != len(b) {
		return false
	}
	ids := make(map[string]bool, len(a))
	for _, h := range a {
		ids[h.Blob] = true
	}
	for _, h := range b {
		if !ids[h.Blob] {
			return false
		}
	}
	return true
}

func mergeSorted(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if a[0] < b[0] {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// writeAtomic replaces path with data: a scan interrupted while writing
// leaves the old cache, never half a new one.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".atoguard-cache-*")
	if err != nil {
		return fmt.Errorf("history cache %s: %w", path, err)
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("history cache %s: %w", path, err)
	}
	return nil
}

// cacheScope identifies what a History of this repository reads: the
// sub-directory and the ignore file's rules.
func cacheScope(prefix, top string) string {
	h := sha256.New()
	h.Write([]byte(prefix + "\x00"))
	if top != "" {
		if data, err := os.ReadFile(filepath.Join(top, IgnoreFile)); err == nil {
			h.Write(data)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// objectTypes names the type of each id the repository has.
func objectTypes(ctx context.Context, opts GitOptions, dir string, ids []string) (map[string]string, error) {
	types := map[string]string{}
	if len(ids) == 0 {
		return types, nil
	}
	cmd := gitCommand(ctx, opts, dir, "cat-file", "--batch-check=%(objectname) %(objecttype)")
	cmd.Stdin = strings.NewReader(strings.Join(ids, "\n") + "\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, gitError("cat-file", dir, err, stderr.Bytes())
	}
	for _, l := range strings.Split(string(out), "\n") {
		if id, typ, ok := strings.Cut(l, " "); ok && typ != "missing" {
			types[id] = typ
		}
	}
	return types, nil
}
