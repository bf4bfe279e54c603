package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/exposure"
	"github.com/atoguard/atoguard/github"
	"github.com/atoguard/atoguard/report"
	"github.com/atoguard/atoguard/scan"
	"github.com/spf13/cobra"
)

// exposureOptions are the flags of `atoguard exposure`.
type exposureOptions struct {
	accountSID   string
	json         bool
	maxResults   int
	githubAPIURL string
}

func newExposureCommand(streams IO) *cobra.Command {
	opts := &exposureOptions{}
	cmd := &cobra.Command{
		Use:   "exposure",
		Short: "Search public code on GitHub for the Account SID: where, since when, by whom, token present or not",
		Long: `exposure does what Twilio's guidance asks after a takeover: search public code
for your Account SID. It uses GitHub's code search API (GET /search/code), then
for every hit fetches the file and runs atoguard's credential detectors on it
(is an auth token or an API key beside the SID? secrets are shown only as
fingerprints) and bisects the commits that touched the path for the one that
added the SID: when and by whom it was committed.

Needs a GitHub token (GITHUB_TOKEN or github-token in atoguard.toml): GitHub
refuses unauthenticated code search. The SID defaults to TWILIO_ACCOUNT_SID.
For GitHub Enterprise Server set --github-api-url https://HOST/api/v3 (or
ATOGUARD_GITHUB_API_URL). Rate limits are waited out (announced on stderr),
up to two minutes per wait.

JSON: {"account_sid","total_count","incomplete_results","hits":[{"repository",
"path","url","token_present","key_present","credentials":[{"rule",
"fingerprint"}],"committed_at","committed_by","commit","commit_kind",
"commit_oldest","token_committed_at","token_committed_by","token_commit",
"token_commit_kind"}]} (token_* only when an auth token sits beside the SID). commit_kind: "introduced" (the commit that added the SID,
found by bisecting the path's history), "oldest-listed", "oldest" (the oldest
commit touching the path) or "newest" (the oldest was not available).

Your own web hosts, checked the way credential harvesters do: atoguard
exposure web (see its --help).

Exit status: 0 no hit, 1 the SID is in public code, 2 error.`,
		Example: `  GITHUB_TOKEN=ghp_… atoguard exposure --account-sid ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
  atoguard exposure --json --max-results 300 > exposure.json
  atoguard exposure --github-api-url https://ghe.example.com/api/v3`,
		// A SID typed as an argument gets a pointer to the flag, not cobra's
		// "unknown command".
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return atoguard.Errorf(atoguard.EINVALID, "exposure", "unexpected argument %q: pass the SID with --account-sid", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runExposure(cmd.Context(), cmd, streams, opts)
		},
	}
	cmd.AddCommand(newExposureWebCommand(streams))
	f := cmd.Flags()
	f.StringVar(&opts.accountSID, "account-sid", "", "Account SID to search for (default: TWILIO_ACCOUNT_SID from the environment or config)")
	f.BoolVar(&opts.json, "json", false, "print JSON")
	f.IntVar(&opts.maxResults, "max-results", 100, "examine at most `N` search results (GitHub returns at most 1000)")
	f.StringVar(&opts.githubAPIURL, "github-api-url", "", "GitHub API base `URL` (default "+github.DefaultBaseURL+"; env ATOGUARD_GITHUB_API_URL)")
	return cmd
}

