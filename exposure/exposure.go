// Package exposure answers Twilio's "search for your Account SID on GitHub":
// where public code shows the SID, whether a credential sits beside it, and
// when and by whom it was committed. It takes its code search, file fetching
// and detectors as interfaces; internal/cli wires GitHub and scan in.
package exposure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"sync"
	"time"

	"github.com/atoguard/atoguard"
)

// Rule IDs of the credential findings the detectors report (scan's rules).
const (
	RuleAuthToken  = "twilio-auth-token"
	RuleAPIKey     = "twilio-api-key"
	RuleAccountSID = "twilio-account-sid"
)

// CodeHit is one search result: a file in a repository.
type CodeHit struct {
	Repository string // owner/name
	Path       string
	URL        string // where a person views it
	// How the Source fetches the file: the blob SHA the search saw, the
	// host's contents API URL of the file at that SHA, and the raw blob URL
	// for files the contents API does not inline. Empty when unknown.
	BlobSHA    string
	ContentURL string
	BlobURL    string
}

// Commit says when and by whom a path was committed.
type Commit struct {
	SHA    string
	URL    string
	Author string // "Name <email>" or login
	Date   time.Time
	// Oldest is true when this is the oldest commit touching the path
	// (when it was introduced); false when only the newest was available.
	Oldest bool
}

// Source is the code host: search, file contents and history of a path.
type Source interface {
	// Search returns up to max hits for query and the total the host reports.
	Search(ctx context.Context, query string, max int) (total int, incomplete bool, hits []CodeHit, err error)
	File(ctx context.Context, hit CodeHit) ([]byte, error)
	Commit(ctx context.Context, hit CodeHit) (Commit, error)
}

// Historian is an optional part of a Source: with it, Run finds the commit
// that introduced the SID into the file (by bisecting the path's history),
// not merely the oldest commit that touched the path.
type Historian interface {
	// History returns the commits that touched the hit's path, newest
	// first; complete is false when older ones were left out.
	History(ctx context.Context, hit CodeHit) (commits []Commit, complete bool, err error)
	// FileAt returns the file as of a commit.
	FileAt(ctx context.Context, hit CodeHit, sha string) ([]byte, error)
}

// Commit kinds: what a hit's commit fields describe.
const (
	// KindIntroduced: the commit that put the SID into the file.
	KindIntroduced = "introduced"
	// KindOldestListed: the SID is in the oldest commit that could be
	// listed; longer histories were cut, so it may be older.
	KindOldestListed = "oldest-listed"
	// KindOldest: the oldest commit that touched the path.
	KindOldest = "oldest"
	// KindNewest: the newest commit that touched the path (the oldest was
	// not available).
	KindNewest = "newest"
)

// Detector finds credentials in one document (scan.Scanner.ScanBytes).
type Detector interface {
	ScanBytes(path string, data []byte) []atoguard.Finding
}

// Options configure a search.
type Options struct {
	AccountSID  string
	MaxResults  int // ≤ 0: 100
	Concurrency int // files fetched at once; ≤ 0: 4
	// Progress is told after each hit is examined (done of total).
	Progress func(done, total int)
}

// Credential is a secret found in a hit's file, by fingerprint only.
type Credential struct {
	Rule        string `json:"rule"`
	Fingerprint string `json:"fingerprint"`
	AccountSID  string `json:"account_sid,omitempty"`
	KeySID      string `json:"key_sid,omitempty"`
}

// Hit is one place the SID is exposed.
type Hit struct {
	Repository   string       `json:"repository"`
	Path         string       `json:"path"`
	URL          string       `json:"url"`
	TokenPresent bool         `json:"token_present"` // an auth token for this Account SID in the file
	KeyPresent   bool         `json:"key_present"`   // an API key and secret in the file
	Credentials  []Credential `json:"credentials"`
	CommittedAt  *time.Time   `json:"committed_at"`
	CommittedBy  string       `json:"committed_by"`
	Commit       string       `json:"commit"`
	CommitURL    string       `json:"commit_url,omitempty"`
	// CommitOldest says which commit the three fields above describe: true,
	// the oldest that touched the path (when the SID most likely arrived);
	// false, the newest (the oldest could not be read).
	CommitOldest bool `json:"commit_oldest"`
	// CommitKind is KindIntroduced, KindOldestListed, KindOldest or KindNewest.
	CommitKind string `json:"commit_kind"`
	// The same for the auth token beside the SID, when there is one and the
	// history could be bisected (KindIntroduced or KindOldestListed).
	TokenCommittedAt *time.Time `json:"token_committed_at,omitempty"`
	TokenCommittedBy string     `json:"token_committed_by,omitempty"`
	TokenCommit      string     `json:"token_commit,omitempty"`
	TokenCommitKind  string     `json:"token_commit_kind,omitempty"`
	// Errors lists what could not be determined for this hit (file or
	// history unavailable); the hit is reported anyway.
	Errors []string `json:"errors,omitempty"`
}

