package phish

import (
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// maxCachedBody bounds the bodies kept in the cache (an SMS is at most
// 1,600 characters): the cache must not hold a few huge texts.
const maxCachedBody = 4096

// trialPrefix starts every message sent from a Twilio trial account.
const trialPrefix = "sent from your twilio trial account"

// DefaultThreshold is the score at or above which a message is phishing.
const DefaultThreshold = 0.55

// Scores of the individual reasons. A URL's score combines its reasons as
// independent evidence: 1 − Π(1 − s). See docs/detection.md.
const (
	scoreBrandInDomain    = 0.8  // paypal-secure-login.com
	scoreHyphenatedBrand  = 0.8  // pay-pal.com
	scoreBrandInSubdomain = 0.5  // paypal.example-host.com
	scoreOfficialInHost   = 0.85 // secure.paypal.com.verify-account.ru
	scoreLookalike        = 0.85 // paypa1.com, arnazon.com
	scoreHomograph        = 0.9  // pаypal.com with Cyrillic а
	scoreTyposquat        = 0.7  // paypall.com
	scoreTyposquatSub     = 0.5
	scoreUserinfoTrick    = 0.8 // https://paypal.com@evil.tld/
	scoreUserinfo         = 0.3
	scoreIPHost           = 0.45
	scoreObfuscatedIP     = 0.6 // http://3232235777/
	scoreShortener        = 0.35
	scoreObfuscated       = 0.4 // hxxp, [.]: legitimate senders do not defang links
	scoreIDN              = 0.25
	scoreMalformed        = 0.2 // http:/x, http/x: link checkers miss it, phones still open it
	scoreMixedScript      = 0.5 // sеcure-login.com with a Cyrillic е
	scoreSuspiciousTLD    = 0.15
	scoreDomainWords      = 0.3 // verify-account-center.com
	scoreBrandInPath      = 0.4
	scoreOfficialInPath   = 0.5  // evil.tld/www.paypal.com/signin; archives and status sites do it too
	scoreTextBrand        = 0.4  // "Your PayPal account…" with a link elsewhere
	scoreLureWithLink     = 0.25 // "your parcel is on hold, pay the fee at …": words alone stay below the threshold
	scoreCuePerCategory   = 0.15
	scoreCueMax           = 0.45
	scoreCueAloneMax      = 0.3 // with lure-with-link the only other reason: 0.475 < threshold
)

// minTypoToken is the shortest token matched by a one-letter substitution:
// among five-letter names it joins too many real ones (uscis ~ uspis);
// five-letter tokens still match a dropped, doubled or swapped letter (gmial).
const minTypoToken = 6

// Options configure an Analyzer.
type Options struct {
	// Brands are added to the shipped list (same name: domains and tokens
	// are merged). NoDefaultBrands drops the shipped list.
	Brands          []Brand
	NoDefaultBrands bool
	// NoPopularList drops the shipped list of popular domains that are
	// never look-alikes (used to measure the rules alone).
	NoPopularList bool
	// NoModel drops the learned lexical model (the rules alone).
	NoModel bool
	// Shorteners are added to the shipped URL-shortener list.
	Shorteners []string
	// Threshold is the phishing score; 0 means DefaultThreshold.
	Threshold float64
	// CacheSize bounds the per-body result cache (messages repeat a lot);
	// 0 means 65536, negative disables it.
	CacheSize int
}

// URL is one analysed link.
type URL struct {
	URL               string   `json:"url"`
	Host              string   `json:"host"`
	RegistrableDomain string   `json:"registrable_domain"`
	Brand             string   `json:"brand"` // impersonated brand, or the owner of an official domain
	Reasons           []string `json:"reasons"`
	// Evidence is Reasons with the score each contributed (combined as
	// 1 − Π(1 − s)).
	Evidence []Evidence `json:"evidence"`
	Score    float64    `json:"score"`
}

// Evidence is one reason and the score it contributed.
type Evidence struct {
	Reason string  `json:"reason"`
	Score  float64 `json:"score"`
}

func (u *URL) note(reason string, s float64) {
	u.Reasons = append(u.Reasons, reason)
	u.Evidence = append(u.Evidence, Evidence{reason, round3(s)})
}

// Result is the analysis of one message body. Results may be shared
// between calls through the cache: treat them as read-only.
type Result struct {
	Text     string  `json:"text"`
	Phishing bool    `json:"phishing"`
	Score    float64 `json:"score"`
	URLs     []URL   `json:"urls"`
	// CarriedBy lists, for a phishing verdict, the strongest reasons of the
	// best link that on their own reach the threshold.
	CarriedBy []string `json:"carried_by,omitempty"`
}

// Analyzer finds phishing links in message bodies. It is safe for
// concurrent use.
type Analyzer struct {
	threshold float64
	brands    []Brand
	official  map[string]int // registrable domain or brand TLD → brand index
	wildcard  map[string]int // "google" of google.* → brand index
	allow     map[string]bool
	platform  map[string]int // hosting domain whose customers pick the subdomain → owner
	hosting   map[string]string
	popular   map[string]bool // popular registrable domains: never a look-alike
	model     *Model          // the lexical model, nil when off
	// ownLabel maps the registrable label of an official domain to its
	// brand; countryBrand marks brands with a country domain.
	ownLabel     map[string]int
	countryBrand map[int]bool
	tokens       []token
	tokenSet     map[string]bool
	short        map[string]bool
	aliases      map[string][]alias // first word of the alias → aliases
	cues         map[string][]cue   // first four bytes of the phrase → phrases

	mu        sync.Mutex
	cacheSize int
	bodies    map[string]Result
	hosts     map[string]*hostInfo
}

type matchMode uint8

const (
	modeExact   matchMode = iota // whole word only
	modeAffix                    // whole word, or start/end of a word
	modeContain                  // anywhere in a label
)

type token struct {
	text, sk string
	brand    int
	mode     matchMode
	typo     bool
}

type alias struct {
	text  string
	fold  bool
	brand int
}

// New builds an Analyzer; the brand tables are precomputed once.
func New(opts Options) *Analyzer {
	brands := DefaultBrands()
	if opts.NoDefaultBrands {
		brands = nil
	}
	brands = MergeBrands(brands, opts.Brands)
	a := &Analyzer{
		threshold: opts.Threshold,
		brands:    brands,
		official:  map[string]int{},
		wildcard:  map[string]int{},
		allow:     map[string]bool{},
		platform:  map[string]int{},
		tokenSet:  map[string]bool{},
		short:     map[string]bool{},
		cacheSize: opts.CacheSize,
		bodies:    map[string]Result{},
		hosts:     map[string]*hostInfo{},
		aliases:   map[string][]alias{},
		cues:      cueIndex(),
		hosting:   hostingDomains(),
		popular:   map[string]bool{},

		ownLabel:     map[string]int{},
		countryBrand: map[int]bool{},
	}
	if !opts.NoPopularList {
		a.popular = popularDomains()
	}
	if !opts.NoModel {
		a.model = DefaultModel()
	}
	if a.threshold <= 0 {
		a.threshold = DefaultThreshold
	}
	if a.cacheSize == 0 {
		a.cacheSize = 1 << 16
	}
	for i, b := range brands {
		a.addBrand(i, b)
	}
	for _, s := range shorteners() {
		a.short[s] = true
	}
	for _, s := range opts.Shorteners {
		a.short[strings.ToLower(s)] = true
	}
	return a
}

// addBrand indexes brand i's domains, tokens and aliases.
func (a *Analyzer) addBrand(i int, b Brand) {
	for _, d := range b.Domains {
		if label, ok := strings.CutSuffix(d, ".*"); ok {
			a.wildcard[label] = i
			continue
		}
		a.official[d] = i
		if rd, err := publicsuffix.EffectiveTLDPlusOne(d); err == nil && rd == d {
			suffix, _ := publicsuffix.PublicSuffix(d)
			a.ownLabel[firstLabel(d)] = i
			a.countryBrand[i] = a.countryBrand[i] || isCountrySuffix(suffix) && suffix != "co" && suffix != "io" && suffix != "me" && suffix != "tv"
		}
	}
	for _, d := range b.Allow {
		a.allow[d] = true
	}
	for _, d := range b.Platforms {
		a.platform[d] = i
	}
	a.addTokens(i, b)
	for _, al := range b.Aliases {
		first := firstWord(strings.ToLower(al))
		if first == "" {
			continue
		}
		a.aliases[first] = append(a.aliases[first], alias{text: al, fold: al == strings.ToLower(al), brand: i})
	}
}

// addTokens indexes brand i's tokens, each once, with how it may match.
func (a *Analyzer) addTokens(i int, b Brand) {
	strict := setOf(b.StrictTokens)
	prefix := setOf(b.PrefixTokens)
	seen := map[string]bool{}
	for _, t := range slices.Concat(b.Tokens, b.StrictTokens, b.PrefixTokens) {
		if seen[t] {
			continue
		}
		seen[t] = true
		tk := token{text: t, sk: skeleton(t), brand: i}
		switch {
		case strict[t]:
			tk.mode = modeExact
		case prefix[t] || len(t) == 5:
			tk.mode = modeAffix
		case len(t) >= 6:
			tk.mode = modeContain
		default:
			tk.mode = modeExact
		}
		tk.typo = !strict[t] && len(t) >= 5
		a.tokens = append(a.tokens, tk)
		a.tokenSet[t] = true
	}
}

func setOf(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// Analyze extracts the links of one message body and scores each for
// phishing. Bodies without a link cost one byte scan.
func (a *Analyzer) Analyze(text string) Result {
	if !mayHaveLink(text) {
		return Result{Text: text}
	}
	cacheable := a.cacheSize > 0 && len(text) <= maxCachedBody
	if cacheable {
		a.mu.Lock()
		r, ok := a.bodies[text]
		a.mu.Unlock()
		if ok {
			return r
		}
	}
	r := a.analyze(text)
	if cacheable {
		a.mu.Lock()
		if len(a.bodies) >= a.cacheSize {
			clear(a.bodies) // cheap and bounded; campaigns refill it quickly
		}
		a.bodies[text] = r
		a.mu.Unlock()
	}
	return r
}

func (a *Analyzer) analyze(text string) Result {
	res := Result{Text: text}
	links := Extract(text)
	if len(links) == 0 {
		return res
	}
	// The body's own words, links blanked out so that words inside a URL
	// (…/login, billing-…) do not count twice; computed on first need.
	var plain, lower string
	wordsDone := false
	words := func() {
		if !wordsDone {
			wordsDone = true
			plain = withoutLinks(text, links)
			lower = strings.ToLower(plain)
			// Twilio trial accounts prefix every message with this: it
			// names a brand but says nothing about the link.
			if i := strings.Index(lower, trialPrefix); i >= 0 {
				if len(plain) == len(lower) { // ToLower kept byte offsets
					plain = plain[:i] + plain[i+len(trialPrefix):]
				}
				lower = lower[:i] + lower[i+len(trialPrefix):]
			}
		}
	}
	for _, l := range links {
		u, base := a.analyzeLink(l)
		if u == nil {
			continue
		}
		// A message that names a brand and links elsewhere.
		if u.Brand == "" {
			words()
			if b := a.mention(plain, lower); b >= 0 && b != platformOf(a, l) {
				u.Brand = a.brands[b].Name
				u.note("text-mentions-brand:"+strings.ToLower(u.Brand), scoreTextBrand)
				base = combine(base, scoreTextBrand)
			}
		}
		// Urgency and credential words raise a suspicious link, never an
		// innocent one; a lure that asks for an action makes any link that
		// is not the brand's own suspicious.
		if official := len(u.Reasons) > 0 && u.Reasons[0] == "official-domain"; !official {
			words()
			cues := a.bodyCues(lower)
			cueMax := scoreCueMax
			if lureIntent(cues, lower) {
				if base == 0 {
					// Words alone never make a message phishing.
					cueMax = scoreCueAloneMax
				}
				u.note("lure-with-link", scoreLureWithLink)
				base = combine(base, scoreLureWithLink)
			}
			if base > 0 && len(cues) > 0 {
				cs := math.Min(cueMax, scoreCuePerCategory*float64(len(cues)))
				u.note("cues:"+strings.Join(cues, ","), cs)
				base = combine(base, cs)
			}
		}
		u.Score = round3(base)
		res.Score = math.Max(res.Score, u.Score)
		res.URLs = append(res.URLs, *u)
	}
	res.Phishing = res.Score >= a.threshold
	if res.Phishing {
		res.CarriedBy = a.carriedBy(res.URLs)
	}
	return res
}

// carriedBy names the evidence that carried a phishing verdict: the
// strongest reasons of the highest-scoring link, as few as reach the
// threshold on their own.
func (a *Analyzer) carriedBy(urls []URL) []string {
	best := 0
	for i, u := range urls {
		if u.Score > urls[best].Score {
			best = i
		}
	}
	ev := slices.Clone(urls[best].Evidence)
	slices.SortStableFunc(ev, func(x, y Evidence) int {
		switch {
		case x.Score > y.Score:
			return -1
		case x.Score < y.Score:
			return 1
		}
		return 0
	})
	var out []string
	score := 0.0
	for _, e := range ev {
		out = append(out, e.Reason)
		if score = combine(score, e.Score); round3(score) >= a.threshold {
			break
		}
	}
	return out
}

// platformOf returns the owner of the hosting platform a link is on, or -1:
// "Twilio: … twil.io/x" names the platform's owner, which is no lure.
func platformOf(a *Analyzer, l Link) int {
	if l.IP.IsValid() {
		return -1
	}
	return a.host(l.Host).platform
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

func combine(a, b float64) float64 { return 1 - (1-a)*(1-b) }

// analyzeLink scores a link on its own (without the body's words). A nil
// URL means the link is to be ignored (a file name that is not a lure).
func (a *Analyzer) analyzeLink(l Link) (*URL, float64) {
	u := &URL{URL: l.URL, Host: l.Host, Reasons: make([]string, 0, 4), Evidence: make([]Evidence, 0, 4)}
	score := 0.0
	add := func(reason string, s float64) {
		u.note(reason, s)
		score = combine(score, s)
	}
	if l.IP.IsValid() {
		u.RegistrableDomain = l.Host
		add("ip-host", scoreIPHost)
		if l.IPForm != "dotted" && l.IPForm != "ipv6" {
			add("obfuscated-ip:"+l.IPForm, scoreObfuscatedIP)
		}
	} else {
		h := a.host(l.Host)
		u.RegistrableDomain = h.rd
		if h.official >= 0 {
			// The brand's own domain: never an alert, whatever else is odd.
			u.Brand = a.brands[h.official].Name
			u.note("official-domain", 0)
			return u, 0
		}
		if h.brand >= 0 {
			u.Brand = a.brands[h.brand].Name
		}
		for i, r := range h.reasons {
			add(r, h.scores[i])
		}
		if l.FileLike && h.brand < 0 {
			return nil, 0
		}
	}
	if l.Userinfo != "" {
		if ui := a.userinfoBrand(l.Userinfo); ui >= 0 || strings.Contains(l.Userinfo, ".") {
			add("userinfo-trick", scoreUserinfoTrick)
			if ui >= 0 && u.Brand == "" {
				u.Brand = a.brands[ui].Name
			}
		} else {
			add("userinfo", scoreUserinfo)
		}
	}
	if l.Obfuscated {
		add("obfuscated", scoreObfuscated)
	}
	if l.Malformed {
		add("malformed-link", scoreMalformed)
	}
	if ipfsPath(l.Path) && !slices.Contains(u.Reasons, "hosting:"+kindIPFS) {
		add("hosting:"+kindIPFS, scoreIPFS) // a gateway on any host: /ipfs/Qm…
	}
	if l.Unicode != "" && !slices.ContainsFunc(u.Reasons, func(r string) bool {
		return strings.HasPrefix(r, "homograph") || r == "mixed-script"
	}) {
		add("idn", scoreIDN)
	}
	if u.Brand == "" && l.Path != "" {
		if b := a.pathBrand(l.Path); b >= 0 {
			u.Brand = a.brands[b].Name
			if d := a.officialIn(b, l.Path); d != "" {
				// evil.tld/www.paypal.com/signin: the real address as bait.
				add("official-domain-in-path:"+d, scoreOfficialInPath)
			} else {
				add("brand-in-path:"+strings.ToLower(a.tokensOf(b)), scoreBrandInPath)
			}
		}
	}
	return u, score
}

// officialIn returns an official domain of brand b spelled in a path.
func (a *Analyzer) officialIn(b int, p string) string {
	p = strings.ToLower(p)
	for _, d := range a.brands[b].Domains {
		if strings.Contains(d, ".") && !strings.Contains(d, "*") && containsWord(p, d) {
			return d
		}
	}
	return ""
}

func (a *Analyzer) tokensOf(b int) string {
	for _, t := range a.tokens {
		if t.brand == b {
			return t.text
		}
	}
	return ""
}

// userinfoBrand returns the brand whose domain or token the userinfo part
// shows (https://paypal.com@evil.tld/), or -1.
func (a *Analyzer) userinfoBrand(ui string) int {
	ui = strings.ToLower(ui)
	if i := strings.IndexByte(ui, ':'); i >= 0 {
		ui = ui[:i]
	}
	if rd, err := publicsuffix.EffectiveTLDPlusOne(ui); err == nil {
		if b, ok := a.official[rd]; ok {
			return b
		}
	}
	for _, w := range splitWords(ui) {
		for _, t := range a.tokens {
			if w == t.text {
				return t.brand
			}
		}
	}
	return -1
}

// pathBrand finds a brand token as a whole word of the path (evil.tld/paypal/login).
func (a *Analyzer) pathBrand(p string) int {
	p = strings.ToLower(p)
	for _, w := range splitWords(p) {
		if len(w) < 4 {
			continue
		}
		for _, t := range a.tokens {
			if w == t.text {
				return t.brand
			}
		}
	}
	return -1
}

func splitWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
}

// hostInfo is the cached verdict on one host name.
type hostInfo struct {
	rd       string
	official int // brand index when the host is the brand's own, else -1
	brand    int // impersonated brand, else -1
	platform int // owner of the hosting platform the host is on, else -1
	reasons  []string
	scores   []float64
	input    modelInput // what the lexical model reads; label "" when it does not judge the host
	prob     float64    // the model's probability, when it judged the host
}

func (a *Analyzer) host(h string) *hostInfo {
	a.mu.Lock()
	hi, ok := a.hosts[h]
	a.mu.Unlock()
	if ok {
		return hi
	}
	hi = a.judgeHost(h)
	a.mu.Lock()
	if len(a.hosts) >= 1<<16 {
		clear(a.hosts)
	}
	a.hosts[h] = hi
	a.mu.Unlock()
	return hi
}

// judgeHost judges a host by the rules, then by the lexical model.
func (a *Analyzer) judgeHost(h string) *hostInfo {
	hi := a.judgeHostRules(h)
	a.applyModel(hi, hi.input)
	return hi
}

// judgeHostRules decides on the registrable domain (eTLD+1): the brand's own
// domains and all their subdomains are official; anything else that looks
// like a brand is an impersonation.
func (a *Analyzer) judgeHostRules(h string) *hostInfo {
	hi := &hostInfo{official: -1, brand: -1, platform: -1}
	suffix, _ := publicsuffix.PublicSuffix(h)
	rd, err := publicsuffix.EffectiveTLDPlusOne(h)
	if err != nil {
		rd = h
	}
	hi.rd = rd
	// A brand's service where anyone publishes (docs.google.com,
	// sites.google.com) is not the brand speaking: judged as hosting.
	hostDom, hostKind := a.hostingOf(h)
	if hostKind != "" {
		return a.judgeHosted(hi, h, hostDom, hostKind)
	}
	tld := suffix[strings.LastIndexByte(suffix, '.')+1:]
	regLabel := strings.TrimSuffix(strings.TrimSuffix(rd, suffix), ".")
	if b, ok := a.officialBrand(h, suffix, tld, regLabel); ok {
		hi.official = b
		return hi
	}
	isShort := a.short[rd] || a.short[h]
	if isShort {
		hi.reasons = append(hi.reasons, "shortener")
		hi.scores = append(hi.scores, scoreShortener)
	}
	if suspiciousTLD(tld) {
		hi.reasons = append(hi.reasons, "suspicious-tld:"+tld)
		hi.scores = append(hi.scores, scoreSuspiciousTLD)
	}
	if a.allow[rd] || a.popular[rd] || restrictedSuffix(suffix) {
		return hi // someone else's real, popular or government domain
	}
	// A brand that runs country domains (apple.com.cn, klarna.de in its
	// list) owns its label under other countries' suffixes too (hsbc.com.ar,
	// deliveroo.be): not official, other evidence counts, but no look-alike.
	// A brand with no country domain gets no such benefit: phishers do
	// register roblox.com.ge.
	if b, ok := a.ownLabel[regLabel]; ok && isCountrySuffix(suffix) && a.countryBrand[b] {
		return hi
	}
	prefix, owner, onPlatform := a.customerPart(h, suffix)
	if onPlatform {
		hi.platform = owner
	}
	a.judgeLabels(hi, prefix, onPlatform)
	switch {
	case isShort:
	case onPlatform:
		hi.input = modelInput{label: firstLabel(prefix)}
	default:
		hi.input = modelInput{label: regLabel, suffix: suffix, registrable: true}
	}
	return hi
}

// officialBrand returns the brand whose own domain h is, if any: h or any
// parent listed (www.paypal.com, appleid.apple.com), a brand TLD
// (about.google, x.goog), or a brand's label under a country suffix it
// claims as a whole.
func (a *Analyzer) officialBrand(h, suffix, tld, regLabel string) (int, bool) {
	// Walking up the labels, not only comparing rd, keeps a listed domain
	// official even where the public suffix list makes its subdomains
	// registrable on their own.
	for d := h; ; {
		if b, ok := a.official[d]; ok && strings.Contains(d, ".") {
			return b, true
		}
		i := strings.IndexByte(d, '.')
		if i < 0 {
			break
		}
		d = d[i+1:]
	}
	if b, ok := a.official[tld]; ok && !strings.Contains(tld, ".") && h != tld {
		return b, true
	}
	if b, ok := a.wildcard[regLabel]; ok && isCountrySuffix(suffix) {
		return b, true
	}
	return -1, false
}

// customerPart is the part of h to judge and, when h is on a hosting
// platform, the platform's owner. On a platform only the part its
// customer chose is judged, every label of it as if registrable:
// paypal-login in paypal-login.s3.amazonaws.com, never "amazonaws";
// elsewhere it is h without its public suffix.
func (a *Analyzer) customerPart(h, suffix string) (prefix string, owner int, on bool) {
	for d := h; strings.Contains(d, "."); d = d[strings.IndexByte(d, '.')+1:] {
		if owner, ok := a.platform[d]; ok {
			return strings.TrimSuffix(strings.TrimSuffix(h, d), "."), owner, true
		}
	}
	return strings.TrimSuffix(strings.TrimSuffix(h, suffix), "."), -1, false
}

// firstLabel is the leftmost label of a host name.
func firstLabel(h string) string {
	if i := strings.IndexByte(h, '.'); i >= 0 {
		return h[:i]
	}
	return h
}

// judgeHosted judges a host on a free-hosting, user-content, form, tunnel,
// dynamic-DNS or IPFS service: the service itself is evidence, and the part
// of the host its customer chose is judged as if registrable.
func (a *Analyzer) judgeHosted(hi *hostInfo, h, dom, kind string) *hostInfo {
	hi.reasons = append(hi.reasons, "hosting:"+kind)
	hi.scores = append(hi.scores, hostingScore(kind))
	hi.platform = a.ownerOf(dom)
	prefix := strings.TrimSuffix(strings.TrimSuffix(h, dom), ".")
	a.judgeLabels(hi, prefix, true)
	hi.input = modelInput{label: firstLabel(prefix)}
	return hi
}

// ownerOf returns the brand owning a domain (officially or as a platform), or -1.
func (a *Analyzer) ownerOf(d string) int {
	for ; strings.Contains(d, "."); d = d[strings.IndexByte(d, '.')+1:] {
		if b, ok := a.official[d]; ok {
			return b
		}
		if b, ok := a.platform[d]; ok {
			return b
		}
	}
	return -1
}

// restrictedSuffix reports public suffixes only governments or the military
// can register under (gov, gov.uk, gouv.fr, gc.ca, mil …): their names are
// never look-alikes (uscis.gov is not USPIS).
func restrictedSuffix(suffix string) bool {
	for w := range strings.SplitSeq(suffix, ".") {
		switch w {
		case "gov", "mil", "gob", "gouv", "govt", "gv", "go", "gc", "gub", "govern", "government":
			return true
		}
	}
	return false
}

// judgeLabels matches brand tokens against the labels of prefix, the part
// of the host in front of the public suffix or hosting domain.
func (a *Analyzer) judgeLabels(hi *hostInfo, prefix string, onPlatform bool) {
	add := func(reason string, s float64) {
		hi.reasons = append(hi.reasons, reason)
		hi.scores = append(hi.scores, s)
	}
	if prefix == "" {
		return
	}
	labels := strings.Split(prefix, ".")
	var ulabels []string
	if strings.Contains(prefix, "xn--") {
		if u, err := idna.Lookup.ToUnicode(prefix); err == nil {
			if ul := strings.Split(u, "."); len(ul) == len(labels) {
				ulabels = ul
			}
		}
		for _, ul := range ulabels {
			if mixedScript(ul) {
				// Browsers show such labels as punycode for a reason.
				add("mixed-script", scoreMixedScript)
				break
			}
		}
	}
	best, bestBrand, bestReason := 0.0, -1, ""
	consider := func(s float64, brand int, reason string) {
		if s > best {
			best, bestBrand, bestReason = s, brand, reason
		}
	}
	for li, label := range labels {
		isReg := li == len(labels)-1 || onPlatform
		ulabel := label
		if ulabels != nil {
			ulabel = ulabels[li]
		}
		a.matchLabel(label, ulabel, isReg, consider)
	}
	// secure.paypal.com.verify-account.ru or paypal.com-secure.ru: an
	// official domain spelled out in front of someone else's.
	if bestBrand >= 0 {
		front := strings.Join(labels, ".") + "."
		dashed := "-" + strings.ReplaceAll(prefix, ".", "-") + "-"
		for _, d := range a.brands[bestBrand].Domains {
			if !strings.Contains(d, ".") || strings.Contains(d, "*") {
				continue
			}
			if strings.Contains("."+front, "."+d+".") || strings.Contains(dashed, "-"+strings.ReplaceAll(d, ".", "-")+"-") {
				consider(scoreOfficialInHost, bestBrand, "official-domain-in-host:"+d)
				break
			}
		}
	}
	if bestBrand >= 0 {
		hi.brand = bestBrand
		add(bestReason, best)
	}
	if domainWords(prefix) {
		add("credential-words-in-domain", scoreDomainWords)
	}
}

// matchLabel tries every brand token against one label.
func (a *Analyzer) matchLabel(label, ulabel string, isReg bool, consider func(float64, int, string)) {
	words := strings.FieldsFunc(label, func(r rune) bool { return r == '-' || r == '_' })
	joined := strings.Join(words, "")
	homo := ulabel != label && !isASCII(ulabel)
	var uwords []string
	if homo {
		uwords = strings.FieldsFunc(ulabel, func(r rune) bool { return r == '-' || r == '_' })
	}
	where := "brand-in-subdomain:"
	inScore := scoreBrandInSubdomain
	if isReg {
		where, inScore = "brand-in-domain:", scoreBrandInDomain
	}
	for _, t := range a.tokens {
		// Plain spelling.
		if a.matchWords(t, words) {
			consider(inScore, t.brand, where+t.text)
			continue
		}
		if len(words) > 1 && (joined == t.text || t.mode == modeContain && a.embedded(joined, t.text)) {
			if isReg {
				consider(scoreHyphenatedBrand, t.brand, "hyphenated-brand:"+t.text)
			} else {
				consider(inScore, t.brand, where+t.text)
			}
			continue
		}
		// Look-alike spelling: same skeleton, different letters.
		if homo {
			if a.homograph(t, uwords) {
				consider(scoreHomograph, t.brand, "homograph:"+t.text)
			}
			continue
		}
		if hasLookalikeChars(label) && a.lookalike(t, words, joined) {
			consider(scoreLookalike, t.brand, "lookalike-characters:"+t.text)
			continue
		}
		// Typosquats: one edit away, for long tokens only, never a real word.
		if t.typo && a.typosquat(t, words) {
			s := scoreTyposquatSub
			if isReg {
				s = scoreTyposquat
			}
			consider(s, t.brand, "typosquat:"+t.text)
		}
	}
}

// homograph reports a word of a label's Unicode form, or their whole, with
// the skeleton of token t.
func (a *Analyzer) homograph(t token, uwords []string) bool {
	for _, w := range append(uwords, strings.Join(uwords, "")) {
		if a.skMatch(t, w, skeleton(w)) {
			return true
		}
	}
	return false
}

// lookalike reports an ASCII word, or the words joined, spelling token t
// with look-alike characters (rn for m, 0 for o).
func (a *Analyzer) lookalike(t token, words []string, joined string) bool {
	for _, w := range append(words, joined) {
		if a.skMatch(t, w, asciiSkeleton(w)) && !strings.Contains(w, t.text) {
			return true
		}
	}
	return false
}

// typosquat reports a word one edit away from token t.
func (a *Analyzer) typosquat(t token, words []string) bool {
	for _, w := range words {
		// The first letter must agree: qcloud, pcloud, jsonline and
		// medex are other names, not slips of iCloud, msonline, FedEx.
		if len(w) >= 5 && w[0] == t.text[0] && allLetters(w) && within1(w, t.text) && !a.tokenSet[w] && !commonWord(w) &&
			(len(t.text) >= minTypoToken || !oneSubstitution(w, t.text)) {
			return true
		}
	}
	return false
}

// oneSubstitution reports two words of one length that differ in one letter.
func oneSubstitution(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	n := 0
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] {
			n++
		}
	}
	return n == 1
}