func runExposure(ctx context.Context, cmd *cobra.Command, streams IO, opts *exposureOptions) error {
	cfg, err := loadConfig(cmd, streams)
	if err != nil {
		return err
	}
	sid := stringFlagOr(cmd, "account-sid", cfg.Credential.AccountSID)
	if sid == "" {
		return atoguard.Errorf(atoguard.EINVALID, "exposure", "no Account SID: pass --account-sid or set TWILIO_ACCOUNT_SID")
	}
	if opts.maxResults < 1 || opts.maxResults > 1000 {
		return atoguard.Errorf(atoguard.EINVALID, "exposure", "--max-results must be between 1 and 1000, got %d", opts.maxResults)
	}
	if cfg.GitHubToken.IsZero() {
		return atoguard.Errorf(atoguard.EINVALID, "exposure", "GitHub code search needs a token: set GITHUB_TOKEN (or github-token in atoguard.toml)")
	}
	client, err := github.New(github.Options{
		BaseURL: stringFlagOr(cmd, "github-api-url", cfg.GitHubAPIURL),
		Token:   cfg.GitHubToken,
		Now:     streams.Now,
		OnWait: func(d time.Duration, reason string) {
			fmt.Fprintf(streams.Err, "atoguard: waiting %s for GitHub (%s)\n", d.Round(time.Second), reason)
		},
	})
	if err != nil {
		return err
	}
	eopts := exposure.Options{AccountSID: sid, MaxResults: opts.maxResults}
	if streams.IsTerminal && !opts.json {
		eopts.Progress = func(done, total int) {
			fmt.Fprintf(streams.Err, "\rexamined %d/%d", done, total)
			if done == total {
				fmt.Fprintln(streams.Err)
			}
		}
	}
	rep, err := exposure.Run(ctx, githubSource{client}, scan.New(scan.Options{}), eopts)
	if err != nil {
		return err
	}
	if opts.json {
		enc := json.NewEncoder(streams.Out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false) // "Name <email>" stays readable
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else if err := report.ExposureText(streams.Out, rep); err != nil {
		return err
	}
	if len(rep.Hits) > 0 {
		return ErrFindings
	}
	return nil
}

// githubSource adapts the GitHub client to exposure.Source.
type githubSource struct{ c *github.Client }

func (g githubSource) Search(ctx context.Context, query string, max int) (int, bool, []exposure.CodeHit, error) {
	res, err := g.c.SearchCode(ctx, query, max)
	if err != nil {
		return 0, false, nil, err
	}
	hits := make([]exposure.CodeHit, 0, len(res.Items))
	for _, it := range res.Items {
		hits = append(hits, exposure.CodeHit{Repository: it.Repository.FullName, Path: it.Path, URL: it.HTMLURL,
			BlobSHA: it.SHA, ContentURL: it.URL, BlobURL: it.GitURL})
	}
	return res.TotalCount, res.IncompleteResults, hits, nil
}

func (g githubSource) File(ctx context.Context, h exposure.CodeHit) ([]byte, error) {
	return g.c.FileContent(ctx, github.CodeItem{Path: h.Path, SHA: h.BlobSHA, URL: h.ContentURL, GitURL: h.BlobURL,
		Repository: github.Repository{FullName: h.Repository}})
}

func (g githubSource) Commit(ctx context.Context, h exposure.CodeHit) (exposure.Commit, error) {
	first, last, oldest, err := g.c.PathCommits(ctx, h.Repository, h.Path)
	if err != nil {
		return exposure.Commit{}, err
	}
	c := last
	if oldest {
		c = first
	}
	ec := exposureCommit(c)
	ec.Oldest = oldest
	return ec, nil
}

// History and FileAt make githubSource an exposure.Historian, so exposure
// can find the commit that introduced the SID.
func (g githubSource) History(ctx context.Context, h exposure.CodeHit) ([]exposure.Commit, bool, error) {
	commits, complete, err := g.c.PathHistory(ctx, h.Repository, h.Path, 300)
	out := make([]exposure.Commit, 0, len(commits))
	for _, c := range commits {
		out = append(out, exposureCommit(c))
	}
	return out, complete, err
}

func (g githubSource) FileAt(ctx context.Context, h exposure.CodeHit, sha string) ([]byte, error) {
	return g.c.FileAt(ctx, h.Repository, h.Path, sha)
}

func exposureCommit(c github.Commit) exposure.Commit {
	a := c.Commit.Author
	by := a.Name
	if a.Email != "" {
		by += " <" + a.Email + ">"
	}
	if c.Author != nil && c.Author.Login != "" {
		by = strings.TrimSpace(by + " @" + c.Author.Login)
	}
	return exposure.Commit{SHA: c.SHA, URL: c.HTMLURL, Author: by, Date: a.Date}
}
