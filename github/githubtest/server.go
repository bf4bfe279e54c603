// Package githubtest is a fake GitHub REST API for tests: code search,
// repository contents, git blobs and commits by path, following GitHub's
// documented response schemas, with Link-header pagination, rate-limit
// headers and injectable rate-limit failures. It serves real HTTP.
package githubtest

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Commit is a commit that touched a file.
type Commit struct {
	SHA   string
	Name  string
	Email string
	Login string // "" renders "author": null, as GitHub does for unknown e-mails
	Date  time.Time
	// Content is the file as of this commit; "" means the file's current
	// content. Deleted: the file did not exist at this commit.
	Content string
	Deleted bool
}

// Failure is an injected error response.
type Failure struct {
	Status     int    // 403 or 429 for rate limits, 5xx for server errors
	Message    string // GitHub's "message"
	RetryAfter string // Retry-After header value, if any
	Exhausted  bool   // X-RateLimit-Remaining: 0 with X-RateLimit-Reset = now+ResetIn
	ResetIn    time.Duration
	Skip       int // serve this many requests of the kind normally first
}

type file struct {
	repo    string
	repoID  int64
	path    string
	content []byte
	sha     string
	commits []Commit // newest first
}

// Server is the fake. Zero-config: New, then AddFile.
type Server struct {
	*httptest.Server
	Token string // required as "Bearer"/"token" on every request when set
	// Now is the fake's clock for X-RateLimit-Reset (default time.Now).
	Now func() time.Time

	mu       sync.Mutex
	files    []*file
	repos    map[string]int64
	failures map[string][]Failure // by endpoint kind: "search", "contents", "commits", "blobs"
	requests []string
	auth     []string
	// InlineLimit is the size above which the contents API returns no
	// inline content (GitHub: 1 MB); tests lower it to exercise blobs.
	InlineLimit int
	// RemainingAfter makes a successful response report
	// X-RateLimit-Remaining: 0 (reset ResetIn later) after that many requests.
	RemainingAfter int
	ResetIn        time.Duration
}

// New starts a fake server; Close it when done.
func New() *Server {
	s := &Server{repos: map[string]int64{}, failures: map[string][]Failure{}, InlineLimit: 1 << 20, Now: time.Now}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// AddFile adds a file to a public repository ("owner/name"); commits are
// given newest first.
func (s *Server) AddFile(repo, path, content string, commits ...Commit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.repos[repo]
	if !ok {
		id = int64(1000 + len(s.repos))
		s.repos[repo] = id
	}
	sum := sha1.Sum([]byte("blob " + strconv.Itoa(len(content)) + "\x00" + content))
	s.files = append(s.files, &file{repo: repo, repoID: id, path: path, content: []byte(content),
		sha: hex.EncodeToString(sum[:]), commits: commits})
}

// Fail queues failures for the next requests of one kind: "search",
// "contents", "blobs" or "commits".
func (s *Server) Fail(kind string, f ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[kind] = append(s.failures[kind], f...)
}

// Requests returns the request lines served so far ("GET /search/code?…").
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// AuthHeaders returns the Authorization header of every request.
func (s *Server) AuthHeaders() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auth...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.RequestURI())
	s.auth = append(s.auth, r.Header.Get("Authorization"))
	n := len(s.requests)
	s.mu.Unlock()

	now := s.Now()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-RateLimit-Limit", "30")
	w.Header().Set("X-RateLimit-Remaining", "29")
	w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(now.Add(time.Minute).Unix(), 10))
	w.Header().Set("X-RateLimit-Resource", "core")
	if s.RemainingAfter > 0 && n >= s.RemainingAfter {
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(now.Add(s.ResetIn).Unix(), 10))
	}
	if r.Method != http.MethodGet {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	if s.Token != "" {
		a := r.Header.Get("Authorization")
		if a != "Bearer "+s.Token && a != "token "+s.Token {
			writeError(w, http.StatusUnauthorized, "Requires authentication")
			return
		}
	}
	p := r.URL.Path
	switch {
	case p == "/search/code":
		if s.fail(w, "search", now) {
			return
		}
		s.search(w, r)
	case strings.HasPrefix(p, "/repositories/") && strings.Contains(p, "/contents/"):
		if s.fail(w, "contents", now) {
			return
		}
		s.contents(w, r)
	case strings.HasPrefix(p, "/repositories/") && strings.Contains(p, "/git/blobs/"):
		if s.fail(w, "blobs", now) {
			return
		}
		s.blob(w, r)
	case strings.HasPrefix(p, "/repos/") && strings.Contains(p, "/contents/"):
		if s.fail(w, "contents", now) {
			return
		}
		s.contentsAt(w, r)
	case strings.HasPrefix(p, "/repos/") && strings.HasSuffix(p, "/commits"):
		if s.fail(w, "commits", now) {
			return
		}
		s.commits(w, r)
	default:
		writeError(w, http.StatusNotFound, "Not Found")
	}
}