// Report is the answer for one Account SID.
type Report struct {
	AccountSID string `json:"account_sid"`
	TotalCount int    `json:"total_count"`
	Incomplete bool   `json:"incomplete_results"`
	Hits       []Hit  `json:"hits"`
}

// sidPattern is an Account SID: AC + 32 lowercase hex.
func sidPattern() *regexp.Regexp { return regexp.MustCompile(`^AC[0-9a-f]{32}$`) }

// ErrBadSID is returned for a malformed Account SID.
var ErrBadSID = errors.New("an Account SID is AC followed by 32 lowercase hex digits")

// Run searches for the SID and examines every hit: the file through the
// detectors, the path through the commit history. A failure on one hit is
// recorded on that hit; only the search itself failing is an error.
func Run(ctx context.Context, src Source, det Detector, opts Options) (Report, error) {
	rep := Report{AccountSID: opts.AccountSID, Hits: []Hit{}}
	if !sidPattern().MatchString(opts.AccountSID) {
		return rep, &atoguard.Error{Code: atoguard.EINVALID, Op: "exposure", Err: fmt.Errorf("%q: %w", opts.AccountSID, ErrBadSID)}
	}
	maxResults := opts.MaxResults
	if maxResults <= 0 {
		maxResults = 100
	}
	workers := opts.Concurrency
	if workers <= 0 {
		workers = 4
	}
	total, incomplete, hits, err := src.Search(ctx, opts.AccountSID, maxResults)
	if err != nil {
		return rep, err
	}
	rep.TotalCount, rep.Incomplete = total, incomplete
	out := make([]Hit, len(hits))
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for range min(workers, max(1, len(hits))) {
		wg.Go(func() {
			for i := range jobs {
				out[i] = examine(ctx, src, det, opts.AccountSID, hits[i])
				if opts.Progress != nil {
					mu.Lock()
					done++
					opts.Progress(done, len(hits))
					mu.Unlock()
				}
			}
		})
	}
	for i := range hits {
		select {
		case jobs <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return rep, &atoguard.Error{Code: atoguard.ECANCELED, Op: "exposure", Err: err}
	}
	rep.Hits = out
	sort.SliceStable(rep.Hits, func(i, j int) bool {
		a, b := rep.Hits[i], rep.Hits[j]
		if a.TokenPresent != b.TokenPresent {
			return a.TokenPresent // the worst first
		}
		if a.KeyPresent != b.KeyPresent {
			return a.KeyPresent
		}
		if a.Repository != b.Repository {
			return a.Repository < b.Repository
		}
		return a.Path < b.Path
	})
	return rep, nil
}

func examine(ctx context.Context, src Source, det Detector, sid string, h CodeHit) Hit {
	hit := Hit{Repository: h.Repository, Path: h.Path, URL: h.URL, Credentials: []Credential{}}
	var tokenSecret atoguard.Secret
	data, err := src.File(ctx, h)
	if err != nil {
		hit.Errors = append(hit.Errors, "file: "+err.Error())
	} else {
		if !bytes.Contains(data, []byte(sid)) {
			// The search index can lag behind the repository.
			hit.Errors = append(hit.Errors, "file: the fetched version no longer contains the SID (stale search index)")
		}
		seen := map[string]bool{}
		for _, f := range det.ScanBytes(h.Repository+"/"+h.Path, data) {
			if f.Rule == RuleAuthToken && f.AccountSID == sid && !f.Placeholder && tokenSecret.IsZero() {
				tokenSecret = f.Secret // to date the token; never printed
			}
			if f.Rule == RuleAccountSID || f.Placeholder {
				continue
			}
			switch {
			case f.Rule == RuleAuthToken && f.AccountSID == sid:
				hit.TokenPresent = true
			case f.Rule == RuleAPIKey:
				hit.KeyPresent = true
			}
			key := f.Rule + "\x00" + f.Fingerprint
			if seen[key] {
				continue
			}
			seen[key] = true
			hit.Credentials = append(hit.Credentials, Credential{Rule: f.Rule, Fingerprint: f.Fingerprint,
				AccountSID: f.AccountSID, KeySID: f.KeySID})
		}
	}
	hy := newHistory(ctx, src, h)
	c, kind, err := introduced(ctx, src, hy, sid, h)
	if err != nil {
		hit.Errors = append(hit.Errors, "history: "+err.Error())
	} else {
		if !c.Date.IsZero() {
			d := c.Date.UTC()
			hit.CommittedAt = &d
		}
		hit.CommittedBy, hit.Commit, hit.CommitURL = c.Author, c.SHA, c.URL
		hit.CommitKind, hit.CommitOldest = kind, kind != KindNewest
	}
	// Since when is the auth token itself public? (Often later than the SID.)
	if hy != nil && !tokenSecret.IsZero() {
		if c, kind, ok := hy.introducedBy(ctx, []byte(tokenSecret.Reveal())); ok {
			hit.TokenCommit, hit.TokenCommitKind, hit.TokenCommittedBy = c.SHA, kind, c.Author
			if !c.Date.IsZero() {
				d := c.Date.UTC()
				hit.TokenCommittedAt = &d
			}
		}
	}
	return hit
}

// history is one hit's commit list with the file versions fetched so far,
// shared by the searches for the SID and for the token.
type history struct {
	hs       Historian
	hit      CodeHit
	commits  []Commit // newest first
	complete bool
	versions map[string][]byte // sha → file; nil entry: not there
	failed   bool              // a version could not be read
}

func newHistory(ctx context.Context, src Source, h CodeHit) *history {
	hs, ok := src.(Historian)
	if !ok {
		return nil
	}
	commits, complete, err := hs.History(ctx, h)
	if err != nil || len(commits) == 0 {
		return nil
	}
	return &history{hs: hs, hit: h, commits: commits, complete: complete, versions: map[string][]byte{}}
}

// introducedBy bisects the history for the oldest commit whose version of
// the file contains needle, given that the newest does: about log2(n)
// fetches, shared between needles. ok is false when the newest version
// lacks it (the history does not behave; the caller falls back).
func (hy *history) introducedBy(ctx context.Context, needle []byte) (Commit, string, bool) {
	present := func(i int) bool {
		sha := hy.commits[i].SHA
		data, seen := hy.versions[sha]
		if !seen {
			d, err := hy.hs.FileAt(ctx, hy.hit, sha)
			switch {
			case err == nil:
				data = d
			case atoguard.CodeOf(err) != atoguard.ENOTFOUND:
				// Not knowing is not absence: a bisection on guesses
				// would name the wrong commit.
				hy.failed = true
			}
			hy.versions[sha] = data
		}
		return data != nil && bytes.Contains(data, needle)
	}
	if !present(0) || hy.failed {
		return Commit{}, "", false
	}
	lo, hi := 0, len(hy.commits)-1
	if present(hi) {
		if hy.failed {
			return Commit{}, "", false
		}
		if !hy.complete {
			return hy.commits[hi], KindOldestListed, true
		}
		return hy.commits[hi], KindIntroduced, true // the file was created with it
	}
	for hi-lo > 1 { // present(lo), !present(hi)
		mid := (lo + hi) / 2
		if present(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	if hy.failed {
		return Commit{}, "", false
	}
	return hy.commits[lo], KindIntroduced, true
}

// introduced finds the commit that put the SID into the file, by bisecting
// the path's history when the Source can list it; otherwise, or when the
// history does not behave, the oldest (or newest) commit touching the path.
func introduced(ctx context.Context, src Source, hy *history, sid string, h CodeHit) (Commit, string, error) {
	if hy != nil {
		if c, kind, ok := hy.introducedBy(ctx, []byte(sid)); ok {
			return c, kind, nil
		}
		if ctx.Err() != nil {
			return Commit{}, "", ctx.Err()
		}
	}
	c, err := src.Commit(ctx, h)
	if err != nil {
		return Commit{}, "", err
	}
	kind := KindOldest
	if !c.Oldest {
		kind = KindNewest
	}
	return c, kind, nil
}
