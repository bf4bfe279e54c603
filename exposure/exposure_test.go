package exposure_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/exposure"
	"github.com/atoguard/atoguard/scan"
)

// Public test values other scanners use (issue 3).
const (
	sid   = "AC1b3f0bddbb6887d68d8454e66c749c6a"
	token = "daf7b3d34b9787f1212316eea62ba186"
	key   = "SK1fe059e17c773de4c071a57f9f975873"
	keySe = "4BDNaWxPP5naXdt54Fb4KwAWkfNohej8"
)

type memFile struct {
	hit     exposure.CodeHit
	content string
	commit  exposure.Commit
	fetched string // what File returns when it differs from what was indexed
	fileErr error
	histErr error
}

type memSource struct {
	files     []memFile
	searchErr error
	total     int
}

func (m *memSource) Search(_ context.Context, q string, max int) (int, bool, []exposure.CodeHit, error) {
	if m.searchErr != nil {
		return 0, false, nil, m.searchErr
	}
	var hits []exposure.CodeHit
	for i, f := range m.files {
		if strings.Contains(f.content, q) && len(hits) < max {
			h := f.hit
			h.BlobSHA = strconv.Itoa(i)
			hits = append(hits, h)
		}
	}
	total := m.total
	if total == 0 {
		total = len(hits)
	}
	return total, false, hits, nil
}

func (m *memSource) File(_ context.Context, h exposure.CodeHit) ([]byte, error) {
	f := m.files[m.index(h)]
	if f.fetched != "" {
		return []byte(f.fetched), nil
	}
	return []byte(f.content), f.fileErr
}

func (m *memSource) Commit(_ context.Context, h exposure.CodeHit) (exposure.Commit, error) {
	f := m.files[m.index(h)]
	return f.commit, f.histErr
}

func TestRun(t *testing.T) {
	when := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	src := &memSource{files: []memFile{
		{hit: exposure.CodeHit{Repository: "alice/app", Path: "README.md", URL: "https://github.com/alice/app/blob/x/README.md"},
			content: "Account: " + sid + "\n", commit: exposure.Commit{SHA: "aaa", Author: "Alice <alice@example.com>", Date: when, Oldest: true}},
		{hit: exposure.CodeHit{Repository: "bob/bot", Path: "config/settings.py", URL: "https://github.com/bob/bot/blob/y/config/settings.py"},
			content: "TWILIO_ACCOUNT_SID = '" + sid + "'\nTWILIO_AUTH_TOKEN = '" + token + "'\n",
			commit:  exposure.Commit{SHA: "bbb", Author: "bob", Date: when.Add(time.Hour), Oldest: false}},
		{hit: exposure.CodeHit{Repository: "carol/x", Path: ".env"},
			content: "TWILIO_ACCOUNT_SID=" + sid + "\nTWILIO_API_KEY=" + key + "\nTWILIO_API_SECRET=" + keySe + "\n",
			histErr: errors.New("boom")},
		{hit: exposure.CodeHit{Repository: "dave/y", Path: "gone.txt"}, content: sid, fileErr: errors.New("404")},
		{hit: exposure.CodeHit{Repository: "eve/z", Path: "unrelated.txt"}, content: "nothing"},
		{hit: exposure.CodeHit{Repository: "fay/w", Path: "old.txt"}, content: sid, fetched: "removed"},
	}}
	det := scan.New(scan.Options{})
	var progress []int
	rep, err := exposure.Run(context.Background(), src, det, exposure.Options{AccountSID: sid, Progress: func(d, _ int) { progress = append(progress, d) }})
	if err != nil {
		t.Fatal(err)
	}
	if rep.AccountSID != sid || rep.TotalCount != 5 || len(rep.Hits) != 5 || len(progress) != 5 {
		t.Fatalf("report %+v, progress %v", rep, progress)
	}
	// The worst first: token, then key, then the rest by repository.
	h := rep.Hits[0]
	if h.Repository != "bob/bot" || !h.TokenPresent || h.KeyPresent || len(h.Credentials) != 1 ||
		h.Credentials[0].Rule != exposure.RuleAuthToken || h.Credentials[0].Fingerprint != atoguard.Fingerprint(token) ||
		h.Commit != "bbb" || h.CommitOldest || h.CommittedAt == nil || !h.CommittedAt.Equal(when.Add(time.Hour)) {
		t.Errorf("token hit = %+v", h)
	}
	h = rep.Hits[1]
	if h.Repository != "carol/x" || h.TokenPresent || !h.KeyPresent || len(h.Errors) != 1 || !strings.HasPrefix(h.Errors[0], "history:") {
		t.Errorf("key hit = %+v", h)
	}
	h = rep.Hits[2]
	if h.Repository != "alice/app" || h.TokenPresent || h.KeyPresent || len(h.Credentials) != 0 || h.CommittedBy != "Alice <alice@example.com>" || !h.CommitOldest {
		t.Errorf("SID-only hit = %+v", h)
	}
	h = rep.Hits[3]
	if h.Repository != "dave/y" || len(h.Errors) != 1 || !strings.HasPrefix(h.Errors[0], "file:") {
		t.Errorf("failed-file hit = %+v", h)
	}
	h = rep.Hits[4]
	if h.Repository != "fay/w" || len(h.Errors) != 1 || !strings.Contains(h.Errors[0], "stale search index") {
		t.Errorf("stale hit = %+v", h)
	}
	// Never a secret in the report.
	for _, hh := range rep.Hits {
		for _, c := range hh.Credentials {
			if strings.Contains(c.Fingerprint, token) || strings.Contains(c.Fingerprint, keySe) {
				t.Errorf("secret in report")
			}
		}
	}
}