func (s *Server) fail(w http.ResponseWriter, kind string, now time.Time) bool {
	s.mu.Lock()
	q := s.failures[kind]
	if len(q) == 0 {
		s.mu.Unlock()
		return false
	}
	if q[0].Skip > 0 {
		q[0].Skip--
		s.mu.Unlock()
		return false
	}
	f := q[0]
	s.failures[kind] = q[1:]
	s.mu.Unlock()
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Exhausted {
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(now.Add(f.ResetIn).Unix(), 10))
	}
	writeError(w, f.Status, f.Message)
	return true
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{
		"message":           msg,
		"documentation_url": "https://docs.github.com/rest",
		"status":            strconv.Itoa(status),
	})
}

func (s *Server) repoJSON(f *file) map[string]any {
	owner, name, _ := strings.Cut(f.repo, "/")
	return map[string]any{
		"id": f.repoID, "node_id": "R_" + strconv.FormatInt(f.repoID, 10), "name": name, "full_name": f.repo,
		"private": false, "html_url": "https://github.com/" + f.repo, "description": nil, "fork": false,
		"url": s.URL + "/repos/" + f.repo,
		"owner": map[string]any{"login": owner, "id": f.repoID * 7, "type": "User",
			"html_url": "https://github.com/" + owner, "url": s.URL + "/users/" + owner},
	}
}

func (s *Server) itemJSON(f *file) map[string]any {
	base := fmt.Sprintf("%s/repositories/%d", s.URL, f.repoID)
	return map[string]any{
		"name":       f.path[strings.LastIndexByte(f.path, '/')+1:],
		"path":       f.path,
		"sha":        f.sha,
		"url":        base + "/contents/" + f.path + "?ref=" + f.sha,
		"git_url":    base + "/git/blobs/" + f.sha,
		"html_url":   "https://github.com/" + f.repo + "/blob/" + f.sha + "/" + f.path,
		"repository": s.repoJSON(f),
		"score":      1.0,
	}
}

// search matches files whose content contains q literally (GitHub's code
// search is token-based; a SID is one token, so this is equivalent here).
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	if strings.TrimSpace(q) == "" {
		writeError(w, http.StatusUnprocessableEntity, "Validation Failed")
		return
	}
	per := atoiDefault(r.URL.Query().Get("per_page"), 30, 100)
	page := atoiDefault(r.URL.Query().Get("page"), 1, 1<<20)
	s.mu.Lock()
	var hits []*file
	for _, f := range s.files {
		if strings.Contains(string(f.content), q) {
			hits = append(hits, f)
		}
	}
	s.mu.Unlock()
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].repo != hits[j].repo {
			return hits[i].repo < hits[j].repo
		}
		return hits[i].path < hits[j].path
	})
	total := len(hits)
	lo, hi := min((page-1)*per, total), min(page*per, total)
	items := []map[string]any{}
	for _, f := range hits[lo:hi] {
		items = append(items, s.itemJSON(f))
	}
	s.link(w, r, page, (total+per-1)/per)
	_ = json.NewEncoder(w).Encode(map[string]any{"total_count": total, "incomplete_results": false, "items": items})
}

// link writes a Link header like GitHub's: next, last, first, prev.
func (s *Server) link(w http.ResponseWriter, r *http.Request, page, pages int) {
	mk := func(p int, rel string) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(p))
		return fmt.Sprintf(`<%s%s?%s>; rel="%s"`, s.URL, r.URL.Path, q.Encode(), rel)
	}
	var parts []string
	if page < pages {
		parts = append(parts, mk(page+1, "next"), mk(pages, "last"))
	}
	if page > 1 {
		parts = append(parts, mk(1, "first"), mk(page-1, "prev"))
	}
	if len(parts) > 0 {
		w.Header().Set("Link", strings.Join(parts, ", "))
	}
}

func (s *Server) find(repoID int64, path, sha string) *file {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.files {
		if f.repoID == repoID && (path == "" || f.path == path) && (sha == "" || f.sha == sha) {
			return f
		}
	}
	return nil
}

