// Command realrepos measures the scanner on real public repositories (the
// "Real public repositories" section of docs/detectors.md): it scans each
// repository's full history, counts the findings of each kind, scores the
// credential findings against manual labels, and runs gitleaks on the same
// history for comparison. Run it through scripts/realrepos.sh.
//
//	realrepos [-gitleaks BIN] [-labels FILE] [-unlabelled FILE] NAME=GITDIR...
//
// It prints Markdown. Secrets stay in memory: they are compared with
// gitleaks' findings, never printed; findings are named by fingerprint.
// -unlabelled writes the credential findings not yet labelled, as TSV lines
// to judge and add to the labels file.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/scan"
	"github.com/atoguard/atoguard/scan/source"
)

func main() {
	gitleaks := flag.String("gitleaks", "", "gitleaks v8 `BIN` to compare with (none: no comparison)")
	labels := flag.String("labels", "", "labels `FILE` (TSV: repo, fingerprint, rule, label, note)")
	list := flag.String("unlabelled", "", "write the unlabelled credential findings to `FILE` as TSV")
	glTimeout := flag.Duration("gitleaks-timeout", 10*time.Minute, "give up on gitleaks for a repository after `D` (reported as not finished)")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: realrepos [-gitleaks BIN] [-labels FILE] [-unlabelled FILE] NAME=GITDIR...")
		os.Exit(2)
	}
	known, err := readLabels(*labels)
	if err != nil {
		fmt.Fprintln(os.Stderr, "realrepos:", err)
		os.Exit(2)
	}
	var results []repoResult
	for _, arg := range flag.Args() {
		name, dir, ok := strings.Cut(arg, "=")
		if !ok {
			fmt.Fprintf(os.Stderr, "realrepos: %q: want NAME=GITDIR\n", arg)
			os.Exit(2)
		}
		r, err := measure(name, dir, *gitleaks, *glTimeout)
		if err != nil {
			fmt.Fprintln(os.Stderr, "realrepos:", name+":", err)
			os.Exit(1)
		}
		results = append(results, r)
	}
	if *list != "" {
		f, err := os.Create(*list)
		if err == nil {
			printUnlabelled(f, results, known)
			err = f.Close()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "realrepos:", err)
			os.Exit(1)
		}
	}
	printReport(os.Stdout, results, known, *gitleaks != "")
}

// label is a manual judgement of one credential finding.
type label struct{ label, note string }

// labelKey: repo, rule and fingerprint.
func labelKey(repo, rule, fp string) string { return repo + "\t" + rule + "\t" + fp }

func readLabels(path string) (map[string]label, error) {
	out := map[string]label{}
	if path == "" {
		return out, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		c := strings.Split(line, "\t")
		if len(c) < 4 || !slices.Contains([]string{"real", "example", "fixture", "wrong"}, c[3]) {
			return nil, fmt.Errorf("%s:%d: want repo, fingerprint, rule, label (real, example, fixture or wrong), note", path, n)
		}
		note := ""
		if len(c) > 4 {
			note = c[4]
		}
		out[labelKey(c[0], c[2], c[1])] = label{c[3], note}
	}
	return out, sc.Err()
}

// repoResult is one repository's figures.
type repoResult struct {
	name     string
	commits  string
	stats    scan.Stats
	findings []atoguard.Finding // as the CLI reports them (placeholders included)
	absent   int                // paths with objects missing from the snapshot
	gl       []glFinding
	glTime   time.Duration
	// glTimedOut: gitleaks did not finish within -gitleaks-timeout.
	glTimedOut bool
}

type glFinding struct {
	RuleID, Secret, Match, File, Commit string
}

func measure(name, dir, gitleaks string, glTimeout time.Duration) (repoResult, error) {
	r := repoResult{name: name}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "git", "--git-dir", dir, "rev-list", "--all", "--count").Output()
	if err != nil {
		return r, fmt.Errorf("git rev-list: %w", err)
	}
	r.commits = strings.TrimSpace(string(out))
	// A snapshot may lack its largest objects; git log -p stops at the
	// first one, so gitleaks is given the same history without their paths.
	var absent []string
	warn := func(path string, err error) {
		if strings.Contains(err.Error(), "missing or corrupt") && !slices.Contains(absent, path) {
			absent = append(absent, path)
		}
	}
	s := scan.New(scan.Options{IncludePlaceholders: true})
	res, err := s.Run(ctx, scan.Job{History: true, Source: source.NewHistory(dir, source.GitOptions{Warn: warn})})
	if err != nil {
		return r, err
	}
	r.stats, r.findings = res.Stats, res.Findings
	r.absent = len(absent)
	fmt.Fprintf(os.Stderr, "realrepos: %s: %s commits, %d blobs, %d paths with objects absent from the snapshot\n",
		name, r.commits, res.Stats.Blobs, len(absent))
	if gitleaks == "" {
		return r, nil
	}
	start := time.Now()
	glCtx, glCancel := context.WithTimeout(ctx, glTimeout)
	defer glCancel()
	r.gl, err = runGitleaks(glCtx, gitleaks, dir, absent)
	r.glTime = time.Since(start)
	if glCtx.Err() != nil {
		r.glTimedOut, err = true, nil
	}
	return r, err
}