// mixedScript reports a label whose letters come from more than one of the
// scripts homograph attacks mix (Latin with Cyrillic, Greek or Armenian).
func mixedScript(label string) bool {
	seen := 0
	for _, r := range label {
		switch {
		case r < utf8.RuneSelf:
			if isASCIILetter(byte(r)) {
				seen |= 1
			}
		case unicode.Is(unicode.Latin, r):
			seen |= 1
		case unicode.Is(unicode.Cyrillic, r):
			seen |= 2
		case unicode.Is(unicode.Greek, r):
			seen |= 4
		case unicode.Is(unicode.Armenian, r):
			seen |= 8
		}
	}
	return seen&(seen-1) != 0
}

func hasLookalikeChars(label string) bool {
	return strings.ContainsAny(label, "013457il|") || strings.Contains(label, "rn") || strings.Contains(label, "vv")
}

// skMatch compares a word's skeleton with a token's by the token's mode.
// Short tokens match whole words only: dhl must not claim "dhillon".
func (a *Analyzer) skMatch(t token, w, sk string) bool {
	if len(t.text) < 5 {
		// dh1express: a prefix token spelled with a digit look-alike.
		return sk == t.sk || t.mode == modeAffix && len(w) > len(t.text) && strings.HasPrefix(sk, t.sk) &&
			strings.ContainsAny(w[:len(t.text)], "0123456789")
	}
	switch t.mode {
	case modeContain:
		if len(t.text) >= longToken || len(sk) != len(w) {
			return strings.Contains(sk, t.sk)
		}
		// Like a plain short token inside a word: melcloud and tclclouds
		// are other names, icl0ud-login is not.
		for i := 0; ; {
			j := strings.Index(sk[i:], t.sk)
			if j < 0 {
				return false
			}
			j += i
			if a.filler(w[:j]) && a.filler(w[j+len(t.sk):]) {
				return true
			}
			i = j + 1
		}
	case modeAffix:
		return strings.HasPrefix(sk, t.sk) || strings.HasSuffix(sk, t.sk)
	}
	return sk == t.sk
}