func (s *Server) contents(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/repositories/")
	idStr, path, _ := strings.Cut(rest, "/contents/")
	id, _ := strconv.ParseInt(idStr, 10, 64)
	f := s.find(id, path, r.URL.Query().Get("ref"))
	if f == nil {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	base := fmt.Sprintf("%s/repositories/%d", s.URL, f.repoID)
	body := map[string]any{
		"type": "file", "encoding": "base64", "size": len(f.content), "name": f.path[strings.LastIndexByte(f.path, '/')+1:],
		"path": f.path, "sha": f.sha, "url": base + "/contents/" + f.path, "git_url": base + "/git/blobs/" + f.sha,
		"html_url":     "https://github.com/" + f.repo + "/blob/main/" + f.path,
		"download_url": "https://raw.githubusercontent.com/" + f.repo + "/main/" + f.path,
		"content":      "",
	}
	if len(f.content) <= s.InlineLimit {
		body["content"] = wrap60(base64.StdEncoding.EncodeToString(f.content))
	} else {
		body["encoding"] = "none"
	}
	_ = json.NewEncoder(w).Encode(body)
}

// contentsAt serves GET /repos/{owner}/{repo}/contents/{path}?ref=: the
// file as of a commit given in AddFile, or the current file.
func (s *Server) contentsAt(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/repos/")
	repo, path, _ := strings.Cut(rest, "/contents/")
	ref := r.URL.Query().Get("ref")
	s.mu.Lock()
	var f *file
	for _, x := range s.files {
		if x.repo == repo && x.path == path {
			f = x
		}
	}
	s.mu.Unlock()
	if f == nil {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	data := f.content
	for _, c := range f.commits {
		if c.SHA == ref {
			if c.Deleted {
				writeError(w, http.StatusNotFound, "Not Found")
				return
			}
			if c.Content != "" {
				data = []byte(c.Content)
			}
		}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"type": "file", "encoding": "base64", "size": len(data), "name": path[strings.LastIndexByte(path, '/')+1:],
		"path": path, "sha": f.sha, "content": wrap60(base64.StdEncoding.EncodeToString(data)),
		"html_url": "https://github.com/" + repo + "/blob/" + ref + "/" + path,
	})
}

func (s *Server) blob(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/repositories/")
	idStr, sha, _ := strings.Cut(rest, "/git/blobs/")
	id, _ := strconv.ParseInt(idStr, 10, 64)
	f := s.find(id, "", sha)
	if f == nil {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"sha": f.sha, "size": len(f.content), "encoding": "base64",
		"content": wrap60(base64.StdEncoding.EncodeToString(f.content)), "url": r.URL.String()})
}

// wrap60 breaks base64 into lines as GitHub does.
func wrap60(s string) string {
	var b strings.Builder
	for len(s) > 60 {
		b.WriteString(s[:60])
		b.WriteByte('\n')
		s = s[60:]
	}
	b.WriteString(s)
	b.WriteByte('\n')
	return b.String()
}

func (s *Server) commits(w http.ResponseWriter, r *http.Request) {
	repo := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/repos/"), "/commits")
	path := r.URL.Query().Get("path")
	per := atoiDefault(r.URL.Query().Get("per_page"), 30, 100)
	page := atoiDefault(r.URL.Query().Get("page"), 1, 1<<20)
	s.mu.Lock()
	var commits []Commit
	found := false
	for _, f := range s.files {
		if f.repo == repo {
			found = true
			if path == "" || f.path == path {
				commits = append(commits, f.commits...)
			}
		}
	}
	s.mu.Unlock()
	if !found {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	total := len(commits)
	lo, hi := min((page-1)*per, total), min(page*per, total)
	out := []map[string]any{}
	for _, c := range commits[lo:hi] {
		var author any
		if c.Login != "" {
			author = map[string]any{"login": c.Login, "id": 1, "type": "User"}
		}
		person := map[string]any{"name": c.Name, "email": c.Email, "date": c.Date.UTC().Format(time.RFC3339)}
		out = append(out, map[string]any{
			"sha": c.SHA, "node_id": "C_" + c.SHA, "url": s.URL + "/repos/" + repo + "/commits/" + c.SHA,
			"html_url": "https://github.com/" + repo + "/commit/" + c.SHA,
			"commit":   map[string]any{"author": person, "committer": person, "message": "update " + path},
			"author":   author, "committer": author, "parents": []any{},
		})
	}
	s.link(w, r, page, (total+per-1)/per)
	_ = json.NewEncoder(w).Encode(out)
}

func atoiDefault(s string, def, maxv int) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return def
	}
	return min(n, maxv)
}