func TestRunErrors(t *testing.T) {
	det := scan.New(scan.Options{})
	for _, bad := range []string{"", "AC123", "ACXYZ3f0bddbb6887d68d8454e66c749c6", "SK1fe059e17c773de4c071a57f9f975873"} {
		if _, err := exposure.Run(context.Background(), &memSource{}, det, exposure.Options{AccountSID: bad}); atoguard.CodeOf(err) != atoguard.EINVALID {
			t.Errorf("SID %q: %v", bad, err)
		}
	}
	want := atoguard.Errorf(atoguard.ERATELIMITED, "github", "slow down")
	if _, err := exposure.Run(context.Background(), &memSource{searchErr: want}, det, exposure.Options{AccountSID: sid}); !errors.Is(err, want) {
		t.Errorf("search error lost: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	src := &memSource{files: []memFile{{hit: exposure.CodeHit{Repository: "a/b", Path: "x"}, content: sid}}}
	if _, err := exposure.Run(ctx, src, det, exposure.Options{AccountSID: sid}); atoguard.CodeOf(err) != atoguard.ECANCELED {
		t.Errorf("cancelled: %v", err)
	}
	rep, err := exposure.Run(context.Background(), &memSource{}, det, exposure.Options{AccountSID: sid})
	if err != nil || rep.Hits == nil || len(rep.Hits) != 0 {
		t.Errorf("no hits: %+v %v", rep, err)
	}
}

// histSource adds a history with file versions to memSource.
type histSource struct {
	memSource
	versions []string // file content per commit, newest first
	complete bool
	fetches  int
}

func (h *histSource) History(context.Context, exposure.CodeHit) ([]exposure.Commit, bool, error) {
	var cs []exposure.Commit
	for i := range h.versions {
		cs = append(cs, exposure.Commit{SHA: strconv.Itoa(i), Author: "dev" + strconv.Itoa(i)})
	}
	return cs, h.complete, nil
}

func (h *histSource) FileAt(_ context.Context, _ exposure.CodeHit, sha string) ([]byte, error) {
	h.fetches++
	i, _ := strconv.Atoi(sha)
	switch h.versions[i] {
	case "<deleted>":
		return nil, atoguard.Errorf(atoguard.ENOTFOUND, "test", "no such file at %s", sha)
	case "<error>":
		return nil, atoguard.Errorf(atoguard.EUNAVAILABLE, "test", "rate limited")
	}
	return []byte(h.versions[i]), nil
}

func TestIntroducedBisection(t *testing.T) {
	with, without := "sid="+sid, "nothing yet"
	versions := func(n, introducedAt int) []string { // newest first; the SID present for i ≤ introducedAt
		v := make([]string, n)
		for i := range v {
			v[i] = without
			if i <= introducedAt {
				v[i] = with
			}
		}
		return v
	}
	tests := []struct {
		name     string
		versions []string
		complete bool
		wantSHA  string
		wantKind string
		maxFetch int
	}{
		{"added mid-history", versions(100, 62), true, "62", exposure.KindIntroduced, 9},
		{"added in the newest", versions(7, 0), true, "0", exposure.KindIntroduced, 5},
		{"file created with it", versions(5, 4), true, "4", exposure.KindIntroduced, 2},
		{"history cut", versions(5, 4), false, "4", exposure.KindOldestListed, 2},
		{"deleted versions count as absent", append(versions(3, 1), "<deleted>"), true, "1", exposure.KindIntroduced, 4},
		{"newest lacks it: fall back", versions(4, -1), true, "fallback", exposure.KindOldest, 1},
		{"unreadable version: fall back, no guess", append(versions(3, 2), "<error>"), true, "fallback", exposure.KindOldest, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &histSource{versions: tt.versions, complete: tt.complete}
			src.files = []memFile{{hit: exposure.CodeHit{Repository: "a/b", Path: "x"}, content: with,
				commit: exposure.Commit{SHA: "fallback", Oldest: true}}}
			rep, err := exposure.Run(context.Background(), src, scan.New(scan.Options{}), exposure.Options{AccountSID: sid})
			if err != nil || len(rep.Hits) != 1 {
				t.Fatal(err)
			}
			h := rep.Hits[0]
			if h.Commit != tt.wantSHA || h.CommitKind != tt.wantKind || !h.CommitOldest {
				t.Errorf("commit %q kind %q oldest %v, want %q %q", h.Commit, h.CommitKind, h.CommitOldest, tt.wantSHA, tt.wantKind)
			}
			if src.fetches > tt.maxFetch {
				t.Errorf("%d fetches, want ≤ %d", src.fetches, tt.maxFetch)
			}
		})
	}
}

func TestTokenDated(t *testing.T) {
	// Newest first: token added in commit 1, SID in commit 3, file created in 4.
	both := "TWILIO_ACCOUNT_SID=" + sid + "\nTWILIO_AUTH_TOKEN=" + token + "\n"
	sidOnly := "TWILIO_ACCOUNT_SID=" + sid + "\n"
	src := &histSource{versions: []string{both, both, sidOnly, sidOnly, "empty"}, complete: true}
	src.files = []memFile{{hit: exposure.CodeHit{Repository: "a/b", Path: ".env"}, content: both}}
	rep, err := exposure.Run(context.Background(), src, scan.New(scan.Options{}), exposure.Options{AccountSID: sid})
	if err != nil || len(rep.Hits) != 1 {
		t.Fatal(err)
	}
	h := rep.Hits[0]
	if !h.TokenPresent || h.Commit != "3" || h.TokenCommit != "1" || h.TokenCommitKind != exposure.KindIntroduced || h.TokenCommittedBy != "dev1" {
		t.Errorf("hit = %+v", h)
	}
	if src.fetches > 7 {
		t.Errorf("%d fetches: versions are not shared between the two searches", src.fetches)
	}
}

// index is the file a hit of Search names (its BlobSHA is the index).
func (m *memSource) index(h exposure.CodeHit) int {
	i, _ := strconv.Atoi(h.BlobSHA)
	return i
}
