package detect

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/atoguard/atoguard"
)

// Case is the verdict on one account, or on the accounts one attacker acted
// in (the same source IP or actor, or a subaccount the attacker created).
// Signals of different cases are never combined into one verdict.
type Case struct {
	Accounts []string         `json:"accounts"`
	Names    []string         `json:"names,omitempty"`
	Linked   []string         `json:"linked_by,omitempty"` // "ip 185.220.101.7", "actor SK…", "created AC…"
	Verdict  atoguard.Verdict `json:"verdict"`
	Score    float64          `json:"score"`
	Reasons  []string         `json:"reasons"`
	Carried  []string         `json:"carried_by,omitempty"`
	signals  []atoguard.Signal
}

// cases groups the accounts by attacker and decides each group.
func (r *run) cases(outs []accountOut) []Case {
	n := len(r.ds.Accounts)
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	index := map[string]int{}
	for i, a := range r.ds.Accounts {
		index[a.Account.SID] = i
	}
	links := make([][]string, n)
	seen := map[string]int{} // attacker ip/actor → first account
	for i, o := range outs {
		for _, ae := range o.attacked {
			if !ae.attacker {
				continue
			}
			keys := []string{}
			if ip := ae.ev.SourceIP; ip != "" {
				keys = append(keys, "ip "+ip)
			}
			if act := ae.ev.ActorSID; act != "" && act != ae.ev.AccountSID {
				keys = append(keys, "actor "+act)
			}
			if ae.ev.EventType == "account.created" {
				if j, ok := index[ae.ev.ResourceSID]; ok && find(j) != find(i) {
					parent[find(j)] = find(i)
					links[i] = appendNew(links[i], "created "+ae.ev.ResourceSID)
				}
			}
			for _, k := range keys {
				j, ok := seen[k]
				if !ok {
					seen[k] = i
					continue
				}
				if find(j) != find(i) {
					parent[find(i)] = find(j)
					links[j] = appendNew(links[j], k)
				}
			}
		}
	}
	members := map[int][]int{}
	var roots []int
	for i := range n {
		root := find(i)
		if _, ok := members[root]; !ok {
			roots = append(roots, root)
		}
		members[root] = append(members[root], i)
	}
	var out []Case
	for _, root := range roots {
		out = append(out, r.decideCase(outs, members[root], links))
	}
	slices.SortStableFunc(out, func(a, b Case) int {
		if c := cmp.Compare(b.Verdict.Rank(), a.Verdict.Rank()); c != 0 {
			return c
		}
		return cmp.Compare(b.Score, a.Score)
	})
	return out
}

func (r *run) decideCase(outs []accountOut, idx []int, links [][]string) Case {
	var c Case
	for _, i := range idx {
		a := r.ds.Accounts[i].Account
		c.Accounts = append(c.Accounts, a.SID)
		c.Names = append(c.Names, a.FriendlyName)
		c.signals = append(c.signals, outs[i].signals...)
		for _, l := range links[i] {
			c.Linked = appendNew(c.Linked, l)
		}
	}
	sortSignals(c.signals)
	d := decide(c.signals)
	c.Verdict, c.Score, c.Reasons, c.Carried = d.verdict, d.score, d.reasons, d.carried
	return c
}

// label names a case's accounts for a reason: "Harbor Lane Dental
// (AC…)", or several joined, with what links them.
func (c Case) label() string {
	var parts []string
	for i, sid := range c.Accounts {
		if c.Names[i] != "" {
			parts = append(parts, fmt.Sprintf("%s (%s)", atoguard.Printable(c.Names[i]), sid))
		} else {
			parts = append(parts, sid)
		}
	}
	s := strings.Join(limitStrings(parts, 4), ", ")
	if len(c.Linked) > 0 {
		s += ", linked by " + strings.Join(limitStrings(c.Linked, 3), "; ")
	}
	return s
}

// overall is the run's verdict: the worst case's, with the accounts named;
// other cases that are not clean follow as "also" reasons.
func overall(cases []Case, signals []atoguard.Signal) decision {
	if len(cases) == 0 {
		return decide(signals)
	}
	worst := cases[0]
	d := decision{verdict: worst.Verdict, score: worst.Score, carried: worst.Carried}
	if worst.Verdict == atoguard.VerdictClean {
		d.reasons = worst.Reasons
		if len(signals) > 0 {
			d.reasons = []string{fmt.Sprintf("only low-severity observations (%s)", idList(signals))}
		}
		return d
	}
	for k, reason := range worst.Reasons {
		if k == 0 || !strings.HasPrefix(reason, "also: ") {
			reason = "in " + worst.label() + ": " + reason
		}
		d.reasons = append(d.reasons, reason)
	}
	for _, c := range cases[1:] {
		if c.Verdict.Rank() >= atoguard.VerdictSuspicious.Rank() && len(c.Reasons) > 0 {
			d.reasons = append(d.reasons, fmt.Sprintf("also, separately, %s in %s: %s", c.Verdict, c.label(), c.Reasons[0]))
		}
	}
	return d
}

// markQuiet says which accounts had nothing in the window; when none had
// anything, there is nothing to call clean.
func (d *decision) markQuiet(quiet []string, accounts int) {
	if len(quiet) == 0 {
		return
	}
	if len(quiet) == accounts && d.verdict == atoguard.VerdictClean {
		d.verdict = atoguard.VerdictIncomplete
		d.reasons = []string{"no traffic and no events in the window for any account: nothing to judge, not clean (is the window right?)"}
		return
	}
	var sids []string
	for _, q := range quiet {
		sids = append(sids, strings.SplitN(q, ":", 2)[0])
	}
	d.reasons = append(d.reasons, fmt.Sprintf("also: no traffic and no events in the window for %s (not judged)",
		strings.Join(limitStrings(sids, 5), ", ")))
}

func appendNew(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}