func (a *Analyzer) matchWords(t token, words []string) bool {
	for _, w := range words {
		switch t.mode {
		case modeExact:
			if w == t.text || gluedAffix(w, t.text) {
				return true
			}
		case modeAffix:
			if w == t.text || gluedAffix(w, t.text) ||
				strings.HasPrefix(w, t.text) && a.filler(w[len(t.text):]) ||
				strings.HasSuffix(w, t.text) && a.filler(w[:len(w)-len(t.text)]) {
				return true
			}
		case modeContain:
			if a.embedded(w, t.text) {
				return true
			}
		}
	}
	return false
}

// longToken is the length from which a token found anywhere inside a word
// counts whatever surrounds it (facebook, microsoft): shorter ones must be
// surrounded by phishing words, digits or other brands (icloud-login,
// appleicloudverify) so that huaweicloud, hicloud or forticloud are not iCloud.
const longToken = 8

// embedded reports t inside w as a brand, not as part of another word.
func (a *Analyzer) embedded(w, t string) bool {
	for i := 0; ; {
		j := strings.Index(w[i:], t)
		if j < 0 {
			return false
		}
		j += i
		if len(t) >= longToken || a.filler(w[:j]) && a.filler(w[j+len(t):]) {
			return true
		}
		i = j + 1
	}
}

