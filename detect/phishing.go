package detect

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
)

// Phisher is the URL analysis detect needs (implemented by detect/phish via
// NewPhisher; a minimal fallback is used when none is given). It must be
// safe for concurrent use: accounts are analysed in parallel.
type Phisher interface {
	Analyze(text string) PhishResult
	// Template reduces a message body to its template: the variable parts
	// (names, codes, tracking ids) removed, the link's host kept.
	Template(body string) string
}

// PhishResult is the analysis of one text.
type PhishResult struct {
	Phishing bool
	Score    float64
	URLs     []PhishURL
}

// PhishURL is one URL found in a text.
type PhishURL struct {
	URL, Host, RegistrableDomain, Brand string
	Reasons                             []string
	Score                               float64
}

// hasURLHint is a cheap prefilter: most message bodies (codes, reminders)
// carry no link and skip URL analysis entirely.
func hasURLHint(s string) bool {
	for i := 1; i+1 < len(s); i++ {
		switch s[i] {
		case '.':
			if isAlnum(s[i-1]) && isLetter(s[i+1]) {
				return true
			}
		case '/':
			if s[i-1] == ':' || s[i-1] == '/' {
				return true
			}
		case '[', '(', '{':
			if s[i+1] == '.' || s[i+1] == 'd' || s[i+1] == 'D' {
				return true // hxxp[.]evil[.]com, evil(dot)com
			}
		}
	}
	return false
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' || c >= 0x80 }
func isAlnum(c byte) bool  { return isLetter(c) || c >= '0' && c <= '9' || c == '-' }

type bodyInfo struct {
	res      PhishResult
	template string
	hasURL   bool
}

type templateAgg struct {
	template   string
	example    string
	recipients map[string]struct{}
	messages   int
	domains    []string
	phishing   bool
	lure       bool // the phish analyzer found a lure asking to follow the link
	brand      string
	records    []string
	first      time.Time
	last       time.Time
}

type phishAgg struct {
	domain, brand string
	reasons       []string
	score         float64
	messages      int
	recipients    map[string]struct{}
	examples      []string
	records       []string
	first, last   time.Time
}

func (r *run) phishing(a *AccountData) []atoguard.Signal {
	ps := phishScan{knownDomains: map[string]bool{}, templates: map[string]*templateAgg{}, phish: map[string]*phishAgg{}}
	for i := range a.Messages {
		m := &a.Messages[i]
		if !m.Outbound() || m.Body == "" {
			continue
		}
		t := messageTime(m)
		if r.inBaseline(t) {
			for _, u := range r.analyseBody(m.Body).res.URLs {
				ps.knownDomains[u.RegistrableDomain] = true
			}
			continue
		}
		if !r.inWindow(t) {
			continue
		}
		bi := r.analyseBody(m.Body)
		if !bi.hasURL {
			continue
		}
		ps.addTemplate(bi, m, t)
		if bi.res.Phishing {
			ps.addPhish(bi, m, t)
		}
	}
	var out []atoguard.Signal
	sid := a.Account.SID
	if len(ps.porder) > 0 {
		out = append(out, brandSignal(sid, ps.porder))
	}
	return append(out, r.blasts(a, &ps)...)
}

// phishScan aggregates one account's window messages with links: by body
// template, and by phishing domain.
type phishScan struct {
	knownDomains map[string]bool // link domains sent in the baseline
	templates    map[string]*templateAgg
	torder       []*templateAgg
	phish        map[string]*phishAgg
	porder       []*phishAgg
}

func (ps *phishScan) addTemplate(bi *bodyInfo, m *atoguard.Message, t time.Time) {
	ta := ps.templates[bi.template]
	if ta == nil {
		ta = &templateAgg{template: bi.template, example: clip(m.Body, 160), recipients: map[string]struct{}{}, first: t, last: t}
		for _, u := range bi.res.URLs {
			if !slices.Contains(ta.domains, u.RegistrableDomain) {
				ta.domains = append(ta.domains, u.RegistrableDomain)
			}
			if u.Brand != "" && u.Score >= 0.5 {
				ta.brand = u.Brand
			}
			if slices.ContainsFunc(u.Reasons, lureReason) {
				ta.lure = true
			}
		}
		ta.phishing = bi.res.Phishing
		ps.templates[bi.template] = ta
		ps.torder = append(ps.torder, ta)
	}
	ta.messages++
	ta.recipients[m.To] = struct{}{}
	ta.records = appendLimited(ta.records, maxRecords, m.SID)
	ta.first, ta.last = minTime(ta.first, t), maxTime(ta.last, t)
}

func (ps *phishScan) addPhish(bi *bodyInfo, m *atoguard.Message, t time.Time) {
	for _, u := range bi.res.URLs {
		// Only the phishing links: a message may also carry the real
		// brand's domain (whose Brand names its owner), which is no evidence.
		if u.Score < 0.5 {
			continue
		}
		pa := ps.phish[u.RegistrableDomain]
		if pa == nil {
			pa = &phishAgg{domain: u.RegistrableDomain, brand: u.Brand, reasons: u.Reasons, score: u.Score,
				recipients: map[string]struct{}{}, first: t, last: t}
			ps.phish[u.RegistrableDomain] = pa
			ps.porder = append(ps.porder, pa)
		}
		pa.messages++
		pa.recipients[m.To] = struct{}{}
		pa.examples = appendLimited(pa.examples, 3, clip(m.Body, 160))
		if !slices.Contains(pa.examples, u.URL) && len(pa.examples) < 4 {
			pa.examples = append(pa.examples, u.URL)
		}
		pa.records = appendLimited(pa.records, maxRecords, m.SID)
		pa.first, pa.last = minTime(pa.first, t), maxTime(pa.last, t)
	}
}

// brandSignal is the brand-impersonation signal over every phishing domain.
func brandSignal(sid string, porder []*phishAgg) atoguard.Signal {
	sort.SliceStable(porder, func(i, j int) bool { return porder[i].messages > porder[j].messages })
	var msgs float64
	recipients := map[string]struct{}{}
	ev := atoguard.Evidence{Counts: map[string]float64{}, Details: map[string]string{}}
	var start, end time.Time
	var names []string
	score := 0.0
	for _, pa := range porder {
		msgs += float64(pa.messages)
		for r := range pa.recipients {
			recipients[r] = struct{}{}
		}
		ev.Counts["domain:"+pa.domain] = float64(pa.messages)
		label := pa.domain
		if pa.brand != "" {
			label += " (imitates " + pa.brand + ")"
			ev.Details["brand:"+pa.domain] = pa.brand
		}
		if len(pa.reasons) > 0 {
			ev.Details["reasons:"+pa.domain] = strings.Join(pa.reasons, "; ")
		}
		names = append(names, label)
		for _, e := range pa.examples {
			ev.Examples = appendLimited(ev.Examples, 8, e)
		}
		for _, rec := range pa.records {
			ev.Records = appendLimited(ev.Records, maxRecords, rec)
		}
		if start.IsZero() || pa.first.Before(start) {
			start = pa.first
		}
		end = maxTime(end, pa.last)
		score = max(score, pa.score)
	}
	ev.Counts["messages"] = msgs
	ev.Counts["recipients"] = float64(len(recipients))
	sev := atoguard.SeverityHigh
	if len(recipients) >= 5 {
		sev = atoguard.SeverityCritical
	}
	return atoguard.Signal{ID: atoguard.IDBrandImpersonation, Sign: atoguard.SignPhishing, Severity: sev,
		Confidence: round2(math.Max(0.6, math.Min(0.95, score))), AccountSID: sid, Start: start, End: end.Add(time.Second),
		Summary: fmt.Sprintf("%s message(s) to %d recipient(s) carry phishing links: %s", num(msgs), len(recipients),
			strings.Join(limitStrings(names, 5), ", ")),
		Evidence: ev}
}

// blasts are the template blasts: one template with links to many
// recipients, phishing or linking to a domain the account never sent.
func (r *run) blasts(a *AccountData, ps *phishScan) []atoguard.Signal {
	var out []atoguard.Signal
	var seen map[string]bool // recipients before the window, read when needed
	for _, ta := range ps.torder {
		if len(ta.recipients) < r.opts.TemplateRecipients {
			continue
		}
		unknown := false
		for _, d := range ta.domains {
			if !ps.knownDomains[d] {
				unknown = true
			}
		}
		if !ta.phishing && !unknown {
			continue // the business's own campaign: its links were used before
		}
		if unknown && seen == nil {
			seen = r.pastRecipients(a)
		}
		out = append(out, r.blastSignal(a.Account.SID, ta, unknown, seen))
	}
	return out
}

// lureReason: the analyzer found lure words (a threat, a prize, a parcel)
// or a lure asking to follow the link.
func lureReason(r string) bool { return strings.HasPrefix(r, "cues:") || strings.Contains(r, "lure") }

// pastRecipients are the numbers the account messaged before the window.
func (r *run) pastRecipients(a *AccountData) map[string]bool {
	seen := map[string]bool{}
	for i := range a.Messages {
		m := &a.Messages[i]
		if m.Outbound() && messageTime(m).Before(r.ds.Since) {
			seen[m.To] = true
		}
	}
	return seen
}

// blastSignal judges one template sent to many. Without any brand list,
// the account's own history can say phishing: a link domain it never sent
// before, to recipients it never messaged (newRecipientShare or more), with
// a lure asking to follow the link.
func (r *run) blastSignal(sid string, ta *templateAgg, unknown bool, seen map[string]bool) atoguard.Signal {
	fresh := 0
	for to := range ta.recipients {
		if !seen[to] {
			fresh++
		}
	}
	share := float64(fresh) / float64(len(ta.recipients))
	own := unknown && ta.lure && share >= newRecipientShare
	sev, conf := atoguard.SeverityMedium, 0.5
	if ta.phishing || own {
		sev, conf = atoguard.SeverityHigh, 0.8
	}
	ev := atoguard.Evidence{
		Counts:   map[string]float64{"messages": float64(ta.messages), "recipients": float64(len(ta.recipients)), "new_recipients": float64(fresh)},
		Examples: []string{ta.example},
		Records:  ta.records,
		Details: map[string]string{"template": clip(ta.template, 200), "domains": strings.Join(ta.domains, ","),
			"domains_seen_in_baseline": fmt.Sprint(!unknown), "lure": fmt.Sprint(ta.lure), "account_phishing": fmt.Sprint(own)},
	}
	if ta.brand != "" {
		ev.Details["brand"] = ta.brand
	}
	summary := fmt.Sprintf("one message template with a link to %s sent to %d recipients (%d messages)",
		strings.Join(ta.domains, ", "), len(ta.recipients), ta.messages)
	if own {
		summary = fmt.Sprintf("phishing by the account's own history: one lure template with a link to %s, a domain it never sent before, to %d recipients, %d of them never messaged before (%d messages)",
			strings.Join(ta.domains, ", "), len(ta.recipients), fresh, ta.messages)
	}
	return atoguard.Signal{ID: atoguard.IDTemplateBlast, Sign: atoguard.SignPhishing, Severity: sev, Confidence: conf,
		AccountSID: sid, Start: ta.first, End: ta.last.Add(time.Second), Summary: summary, Evidence: ev}
}

// newRecipientShare is the share of never-messaged recipients that makes a
// blast a stranger's.
const newRecipientShare = 0.8

func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

func minTime(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// basicPhisher extracts links without brand analysis: enough for template
// blasts when no analyzer is wired.
type basicPhisher struct{ re *regexp.Regexp }

func newBasicPhisher() basicPhisher {
	return basicPhisher{regexp.MustCompile(`(?i)\b(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?:/[^\s]*)?`)}
}

func (b basicPhisher) Analyze(text string) PhishResult {
	var res PhishResult
	for _, m := range b.re.FindAllStringSubmatch(text, 10) {
		host := strings.ToLower(m[1])
		labels := strings.Split(host, ".")
		reg := host
		if len(labels) > 2 {
			reg = strings.Join(labels[len(labels)-2:], ".")
		}
		res.URLs = append(res.URLs, PhishURL{URL: m[0], Host: host, RegistrableDomain: reg})
	}
	return res
}

func (basicPhisher) Template(body string) string {
	var b strings.Builder
	digits := false
	for _, r := range strings.ToLower(body) {
		if r >= '0' && r <= '9' {
			if !digits {
				b.WriteByte('#')
			}
			digits = true
			continue
		}
		digits = false
		b.WriteRune(r)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// maxKeyedBody is the longest body whose analysis is cached by its quick
// key; longer ones (rare) are analysed each time.
const maxKeyedBody = 4096

// analyseBody returns the URL analysis of a body, shared by every body with
// the same quick key: the same text with digit runs folded and link paths
// dropped. Campaign messages differ in codes, amounts and per-recipient
// link paths; analysing one of them stands for all (the phishing verdict
// rests on the link's host and the wording). This keeps URL analysis off
// the per-message path.
func (r *run) analyseBody(body string) *bodyInfo {
	if !hasURLHint(body) {
		return &r.noURL
	}
	if len(body) > maxKeyedBody {
		return r.analyseFresh(body)
	}
	r.keyBuf = appendQuickKey(r.keyBuf[:0], body)
	if bi, ok := r.bodyCache[string(r.keyBuf)]; ok {
		return bi
	}
	bi := r.analyseFresh(body)
	if len(r.bodyCache) < 500_000 {
		r.bodyCache[string(r.keyBuf)] = bi
	}
	return bi
}

func (r *run) analyseFresh(body string) *bodyInfo {
	bi := &bodyInfo{res: r.opts.Phisher.Analyze(body)}
	bi.hasURL = len(bi.res.URLs) > 0
	if bi.hasURL {
		bi.template = r.opts.Phisher.Template(body)
	}
	return bi
}

// appendQuickKey appends body's quick key to dst.
func appendQuickKey(dst []byte, s string) []byte {
	i := 0
	for i < len(s) {
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\n' && s[j] != '\t' {
			j++
		}
		tok := s[i:j]
		if len(tok) > 3 && hasURLHint(tok) {
			start := 0
			if k := strings.Index(tok, "://"); k >= 0 {
				start = k + 3
			}
			end := start
			for end < len(tok) && tok[end] != '/' && tok[end] != '?' && tok[end] != '#' {
				end++
			}
			dst = append(dst, tok[:end]...)
		} else {
			digits := false
			for k := 0; k < len(tok); k++ {
				c := tok[k]
				if c >= '0' && c <= '9' {
					if !digits {
						dst = append(dst, '#')
					}
					digits = true
					continue
				}
				digits = false
				dst = append(dst, c)
			}
		}
		dst = append(dst, ' ')
		i = j + 1
	}
	return dst
}