// runGitleaks scans dir's history with gitleaks' default rules; its report
// (which holds the secrets) lives in a temporary directory, removed after.
func runGitleaks(ctx context.Context, bin, dir string, absent []string) ([]glFinding, error) {
	tmp, err := os.MkdirTemp("", "realrepos-gl-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	report := filepath.Join(tmp, "report.json")
	logOpts := "--full-history --all --diff-filter=tuxdb" // gitleaks' default
	if len(absent) > 0 {
		logOpts += " -- ."
		for _, p := range absent {
			logOpts += " :(exclude,literal)" + p
		}
	}
	cmd := exec.CommandContext(ctx, bin, "git", dir, "--no-banner", "--exit-code", "0", "--log-level", "error",
		"--report-format", "json", "--report-path", report, "--log-opts", logOpts)
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("gitleaks: %w", err)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		return nil, err
	}
	var fs []glFinding
	return fs, json.Unmarshal(data, &fs)
}

// credential: a finding that holds a credential (not a bare SID).
func credential(f atoguard.Finding) bool {
	return f.Rule != scan.RuleAccountSID
}

// distinct keeps one finding per rule and fingerprint (the CLI reports a
// secret once per path; here once per repository).
func distinct(fs []atoguard.Finding, keep func(atoguard.Finding) bool) []atoguard.Finding {
	seen := map[string]bool{}
	var out []atoguard.Finding
	for _, f := range fs {
		k := f.Rule + f.Fingerprint
		if keep(f) && !seen[k] {
			seen[k] = true
			out = append(out, f)
		}
	}
	return out
}

// foundByGitleaks: some gitleaks finding holds this finding's secret (or,
// for a bare SID, the SID).
func foundByGitleaks(f atoguard.Finding, gl []glFinding) bool {
	v := f.Secret.Reveal()
	if v == "" {
		v = f.AccountSID
	}
	return slices.ContainsFunc(gl, func(g glFinding) bool {
		return strings.Contains(g.Secret, v) || strings.Contains(g.Match, v)
	})
}

// twilioShaped: a gitleaks finding that is about Twilio (its rule, or a
// match naming Twilio or holding a SID).
func twilioShaped(g glFinding) bool {
	m := strings.ToLower(g.Match)
	return strings.Contains(g.RuleID, "twilio") || strings.Contains(m, "twilio") ||
		strings.Contains(g.Match, "AC") && hasSID(g.Match)
}

func hasSID(s string) bool {
	for i := 0; i+34 <= len(s); i++ {
		if (s[i:i+2] == "AC" || s[i:i+2] == "SK") && isHex(s[i+2:i+34]) {
			return true
		}
	}
	return false
}

func isHex(s string) bool {
	return strings.Trim(s, "0123456789abcdef") == ""
}

func printUnlabelled(w io.Writer, rs []repoResult, known map[string]label) {
	fmt.Fprintln(w, "# repo\tfingerprint\trule\tlabel\tnote (severity path:line commit)")
	for _, r := range rs {
		for _, f := range distinct(r.findings, func(f atoguard.Finding) bool { return credential(f) && !f.Placeholder }) {
			if _, ok := known[labelKey(r.name, f.Rule, f.Fingerprint)]; !ok {
				fmt.Fprintf(w, "%s\t%s\t%s\t?\t%s %s:%d %.12s\n", r.name, f.Fingerprint, f.Rule, f.Severity,
					atoguard.Printable(relPath(f.Path)), f.Line, f.Commit)
			}
		}
	}
}

// relPath drops the local mirror's directory from a finding's path.
func relPath(p string) string {
	if i := strings.Index(p, "/repo/"); i >= 0 {
		return p[i+len("/repo/"):]
	}
	return p
}
