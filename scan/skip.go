package scan

import (
	"cmp"
	"errors"
	"slices"
	"sync"
)

// Skip is something a scan did not read in full, and why: a directory past
// the depth limit, an unreadable file, an archive member cut or left out by
// the archive limits, a corrupt or truncated archive, a git object that
// could not be read. Binary content is not a Skip (there is no text to
// read); it is counted in Stats.Binary.
type Skip struct {
	Path   string
	Reason string
}

// SkipError is a warning that also means "this was not read in full".
// Sources and the scanner pass it to their Warner; the caller collects
// them (see Skips). Quiet ones were already summed up in another warning
// (an archive bomb warns once for all the members it cut) and need not be
// printed again.
type SkipError struct {
	Err   error
	Quiet bool
}

func (e *SkipError) Error() string { return e.Err.Error() }
func (e *SkipError) Unwrap() error { return e.Err }

// Skipped marks err as a skip (it is returned as is if it already is one).
func Skipped(err error) error {
	var se *SkipError
	if errors.As(err, &se) {
		return err
	}
	return &SkipError{Err: err}
}

// SkippedQuietly marks err as a skip that another warning already reported.
func SkippedQuietly(err error) error { return &SkipError{Err: err, Quiet: true} }

// AsSkip reports whether err marks a skip, and whether it is a quiet one.
func AsSkip(err error) (skip, quiet bool) {
	var se *SkipError
	if errors.As(err, &se) {
		return true, se.Quiet
	}
	return false, false
}

// MaxListedSkips caps the skips Skips keeps; past it they are only counted,
// so a tree of a million unreadable files costs a number, not its list.
const MaxListedSkips = 10000

// Skips collects skips, safe for concurrent use. The zero value is ready.
type Skips struct {
	mu   sync.Mutex
	list []Skip
	n    int64
}

// Add records one skip.
func (s *Skips) Add(path string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	if len(s.list) < MaxListedSkips {
		s.list = append(s.list, Skip{Path: path, Reason: err.Error()})
	}
}

// Count is how many skips were recorded, listed or not.
func (s *Skips) Count() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// List returns the recorded skips (at most MaxListedSkips) sorted by path.
func (s *Skips) List() []Skip {
	s.mu.Lock()
	out := slices.Clone(s.list)
	s.mu.Unlock()
	slices.SortStableFunc(out, func(a, b Skip) int { return cmp.Compare(a.Path, b.Path) })
	return out
}

// AddSkips merges skips collected outside the scanner (by a source's
// Warner) and binary items counted by sources into r.
func (r *Result) AddSkips(s *Skips, binary int64) {
	r.Stats.Binary += binary
	r.Stats.Skipped += binary + s.Count()
	more := s.List()
	if len(more) == 0 {
		return
	}
	r.Skipped = append(r.Skipped, more...)
	slices.SortStableFunc(r.Skipped, func(a, b Skip) int { return cmp.Compare(a.Path, b.Path) })
	r.Skipped = r.Skipped[:min(len(r.Skipped), MaxListedSkips)]
}