// filler reports a string made only of phishing words, digits and brand
// tokens ("" included): what phishers glue around a brand.
func (a *Analyzer) filler(s string) bool {
	if s == "" {
		return true
	}
	if len(s) > 40 {
		return false
	}
	// ok[i]: s[:i] splits into filler words.
	var ok [41]bool
	ok[0] = true
	for i := 0; i < len(s); i++ {
		if !ok[i] {
			continue
		}
		if s[i] >= '0' && s[i] <= '9' {
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			ok[j] = true
			continue
		}
		for j := i + 2; j <= len(s) && j-i <= 14; j++ {
			if w := s[i:j]; lureWord(w) || fillerWord(w) || a.tokenSet[w] {
				ok[j] = true
			}
		}
	}
	return ok[len(s)]
}

// mention returns the first brand the body names, or -1. Only words that
// start an alias are looked at, so the cost is one pass over the body.
func (a *Analyzer) mention(text, lower string) int {
	best := -1
	for i := 0; i < len(lower); {
		if !isWordChar(lower[i]) {
			i++
			continue
		}
		j := i
		for j < len(lower) && isWordChar(lower[j]) {
			j++
		}
		for _, al := range a.aliases[lower[i:j]] {
			hay := text
			if al.fold {
				hay = lower
			}
			if (best < 0 || al.brand < best) && containsWord(hay, al.text) {
				best = al.brand
			}
		}
		i = j
	}
	return best
}

