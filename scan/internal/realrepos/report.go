package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/scan"
)

// counts are one repository's findings by kind.
type counts struct {
	pairs, keys, lone, sendgrid, bareSIDs, placeholders int
	creds                                               int // distinct credentials, placeholders left out
	labelled                                            map[string]int
	unlabelled                                          int
	glAll, glTwilio, glFound                            int
}

func count(r repoResult, known map[string]label) counts {
	c := counts{labelled: map[string]int{}}
	for _, f := range r.findings {
		switch {
		case f.Placeholder:
			c.placeholders++
		case f.Rule == scan.RuleAuthToken:
			c.pairs++
		case f.Rule == scan.RuleAPIKey:
			c.keys++
		case f.Rule == scan.RuleLoneAuthToken:
			c.lone++
		case f.Rule == scan.RuleSendGrid:
			c.sendgrid++
		case f.Rule == scan.RuleAccountSID:
			c.bareSIDs++
		}
	}
	creds := distinct(r.findings, func(f atoguard.Finding) bool { return credential(f) && !f.Placeholder })
	c.creds = len(creds)
	for _, f := range creds {
		if l, ok := known[labelKey(r.name, f.Rule, f.Fingerprint)]; ok {
			c.labelled[l.label]++
		} else {
			c.unlabelled++
		}
		if foundByGitleaks(f, r.gl) {
			c.glFound++
		}
	}
	c.glAll = len(r.gl)
	for _, g := range r.gl {
		if twilioShaped(g) {
			c.glTwilio++
		}
	}
	return c
}

func printReport(w io.Writer, rs []repoResult, known map[string]label, withGitleaks bool) {
	fmt.Fprintln(w, "| repository | commits | blobs | GB | atoguard s | auth-token pairs | API-key pairs | lone auth tokens | SendGrid | bare SIDs | placeholders | distinct credentials | real / example / fixture / wrong |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	var total counts
	total.labelled = map[string]int{}
	for _, r := range rs {
		c := count(r, known)
		fmt.Fprintf(w, "| %s | %s | %d | %.2f | %.1f | %d | %d | %d | %d | %d | %d | %d | %s |\n", r.name, r.commits,
			r.stats.Blobs, float64(r.stats.Bytes)/1e9, r.stats.Duration.Seconds(), c.pairs, c.keys, c.lone,
			c.sendgrid, c.bareSIDs, c.placeholders, c.creds, labels(c))
		total.add(c)
	}
	fmt.Fprintf(w, "| **all** | | | | | %d | %d | %d | %d | %d | %d | %d | %s |\n\n", total.pairs, total.keys, total.lone,
		total.sendgrid, total.bareSIDs, total.placeholders, total.creds, labels(total))
	judged := total.creds - total.unlabelled
	if judged > 0 {
		fmt.Fprintf(w, "Precision of the credential findings (distinct, placeholders left out): %d real of %d labelled = %.2f.\n\n",
			total.labelled["real"], judged, float64(total.labelled["real"])/float64(judged))
	}
	if !withGitleaks {
		return
	}
	fmt.Fprintln(w, "| repository | gitleaks findings | about Twilio | gitleaks s | atoguard credentials gitleaks also finds |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, r := range rs {
		c := count(r, known)
		if r.glTimedOut {
			fmt.Fprintf(w, "| %s | not finished in %.0f s | | | |\n", r.name, r.glTime.Seconds())
			continue
		}
		fmt.Fprintf(w, "| %s | %d | %d | %.1f | %d of %d |\n", r.name, c.glAll, c.glTwilio, r.glTime.Seconds(), c.glFound, c.creds)
	}
	fmt.Fprintf(w, "| **all** | %d | %d | | %d of %d |\n", total.glAll, total.glTwilio, total.glFound, total.creds)
}

func (t *counts) add(c counts) {
	t.pairs += c.pairs
	t.keys += c.keys
	t.lone += c.lone
	t.sendgrid += c.sendgrid
	t.bareSIDs += c.bareSIDs
	t.placeholders += c.placeholders
	t.creds += c.creds
	t.unlabelled += c.unlabelled
	t.glAll += c.glAll
	t.glTwilio += c.glTwilio
	t.glFound += c.glFound
	for k, v := range c.labelled {
		t.labelled[k] += v
	}
}

func labels(c counts) string {
	s := fmt.Sprintf("%d / %d / %d / %d", c.labelled["real"], c.labelled["example"], c.labelled["fixture"], c.labelled["wrong"])
	if c.unlabelled > 0 {
		s += fmt.Sprintf(" (%d unlabelled)", c.unlabelled)
	}
	return strings.TrimSpace(s)
}