func isWordChar(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func firstWord(s string) string {
	i := 0
	for i < len(s) && isWordChar(s[i]) {
		i++
	}
	return s[:i]
}

// containsWord finds w in s with non-letter boundaries on both sides.
func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(w)
		if (j == 0 || !isASCIILetter(s[j-1])) && (end == len(s) || !isASCIILetter(s[end])) {
			return true
		}
		i = j + 1
	}
}

// isCountrySuffix reports a country-code public suffix (fr, co.uk, com.br):
// google.* covers those, not every new gTLD an attacker may buy.
func isCountrySuffix(suffix string) bool {
	tld := suffix[strings.LastIndexByte(suffix, '.')+1:]
	return len(tld) == 2 && allLetters(tld)
}

// withoutLinks blanks the links out of a body so that words inside a URL
// (…/login, billing-…) do not count twice as body cues.
func withoutLinks(text string, links []Link) string {
	if len(links) == 1 && links[0].URL == text {
		return ""
	}
	for _, l := range links {
		text = strings.ReplaceAll(text, l.URL, " ")
	}
	return text
}

// gluedAffix matches a short or ambiguous token glued to a phishing word
// (mychase, applesecurity, upsdelivery) without matching ordinary words
// that merely contain it (purchase, pineapple, groups).
func gluedAffix(w, t string) bool {
	if len(w) <= len(t) {
		return false
	}
	if rest, ok := strings.CutPrefix(w, t); ok && lureWord(rest) {
		return true
	}
	if rest, ok := strings.CutSuffix(w, t); ok && lureWord(rest) {
		return true
	}
	return false
}
