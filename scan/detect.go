package scan

import (
	"bytes"
	"iter"
	"slices"
	"strings"
)

// Pairing limits. A credential pairs with a SID only within pairRadius bytes;
// generic key names (token, secret, password) only within maxGenericLines
// lines, names that say Twilio or auth within maxStrongLines. A lone Account
// SID (no other Account SID within 2*farRadius) takes a token named for
// Twilio or "auth token" within farRadius bytes and maxFarLines lines.
const (
	pairRadius      = 2048
	maxGenericLines = 12
	maxStrongLines  = 60
	farRadius       = 8192
	maxFarLines     = 300
	sidLen          = 34 // AC/SK + 32 hex
	secretLen       = 32
	// windowMargin is how much context the engine keeps on each side of the
	// bytes it reports from: a pair plus a competing SID fit inside it, and
	// so does everything a lone SID's far pairing looks at.
	windowMargin = max(3*pairRadius, 2*farRadius) + 2*sidLen + 256
)

type kind uint8

const (
	kindAccount kind = iota // AC SID + auth token (32 lowercase hex)
	kindKey                 // SK SID + secret (32 alphanumeric)
)

// hit is a detection inside one buffer, before positions become line:column.
type hit struct {
	rule        string
	pos         int // reported location: the secret, or the SID when bare
	sidPos      int // the SID's location (allow comments there count too); -1 if none
	accountSID  string
	keySID      string
	secret      string
	placeholder bool
}

type sidCand struct {
	pos         int
	kind        kind
	placeholder bool
	paired      bool // has its credential (or is the account of an API key)
	tokPos      int
	secret      string
	tokPH       bool // the credential is a placeholder
	phOnly      bool // only a placeholder credential is beside it
	phSecret    string
	phPos       int
}

// detector finds credentials in a buffer. It keeps scratch slices between
// calls so the steady state allocates only for findings.
type detector struct {
	includePlaceholders bool
	sids                []sidCand
	b64                 []int        // where base64 of "AC…:"/"SK…:" may start
	sg                  []int        // where "SG." starts
	consumed            map[int]bool // credential positions already paired
	pairedSIDs          map[string]bool
	keyCache            map[string]keyInfo
}

// detect appends to out the hits whose anchor lies in [lo, hi). The bytes
// outside that range are context only (the engine's overlap windows).
func (d *detector) detect(buf []byte, lo, hi int, out []hit) []hit {
	d.prefilter(buf)
	if len(d.sids) > 0 || len(d.b64) > 0 {
		if d.consumed == nil {
			d.consumed = map[int]bool{}
		}
		clear(d.consumed)
	}
	if len(d.sids) > 0 {
		// The passes append AC then SK SIDs, each in order: merge them so
		// neighbours can be found by position.
		slices.SortFunc(d.sids, func(a, b sidCand) int { return a.pos - b.pos })
		out = d.pairAll(buf, lo, hi, out)
	}
	if len(d.b64) > 0 {
		out = d.findBasic(buf, lo, hi, out)
	}
	if len(d.sg) > 0 {
		out = findSendGrid(buf, lo, hi, d.sg, out)
	}
	return out
}

// sidAt appends the AC/SK SID candidate (real or placeholder) at p, if any.
func sidAt(buf []byte, p int, k kind, out []sidCand) []sidCand {
	if p+sidLen > len(buf) || !boundaryBefore(buf, p) || (p+sidLen < len(buf) && isAlnum(buf[p+sidLen])) {
		return out
	}
	body := buf[p+2 : p+sidLen]
	switch {
	case allClass(body, clHex):
		ph := lowEntropy(body) || string(body) == md5OfNothing || exampleKey(keyBefore(buf, p))
		out = append(out, sidCand{pos: p, kind: k, placeholder: ph, tokPos: -1})
	case placeholderSIDBody(body):
		out = append(out, sidCand{pos: p, kind: k, placeholder: true, tokPos: -1})
	}
	return out
}

// md5OfNothing (MD5 of the empty string) is a favourite fake hex value.
const md5OfNothing = "d41d8cd98f00b204e9800998ecf8427e"

// exampleKey: the value documents a format ("example": "AC…" in OpenAPI
// specs, sample_sid, dummy, fake).
func exampleKey(key []byte) bool {
	k := strings.ToLower(string(key))
	for _, w := range [...]string{"example", "sample", "dummy", "fake", "placeholder"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// placeholderSIDBody: 32 of [0-9a-fxX] with x's, like ACxxxx… or AC1234xxxx….
func placeholderSIDBody(b []byte) bool {
	xs := 0
	for _, c := range b {
		switch {
		case c == 'x' || c == 'X':
			xs++
		case isHex(c):
		default:
			return false
		}
	}
	return xs >= 4
}

// boundaryBefore: p starts a word. A JSON/C escape like \n right before the
// value counts as a separator (notebook sources are JSON-escaped).
func boundaryBefore(buf []byte, p int) bool {
	if p == 0 || !isAlnum(buf[p-1]) {
		return true
	}
	if p >= 2 && buf[p-2] == '\\' {
		switch buf[p-1] {
		case 'n', 't', 'r':
			return true
		}
	}
	// A percent escape (%2F in an encoded URL) ends the previous word.
	return p >= 3 && buf[p-3] == '%' && isHexAny(buf[p-2]) && isHexAny(buf[p-1])
}

func isHexAny(c byte) bool { _, ok := unhex(c); return ok }

// valueAt reports whether a credential of kind k starts at q, with word boundaries.
func valueAt(buf []byte, q int, k kind) bool {
	if q < 0 || q+secretLen > len(buf) {
		return false
	}
	if q+secretLen < len(buf) && isAlnum(buf[q+secretLen]) {
		return false
	}
	if k == kindAccount {
		return allClass(buf[q:q+secretLen], clHex)
	}
	return allClass(buf[q:q+secretLen], clAlnum)
}

func (d *detector) pairAll(buf []byte, lo, hi int, out []hit) []hit {
	// 1. Structural pairings bind strongest: SID:secret, positional args.
	for i := range d.sids {
		s := &d.sids[i]
		if q, ok := adjacentValue(buf, s.pos+sidLen, s.kind); ok {
			d.bind(buf, s, q)
			continue
		}
		if q, ok := positionalValue(buf, s.pos, s.kind); ok {
			d.bind(buf, s, q)
		}
	}
	// 2a. Names that carry the same qualifier belong together even when
	// another SID stands between them: configs often list every SID, then
	// every token (PROD_ACCOUNT_SID, DEV_ACCOUNT_SID, PROD_AUTH_TOKEN, …;
	// TWILIO_SUBACCOUNT_SID beside TWILIO_SUBACCOUNT_AUTH_TOKEN). Only
	// between competing SIDs; a lone SID is left to the distance rules.
	for _, k := range [...]kind{kindKey, kindAccount} {
		for i := range d.sids {
			s := &d.sids[i]
			if s.kind != k || s.paired {
				continue
			}
			if q := d.qualifiedValue(buf, i); q >= 0 {
				d.bind(buf, s, q)
			}
		}
	}
	// 2. Key names, API keys first so their secrets are not taken for auth tokens.
	for _, k := range [...]kind{kindKey, kindAccount} {
		for i := range d.sids {
			s := &d.sids[i]
			if s.kind != k || s.paired {
				continue
			}
			if q := d.keyedValue(buf, i); q >= 0 {
				d.bind(buf, s, q)
			}
		}
	}
	// 3. An Account SID next to an API key is that key's account, not bare.
	for i := range d.sids {
		s := &d.sids[i]
		if s.kind != kindKey || !s.paired {
			continue
		}
		if a := d.nearestAccount(s.pos); a >= 0 {
			d.sids[a].paired = true
		}
	}
	// 4. Placeholder credentials, only looked for when they will be reported.
	if d.includePlaceholders {
		for i := range d.sids {
			s := &d.sids[i]
			if !s.paired {
				d.placeholderValue(buf, s)
			}
		}
	}
	// 5. A SID that has its credential somewhere in the buffer is not bare
	// where it appears again (e.g. in a URL path beside its userinfo).
	if d.pairedSIDs == nil {
		d.pairedSIDs = map[string]bool{}
	}
	clear(d.pairedSIDs)
	for _, o := range d.sids {
		if o.paired && o.tokPos >= 0 && !o.tokPH && o.kind == kindAccount {
			d.pairedSIDs[string(buf[o.pos:o.pos+sidLen])] = true
		}
	}
	for i := range d.sids {
		s := &d.sids[i]
		if len(d.pairedSIDs) > 0 && s.kind == kindAccount && !s.paired && !s.placeholder && d.pairedSIDs[string(buf[s.pos:s.pos+sidLen])] {
			s.paired = true
		}
	}
	for i := range d.sids {
		s := d.sids[i]
		if s.pos < lo || s.pos >= hi {
			continue
		}
		sid := string(buf[s.pos : s.pos+sidLen])
		if s.kind == kindAccount && s.paired && s.tokPos >= 0 && s.tokPH && !s.placeholder {
			// A real SID beside a documentation token is still exposed.
			out = append(out, hit{rule: RuleAccountSID, pos: s.pos, sidPos: s.pos, accountSID: sid})
		}
		switch {
		case s.paired && s.tokPos >= 0 && s.kind == kindAccount:
			out = append(out, hit{rule: RuleAuthToken, pos: s.tokPos, sidPos: s.pos, accountSID: sid,
				secret: s.secret, placeholder: s.placeholder || s.tokPH})
		case s.paired && s.tokPos >= 0:
			h := hit{rule: RuleAPIKey, pos: s.tokPos, sidPos: s.pos, keySID: sid,
				secret: s.secret, placeholder: s.placeholder || s.tokPH}
			if a := d.nearestAccount(s.pos); a >= 0 {
				h.accountSID = string(buf[d.sids[a].pos : d.sids[a].pos+sidLen])
			}
			out = append(out, h)
		case s.kind == kindAccount && !s.paired && !(s.phOnly && s.placeholder):
			out = append(out, hit{rule: RuleAccountSID, pos: s.pos, sidPos: s.pos, accountSID: sid,
				placeholder: s.placeholder})
		}
		if s.phOnly {
			rule, h := RuleAuthToken, hit{sidPos: s.pos, pos: s.phPos, secret: s.phSecret, placeholder: true}
			if s.kind == kindKey {
				rule, h.keySID = RuleAPIKey, sid
			} else {
				h.accountSID = sid
			}
			h.rule = rule
			out = append(out, h)
		}
	}
	return out
}

func (d *detector) bind(buf []byte, s *sidCand, q int) {
	s.paired = true
	s.tokPos = q
	s.secret = string(buf[q : q+secretLen])
	s.tokPH = lowEntropy(buf[q : q+secretLen])
	d.consumed[q] = true
}

// nearestAccount is the Account SID nearest to position p within
// pairRadius, or -1. d.sids is sorted by position.
func (d *detector) nearestAccount(p int) int {
	best, bestD := -1, pairRadius+1
	i, _ := slices.BinarySearchFunc(d.sids, p, func(s sidCand, p int) int { return s.pos - p })
	for j := i - 1; j >= 0 && p-d.sids[j].pos < bestD; j-- {
		if d.sids[j].kind == kindAccount {
			best, bestD = j, p-d.sids[j].pos
			break
		}
	}
	for j := i; j < len(d.sids) && d.sids[j].pos-p < bestD; j++ {
		if d.sids[j].kind == kindAccount {
			return j // nearer than the one before (ties go to the one before)
		}
	}
	return best
}

// neighbours are the nearest unpaired SIDs of the same kind before and
// after SID i (-1 if none within reach). A credential beyond a neighbour is
// nearer to that neighbour, so keyedValue looks only between them.
func (d *detector) neighbours(i int) (prev, next int) {
	s := d.sids[i]
	const reach = 3*pairRadius + sidLen
	prev, next = -1, -1
	for j := i - 1; j >= 0 && s.pos-d.sids[j].pos <= reach; j-- {
		if o := d.sids[j]; o.kind == s.kind && !o.paired {
			prev = j
			break
		}
	}
	for j := i + 1; j < len(d.sids) && d.sids[j].pos-s.pos <= reach; j++ {
		if o := d.sids[j]; o.kind == s.kind && !o.paired {
			next = j
			break
		}
	}
	return prev, next
}

// adjacentValue matches SID:secret as in URL userinfo, curl -u and
// "sid:token" strings, also percent- or JSON-escaped (%3A, \u003a).
func adjacentValue(buf []byte, e int, k kind) (int, bool) {
	if e >= len(buf) {
		return 0, false
	}
	switch buf[e] {
	case ':':
		if valueAt(buf, e+1, k) {
			return e + 1, true
		}
	case ',':
		// A CSV row "SID,token" under a header naming the token column.
		if valueAt(buf, e+1, k) && csvHeaderAbove(buf, e) {
			return e + 1, true
		}
	case '%':
		if e+3 <= len(buf) && string(percentDecode(buf[e:e+3])) == ":" && valueAt(buf, e+3, k) {
			return e + 3, true
		}
	case '\\': // \u003a in a JSON string
		if e+6 <= len(buf) && string(unescapeJSON(buf[e:e+6])) == ":" && valueAt(buf, e+6, k) {
			return e + 6, true
		}
	}
	return 0, false
}

func isQuote(c byte) bool { return c == '"' || c == '\'' || c == '`' }

// positionalValue matches f("SID", "secret") with literal arguments.
func positionalValue(buf []byte, s int, k kind) (int, bool) {
	if s == 0 || !isQuote(buf[s-1]) {
		return 0, false
	}
	i := s + sidLen
	if i < len(buf) && buf[i] == '\\' {
		i++
	}
	if i >= len(buf) || !isQuote(buf[i]) {
		return 0, false
	}
	i = skipSpace(buf, i+1, 200)
	if i >= len(buf) || buf[i] != ',' {
		return 0, false
	}
	i = skipComment(buf, skipSpace(buf, i+1, 200))
	if escaped := s >= 2 && buf[s-2] == '\\'; escaped {
		i = skipNotebookBreak(buf, i)
	}
	if i < len(buf) && buf[i] == '\\' {
		i++
	}
	if i >= len(buf) || !isQuote(buf[i]) {
		return 0, false
	}
	q := i + 1
	if !valueAt(buf, q, k) {
		return 0, false
	}
	c := q + secretLen
	if c < len(buf) && buf[c] == '\\' {
		c++
	}
	if c >= len(buf) || !isQuote(buf[c]) {
		return 0, false
	}
	if deniedContext(lineBefore(buf, s)) {
		return 0, false
	}
	return q, true
}

// skipNotebookBreak skips a line break inside JSON-escaped source split into
// array elements, as notebooks store cells: \n", <newline> "    then the code.
func skipNotebookBreak(buf []byte, i int) int {
	j := i
	if j+1 < len(buf) && buf[j] == '\\' && buf[j+1] == 'n' {
		j += 2
	}
	if j >= len(buf) || buf[j] != '"' {
		return i
	}
	j = skipSpace(buf, j+1, 200)
	if j >= len(buf) || buf[j] != ',' {
		return i
	}
	j = skipSpace(buf, j+1, 200)
	if j >= len(buf) || buf[j] != '"' {
		return i
	}
	return skipSpace(buf, j+1, 200)
}

// skipComment skips a line comment (# or //) between arguments written one
// per line, and the space after it.
func skipComment(buf []byte, i int) int {
	if i >= len(buf) || (buf[i] != '#' && (buf[i] != '/' || i+1 >= len(buf) || buf[i+1] != '/')) {
		return i
	}
	e := bytes.IndexByte(buf[i:min(len(buf), i+200)], '\n')
	if e < 0 {
		return i
	}
	return skipSpace(buf, i+e+1, 200)
}

func skipSpace(buf []byte, i, max int) int {
	for n := 0; i < len(buf) && n < max; i, n = i+1, n+1 {
		switch buf[i] {
		case ' ', '\t', '\r', '\n':
		default:
			return i
		}
	}
	return i
}

// keyedValue finds, around SID i, the credential whose key name says what it
// is, that is not nearer another SID and not in another service's section.
// A lone Account SID with nothing within the usual limits then looks
// farther (farValue's rules).
func (d *detector) keyedValue(buf []byte, i int) int {
	s := d.sids[i]
	prev, next := d.neighbours(i)
	if q := d.scanKeyed(buf, s, prev, next, nil); q >= 0 {
		return q
	}
	// Only a SID with no neighbour on some side can reach farther.
	if s.kind != kindAccount || (prev >= 0 && next >= 0) {
		return -1
	}
	fp, fn, lone := d.loneAccount(buf, i)
	if !lone {
		return -1
	}
	return d.scanKeyed(buf, s, prev, next, &farScan{fp: fp, fn: fn, nlSID: -1})
}

// farScan is the state of a far keyedValue pass (kept out of the scanning
// loop's registers): the nearest repeats of the SID (-1 if none), which take
// a token nearer to them, and a running count of newlines (nl in
// buf[from:nlPos]), so a long range costs one count, not one per candidate.
type farScan struct {
	fp, fn           int
	nl, nlPos, nlSID int
}

// scanKeyed is one keyedValue pass: within pairRadius and the line limits,
// or, with fs, beyond those limits within farRadius.
func (d *detector) scanKeyed(buf []byte, s sidCand, prev, next int, fs *farScan) int {
	radius := pairRadius
	if fs != nil {
		radius = farRadius
	}
	from := max(0, s.pos-radius)
	to := min(len(buf), s.pos+sidLen+radius)
	if prev >= 0 {
		from = max(from, d.sids[prev].pos+sidLen)
	}
	if next >= 0 {
		to = min(to, d.sids[next].pos)
	}
	if fs != nil {
		fs.nlPos = from
	}
	best, bestD := -1, 1<<30
	for p := from; p < to; {
		c := buf[p]
		if !isAlnum(c) {
			p++
			continue
		}
		j := p + 1
		for j < len(buf) && isAlnum(buf[j]) {
			j++
		}
		start, q := p, p
		if j-p == secretLen+1 && p >= 1 && buf[p-1] == '\\' && (c == 'n' || c == 't' || c == 'r') {
			q = p + 1 // "\nTOKEN" inside a JSON string
		}
		p = j
		if j-q != secretLen || (q == start && !boundaryBefore(buf, q)) {
			continue
		}
		if !valueAt(buf, q, s.kind) || d.consumed[q] {
			continue
		}
		dist := weightedDist(s.pos, q)
		if dist >= bestD || (prev >= 0 && weightedDist(d.sids[prev].pos, q) < dist) ||
			(next >= 0 && weightedDist(d.sids[next].pos, q) < dist) {
			continue
		}
		key := namedKey(buf, q)
		f, known := d.keyFlags(key)
		ok, strong := credFlags(f, known, s.kind)
		if !ok {
			continue
		}
		// A key that says Twilio is unambiguous whatever else the line holds
		// (heroku config:set TWILIO_AUTH_TOKEN=…); others yield to it.
		if f&wTwilio == 0 && deniedContext(lineBefore(buf, q)) {
			continue
		}
		near := false
		if q >= s.pos-pairRadius && q < s.pos+sidLen+pairRadius {
			lo, hi := min(s.pos, q), max(s.pos, q)
			lines := bytes.Count(buf[lo:hi], []byte{'\n'})
			near = lines <= maxStrongLines && (strong || lines <= maxGenericLines)
		}
		if fs == nil {
			if near && !sectionBarrier(buf, s.pos, q, max(from, s.pos-pairRadius), pairRadius, maxStrongLines) {
				best, bestD = q, dist
			}
		} else if !near && d.farValue(buf, s.pos, q, dist, key, f, from, fs) {
			best, bestD = q, dist // the near pass has judged the near ones
		}
	}
	return best
}

// farValue: a credential beyond the usual limits of a lone Account SID is
// its token when the name says Twilio or "auth token" (not just token or
// secret), no repeat of the SID is nearer (by position alone, so every read
// window decides alike), no section of another service holds it, and a
// qualifier in both names agrees (PROD_ACCOUNT_SID does not take
// DEV_AUTH_TOKEN).
func (d *detector) farValue(buf []byte, sid, q, dist int, key []byte, f, from int, fs *farScan) bool {
	if f&wTwilio == 0 && f&(wAuth|wToken) != wAuth|wToken {
		return false
	}
	if (fs.fp >= 0 && weightedDist(d.sids[fs.fp].pos, q) < dist) || (fs.fn >= 0 && weightedDist(d.sids[fs.fn].pos, q) < dist) {
		return false
	}
	if fs.nlSID < 0 {
		fs.nlSID = bytes.Count(buf[from:sid], []byte{'\n'})
	}
	fs.nl += bytes.Count(buf[fs.nlPos:q], []byte{'\n'})
	fs.nlPos = q
	if abs(fs.nl-fs.nlSID) > maxFarLines {
		return false
	}
	if tq := keyQualifier(key); tq != "" {
		if sq := keyQualifier(namedKey(buf, sid)); sq != "" && sq != tq {
			return false
		}
	}
	return !sectionBarrier(buf, sid, q, from, farRadius, maxFarLines)
}

// loneAccount says whether Account SID i is the only Account SID within
// 2*farRadius on both sides (repeats of the same SID aside, at most
// maxLoneRepeats), so that a token far from it can only be its own. It also
// returns the nearest repeats before and after (-1 if none). It looks at
// positions and values only, never at what other SIDs were paired with, and
// stays inside the engine's windowMargin, so the answer does not depend on
// where a read window starts.
func (d *detector) loneAccount(buf []byte, i int) (prev, next int, ok bool) {
	const reach, maxLoneRepeats = 2*farRadius + sidLen, 8
	pos := d.sids[i].pos
	sid := buf[pos : pos+sidLen]
	prev, next = -1, -1
	seen := 0
	for _, dir := range [...]int{-1, 1} {
		for j := i + dir; j >= 0 && j < len(d.sids) && abs(d.sids[j].pos-pos) <= reach; j += dir {
			o := &d.sids[j]
			if o.kind != kindAccount {
				continue
			}
			if seen++; seen > maxLoneRepeats || !bytes.Equal(buf[o.pos:o.pos+sidLen], sid) {
				return -1, -1, false
			}
			if dir < 0 && prev < 0 {
				prev = j
			} else if dir > 0 && next < 0 {
				next = j
			}
		}
	}
	return prev, next, true
}

// qualifiedValue finds, for SID i, a credential whose key name carries the
// same qualifier as the SID's (prod, dev, staging, sub, a digit …), when
// another unpaired SID of the same kind is within reach and no other SID
// in reach has that qualifier. It returns -1 otherwise.
func (d *detector) qualifiedValue(buf []byte, i int) int {
	s := d.sids[i]
	const reach = 3*pairRadius + sidLen
	qual := keyQualifier(namedKey(buf, s.pos))
	if qual == "" {
		return -1
	}
	// d.sids is sorted by position: look at the SIDs in reach on both
	// sides, at most maxQualified of them (dense files keep linear time).
	const maxQualified = 16
	competing, seen := false, 0
	for _, dir := range [...]int{-1, 1} {
		for j := i + dir; j >= 0 && j < len(d.sids) && abs(d.sids[j].pos-s.pos) <= reach; j += dir {
			o := d.sids[j]
			if o.kind != s.kind {
				continue
			}
			if seen++; seen > maxQualified {
				return -1
			}
			if keyQualifier(namedKey(buf, o.pos)) == qual {
				return -1 // ambiguous: leave it to the distance rules
			}
			competing = competing || !o.paired
		}
	}
	if !competing {
		return -1
	}
	from := max(0, s.pos-pairRadius)
	to := min(len(buf), s.pos+sidLen+pairRadius)
	best, bestD := -1, 1<<30
	for p := from; p < to; {
		if !isAlnum(buf[p]) {
			p++
			continue
		}
		q := p
		for p < len(buf) && isAlnum(buf[p]) {
			p++
		}
		if p-q != secretLen || !boundaryBefore(buf, q) || !valueAt(buf, q, s.kind) || d.consumed[q] {
			continue
		}
		dist := weightedDist(s.pos, q)
		if dist >= bestD {
			continue
		}
		key := namedKey(buf, q)
		if keyQualifier(key) != qual {
			continue
		}
		f, known := d.keyFlags(key)
		ok, strong := credFlags(f, known, s.kind)
		if !ok || (f&wTwilio == 0 && deniedContext(lineBefore(buf, q))) {
			continue
		}
		lo, hi := min(s.pos, q), max(s.pos, q)
		lines := bytes.Count(buf[lo:hi], []byte{'\n'})
		if lines > maxStrongLines || (!strong && lines > maxGenericLines) || sectionBarrier(buf, s.pos, q, from, pairRadius, maxStrongLines) {
			continue
		}
		best, bestD = q, dist
	}
	return best
}

// qualifierWords name an environment or an account in a key name, longest
// first so compounds split correctly; each maps to one canonical spelling.
const qualifierWords = "subaccount:sub development:dev production:prod secondary:secondary " +
	"staging:staging sandbox:sandbox primary:primary master:master stage:staging " +
	"live:live test:test prod:prod main:main dev:dev sub:sub"

// keyQualifier is what a key name says beyond "Twilio credential": its
// qualifier words and numbers, canonical and sorted ("" when none).
func keyQualifier(key []byte) string {
	if len(key) == 0 || len(key) > 64 {
		return ""
	}
	var arr [64]byte
	norm := arr[:0]
	for _, c := range key {
		switch {
		case c >= 'A' && c <= 'Z':
			norm = append(norm, c+'a'-'A')
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			norm = append(norm, c)
		default:
			norm = append(norm, ' ')
		}
	}
	rest := string(norm)
	var found []string
	for entry := range strings.FieldsSeq(qualifierWords) {
		w, canon, _ := strings.Cut(entry, ":")
		if strings.Contains(rest, w) {
			rest = strings.ReplaceAll(rest, w, " ")
			found = append(found, canon)
		}
	}
	// Numbers qualify too (TWILIO_AUTH_TOKEN_2), except inside words.
	for part := range strings.FieldsSeq(rest) {
		if strings.Trim(part, "0123456789") == "" {
			found = append(found, strings.TrimLeft(part, "0"))
		}
	}
	if len(found) == 0 {
		return ""
	}
	slices.Sort(found)
	return strings.Join(slices.Compact(found), "+")
}

// weightedDist prefers a credential after its SID (the usual order).
func weightedDist(sid, q int) int {
	if q > sid {
		return q - sid
	}
	return 2*(sid-q) + 1
}

// lineStart is the start of the line holding p, or limit if the line
// starts before it. Every backward search is bounded so that one long line
// (minified code) costs linear time, not quadratic.
func lineStart(buf []byte, p, limit int) int {
	limit = max(limit, 0)
	if p <= limit {
		return limit
	}
	return limit + bytes.LastIndexByte(buf[limit:p], '\n') + 1
}

// lineBefore returns the bytes from the start of q's line up to q, at most 512.
func lineBefore(buf []byte, q int) []byte {
	return buf[lineStart(buf, q, q-512):q]
}

// keyBefore extracts the name a value at q is assigned to: key = "v",
// "key": "v", key: v, --key v, ENV KEY v, <key>v, setKey("v"), map["key"] = "v".
func keyBefore(buf []byte, q int) []byte {
	line := lineBefore(buf, q)
	i := len(line) - 1
	for n := 0; i >= 0 && n < 3 && (isQuote(line[i]) || line[i] == '\\'); n++ {
		i--
	}
	sp := i
	for i >= 0 && (line[i] == ' ' || line[i] == '\t') {
		i--
	}
	hadSpace := i < sp
	ops := 0
	for i >= 0 && ops < 3 && strings.IndexByte("=:>(,{?|", line[i]) >= 0 {
		i--
		ops++
	}
	if ops == 0 && !hadSpace {
		return nil
	}
	for i >= 0 && (line[i] == ' ' || line[i] == '\t') {
		i--
	}
	for n := 0; i >= 0 && n < 4 && (isQuote(line[i]) || line[i] == ']' || line[i] == ')' || line[i] == '\\'); n++ {
		i--
	}
	end := i + 1
	for i >= 0 && (classTable[line[i]]&clIdent != 0 || line[i] == '.' || line[i] == '-') {
		i--
	}
	if i >= 1 && line[i] == '!' && line[i-1] == '!' {
		// A YAML tag (token: !!str …) is not the name: the key is before it.
		return keyBefore(buf, q-len(line)+i-1)
	}
	return line[i+1 : end]
}

// Key words. Each flag is a meaning; a key whose words are not all known is
// about something else (STRIPE_SECRET, csrf_token, password_hash).
const (
	wTwilio = 1 << iota
	wAuth
	wToken
	wSecret
	wPass
	wCred
	wKey
	wAPI
	wNeutral
	wDenied // an unknown word that names a hash or another service
)

// keyVocabulary is ordered longest first so compound words split correctly.
const keyVocabulary = "subaccount:N credentials:C development:N environment:N production:N " +
	"signingkey:K credential:N secondary:N password:P settings:N account:N primary:N sandbox:N secrets:S staging:N " +
	"default:N current:N private:N environ:N options:N process:N passwd:P twilio:T secret:S tokens:O " +
	"config:N client:N string:N master:N params:N getenv:N token:O creds:C basic:N value:N stage:N " +
	"voice:N cred:C auth:A pass:P acct:N live:N test:N prod:N main:N conf:N opts:N self:N this:N your:N " +
	"with:N rest:N http:N api:I key:K tkn:O pwd:P dev:N sms:N cfg:N env:N app:N sub:N set:N var:N let:N the:N new:N " +
	"old:N str:N get:N my:N tw:N os:N"

func vocabFlag(c byte) int {
	switch c {
	case 'T':
		return wTwilio
	case 'A':
		return wAuth
	case 'O':
		return wToken
	case 'S':
		return wSecret
	case 'P':
		return wPass
	case 'C':
		return wCred
	case 'K':
		return wKey
	case 'I':
		return wAPI
	}
	return wNeutral
}

// keyFlags splits a key name into known words. ok is false when something
// other than known words and digits remains.
func keyFlags(key []byte) (flags int, ok bool) {
	var arr [64]byte
	norm := arr[:0]
	for i := 0; i < len(key); i++ {
		c := key[i]
		if skWord(key, i) {
			flags |= wAPI // TWILIO_SK_SECRET, twilioSkSecret: an API key's
			i++
			continue
		}
		switch {
		case c >= 'A' && c <= 'Z':
			norm = append(norm, c+'a'-'A')
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			norm = append(norm, c)
		}
	}
	if len(norm) == 0 {
		return 0, false
	}
	if hashWord(key) {
		flags |= wDenied
	}
	rest := string(norm)
	for entry := range strings.FieldsSeq(keyVocabulary) {
		w, f, _ := strings.Cut(entry, ":")
		if strings.Contains(rest, w) {
			rest = strings.ReplaceAll(rest, w, " ")
			flags |= vocabFlag(f[0])
		}
	}
	// Digits and single letters (TOKEN_B, sid2) are qualifiers, not words.
	ok = true
	for part := range strings.FieldsSeq(rest) {
		if len(strings.Trim(part, "0123456789")) > 1 {
			ok = false
			if deniedContext([]byte(part)) {
				flags |= wDenied
			}
		}
	}
	return flags, ok
}

// hashWords, as whole words less trailing digits (SHA256, MD5, CRC32),
// name a digest or an identifier, not a credential: TWILIO_AUTH_TOKEN_SHA256,
// SHA_TWILIO_AUTH_TOKEN, authTokenFingerprint (but not SHARED_TWILIO_TOKEN).
const hashWords = "md sha crc hash hashed digest checksum fingerprint hmac salt nonce signature etag uuid guid"

// hashWord says whether a word of key (split at non-alphanumerics and at
// camelCase humps) is one of hashWords. The vocabulary's substring match
// cannot tell: "tokensha256" reads as "tokens" + "ha256".
func hashWord(key []byte) bool {
	start := 0
	for i := 0; i <= len(key); i++ {
		end := i == len(key) || !isAlnum(key[i]) || i > start && key[i] >= 'A' && key[i] <= 'Z' && key[i-1] >= 'a' && key[i-1] <= 'z'
		if !end {
			continue
		}
		if i > start {
			w := strings.TrimRight(strings.ToLower(string(key[start:i])), "0123456789")
			for h := range strings.FieldsSeq(hashWords) {
				if w == h {
					return true
				}
			}
		}
		start = i
		if i < len(key) && !isAlnum(key[i]) {
			start = i + 1
		}
	}
	return false
}

// skWord says whether key[i:] starts "sk" as a word of its own (SK_, _sk,
// Sk in camelCase) rather than inside one (task, DESK): too short for the
// vocabulary's substring match.
func skWord(key []byte, i int) bool {
	if i+1 >= len(key) || key[i]|0x20 != 's' || key[i+1]|0x20 != 'k' {
		return false
	}
	upper := func(c byte) bool { return c >= 'A' && c <= 'Z' }
	letter := func(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
	startsWord := i == 0 || !letter(key[i-1]) || upper(key[i]) && !upper(key[i-1])
	j := i + 2
	endsWord := j == len(key) || !letter(key[j]) || upper(key[j]) && !upper(key[i+1])
	return startsWord && endsWord
}

// keyInfo is a cached keyFlags result.
type keyInfo struct {
	flags int
	known bool
}

// keyFlags caches keyFlags per key name: files full of credentials repeat a
// handful of names thousands of times.
func (d *detector) keyFlags(key []byte) (int, bool) {
	if v, ok := d.keyCache[string(key)]; ok {
		return v.flags, v.known
	}
	f, known := keyFlags(key)
	if len(key) <= 64 && len(d.keyCache) < 4096 {
		if d.keyCache == nil {
			d.keyCache = map[string]keyInfo{}
		}
		d.keyCache[string(key)] = keyInfo{f, known}
	}
	return f, known
}

// credKey says whether a key names the credential of kind k, and whether
// it names Twilio (or auth/API) explicitly, which allows a longer distance.
func credKey(key []byte, k kind) (ok, strong bool) {
	f, known := keyFlags(key)
	return credFlags(f, known, k)
}

// credFlags is credKey on a key's flags.
func credFlags(f int, known bool, k kind) (ok, strong bool) {
	// Unknown words are usually another service (STRIPE_SECRET) or another
	// thing (password_hash), but an app or framework prefix is common in
	// real leaks (REACT_APP_TWILIO_AUTH_TOKEN, ACME_TWILIO_TOKEN,
	// OTP_AUTH_TOKEN): a name that says Twilio, or Twilio's own term "auth
	// token", is still clear about what it holds — unless another word names
	// a hash or a service (TWILIO_TOKEN_MD5, STRIPE_AUTH_TOKEN).
	if !known && (f&wDenied != 0 || f&wTwilio == 0 && f&(wAuth|wToken) != wAuth|wToken) {
		return false, false
	}
	if k == kindAccount {
		if f&wAPI != 0 || (f&wKey != 0 && f&(wTwilio|wAuth) == 0) {
			return false, false
		}
		ok = f&(wToken|wSecret|wPass|wAuth|wCred) != 0 || f&(wKey|wTwilio) == wKey|wTwilio
		return ok, f&(wTwilio|wAuth) != 0
	}
	if f&wAuth != 0 {
		return false, false
	}
	ok = f&(wSecret|wPass|wToken|wCred) != 0
	return ok, f&(wTwilio|wAPI) != 0 || f&(wSecret|wKey) == wSecret|wKey
}

// deniedWords on the line before a value mean another service or a hash.
const deniedWords = "stripe github gitlab aws amazon azure gcp google firebase facebook slack mailgun " +
	"npm pypi docker nuget sentry mailchimp datadog algolia pusher " +
	"nexmo vonage plivo paypal shopify heroku openai database postgres mysql redis mongo smtp jwt " +
	"oauth csrf xsrf session webhook md5 sha1 sha256 sha512 hash checksum etag uuid guid digest nonce " +
	"salt integrity commit signature app_secret appsecret"

func deniedContext(line []byte) bool {
	if len(line) == 0 {
		return false
	}
	var arr [512]byte // lineBefore returns at most 512 bytes
	low := arr[:0]
	for _, c := range line {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		low = append(low, c)
	}
	for w := range strings.FieldsSeq(deniedWords) {
		if bytes.Contains(low, []byte(w)) {
			return true
		}
	}
	return false
}

// sectionBarrier: the credential sits in an INI/TOML/YAML section named for
// something else ([stripe], database:) than the SID's section. Headers are
// looked for within radius bytes and maxLines lines above each.
func sectionBarrier(buf []byte, sid, q, limit, radius, maxLines int) bool {
	tp, tname := sectionAbove(buf, q, limit, radius, maxLines)
	if tp < 0 {
		return false
	}
	sp, _ := sectionAbove(buf, sid, limit, radius, maxLines)
	if sp == tp {
		return false
	}
	_, known := keyFlags(tname)
	return !known
}

// sectionAbove finds the nearest header line above p's line that encloses
// it: [name], or "name:" / "name: {" at a smaller indentation.
func sectionAbove(buf []byte, p, limit, radius, maxLines int) (int, []byte) {
	limit = max(limit, p-radius)
	ls := lineStart(buf, p, limit)
	indent := indentOf(buf[ls:p])
	for n := 0; ls > limit && n < maxLines; n++ {
		prev := lineStart(buf, ls-1, limit)
		line := buf[prev : ls-1]
		ls = prev
		t := bytes.TrimSpace(line)
		if len(t) > 2 && t[0] == '[' && t[len(t)-1] == ']' {
			return prev, bytes.Trim(t, "[]")
		}
		if indentOf(line) >= indent {
			continue
		}
		t = bytes.TrimSuffix(bytes.TrimSuffix(t, []byte("{")), []byte(" "))
		if len(t) > 1 && t[len(t)-1] == ':' {
			return prev, bytes.Trim(t[:len(t)-1], `"' `)
		}
	}
	return -1, nil
}

func indentOf(line []byte) int {
	n := 0
	for n < len(line) && (line[n] == ' ' || line[n] == '\t') {
		n++
	}
	return n
}

// lowEntropy marks documentation values: few distinct characters (all zeros,
// aaaa…), a short repeated period, or a long ascending run (0123456789abcdef).
func lowEntropy(v []byte) bool {
	var seen [256]bool
	distinct := 0
	for _, c := range v {
		if !seen[c] {
			seen[c] = true
			distinct++
		}
	}
	if distinct <= 4 {
		return true
	}
	for _, per := range [...]int{2, 4, 8} {
		if per < len(v) && bytes.Equal(v[per:], v[:len(v)-per]) {
			return true
		}
	}
	const order = "0123456789abcdef"
	run := 1
	for i := 1; i < len(v); i++ {
		a, b := strings.IndexByte(order, v[i-1]), strings.IndexByte(order, v[i])
		if a >= 0 && b == a+1 {
			run++
			if run >= 8 {
				return true
			}
		} else {
			run = 1
		}
	}
	return false
}

// placeholderText: your_auth_token, [AuthToken], <secret>, xxxxxxxx, ****.
func placeholderText(v []byte) bool {
	if len(v) < 4 || len(v) > 64 {
		return false
	}
	low := strings.ToLower(string(v))
	for _, w := range [...]string{"your", "xxxx", "****", "changeme", "placeholder", "<", "[", "authtoken", "auth_token", "api_secret", "apisecret"} {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}

// valueToken reads a quoted or bare value starting at q.
func valueToken(buf []byte, q int) (int, []byte) {
	for q < len(buf) && (isQuote(buf[q]) || buf[q] == '\\') {
		q++
	}
	e := q
	for e < len(buf) && e-q <= 64 {
		c := buf[e]
		if c == '"' || c == '\'' || c == '`' || c == ',' || c == ';' || c == ')' || c == '@' || c == '&' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\\' {
			break
		}
		e++
	}
	return q, buf[q:e]
}

// placeholderValue looks for a placeholder credential beside SID s: after a
// colon or as the next literal argument, or under a credential key nearby.
func (d *detector) placeholderValue(buf []byte, s *sidCand) {
	e := s.pos + sidLen
	try := func(q int, v []byte) bool {
		if placeholderText(v) && !d.consumed[q] {
			s.phOnly, s.phPos, s.phSecret = true, q, string(v)
			d.consumed[q] = true
			return true
		}
		return false
	}
	if e < len(buf) && buf[e] == ':' {
		if q, v := valueToken(buf, e+1); try(q, v) {
			return
		}
	}
	i := e
	for i < len(buf) && i-e < 3 && (isQuote(buf[i]) || buf[i] == '\\') {
		i++
	}
	if i = skipSpace(buf, i, 200); i < len(buf) && buf[i] == ',' {
		if q, v := valueToken(buf, skipSpace(buf, i+1, 200)); try(q, v) {
			return
		}
	}
	// Nearby lines: key = placeholder.
	for vq := range assignments(buf, max(0, s.pos-512), min(len(buf), e+512)) {
		q, v := valueToken(buf, vq)
		if placeholderText(v) {
			if ok, _ := credKey(keyBefore(buf, vq), s.kind); ok && try(q, v) {
				return
			}
		}
	}
}

// assignments yields, for each line of buf[from:to] with a "=" or ":", where
// the value after the first one starts: the lines near a SID that may
// name its credential (key = value, key: value).
func assignments(buf []byte, from, to int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for ls := from; ls < to; {
			le := bytes.IndexByte(buf[ls:to], '\n')
			if le < 0 {
				le = to - ls
			}
			if op := bytes.IndexAny(buf[ls:ls+le], "=:"); op >= 0 && !yield(skipSpace(buf, ls+op+1, 8)) {
				return
			}
			ls += le + 1
		}
	}
}

// findBasic decodes HTTP Basic credentials: base64 of "AC…:token" starts
// with "QUM" or "QUN" (the third character depends on the first hex digit),
// of "SK…:secret" with "U0s" or "U0t".
func (d *detector) findBasic(buf []byte, lo, hi int, out []hit) []hit {
	for _, p := range d.b64 {
		{
			if p < lo || p >= hi {
				continue
			}
			if p > 0 && classTable[buf[p-1]]&clB64 != 0 {
				continue
			}
			e := p
			for e < len(buf) && e-p < 128 && classTable[buf[e]]&clB64 != 0 {
				e++
			}
			run := e
			for e < len(buf) && e-run < 2 && buf[e] == '=' {
				e++
			}
			if run-p >= encodedSIDLen && run-p <= encodedSIDLen+2 {
				out = d.findEncoded(buf, p, e, out)
				continue
			}
			if run-p < 88 || run-p > 92 {
				continue
			}
			dec, ok := decodeBase64(buf[p:e])
			if !ok || len(dec) != sidLen+1+secretLen || dec[sidLen] != ':' {
				continue
			}
			k := kindAccount
			if buf[p] == 'U' {
				k = kindKey
			}
			if !allClass(dec[2:sidLen], clHex) || !valueAt(dec, sidLen+1, k) {
				continue
			}
			h := hit{pos: p, sidPos: -1, secret: string(dec[sidLen+1:]),
				placeholder: lowEntropy(dec[2:sidLen]) || lowEntropy(dec[sidLen+1:])}
			if k == kindAccount {
				h.rule, h.accountSID = RuleAuthToken, string(dec[:sidLen])
			} else {
				h.rule, h.keySID = RuleAPIKey, string(dec[:sidLen])
				if a := d.nearestAccount(p); a >= 0 {
					h.accountSID = string(buf[d.sids[a].pos : d.sids[a].pos+sidLen])
				}
			}
			out = append(out, h)
		}
	}
	return out
}

// trimEOL drops the newline that `echo X | base64` encodes with the value.
func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

// Unpadded base64 lengths of a SID (34 bytes) and of a 32-byte credential;
// up to two more characters when a newline was encoded with them.
const (
	encodedSIDLen    = 46
	encodedSecretLen = 43
)

// findEncoded handles a SID stored base64-encoded on its own, as in a
// Kubernetes Secret's data: block, where the credential beside it is
// encoded too:
//
//	data:
//	  TWILIO_ACCOUNT_SID: QUMx…==
//	  TWILIO_AUTH_TOKEN: ZGFm…=
//
// The credential must sit under a credential name within the pairing
// radius, in the same YAML document, and not be taken by another SID;
// without one an Account SID is reported bare.
func (d *detector) findEncoded(buf []byte, p, e int, out []hit) []hit {
	sid, ok := decodeBase64(buf[p:e])
	sid = trimEOL(sid)
	if !ok || len(sid) != sidLen || !allClass(sid[2:], clHex) {
		return out
	}
	k := kindAccount
	if buf[p] == 'U' {
		k = kindKey
	}
	best, bestD := -1, pairRadius+1
	var secret []byte
	for vq := range assignments(buf, max(0, p-pairRadius), min(len(buf), e+pairRadius)) {
		q, v := valueToken(buf, vq)
		v = bytes.TrimRight(v, "=")
		if len(v) < encodedSecretLen || len(v) > encodedSecretLen+2 || abs(q-p) >= bestD || d.consumed[q] ||
			bytes.Contains(buf[min(p, q):max(p, q)], []byte("\n---")) {
			continue
		}
		dec, ok := decodeBase64(v)
		if dec = trimEOL(dec); !ok || len(dec) != secretLen || !valueAt(dec, 0, k) {
			continue
		}
		if ok, _ := credKey(keyBefore(buf, q), k); ok {
			best, bestD, secret = q, abs(q-p), dec
		}
	}
	ph := lowEntropy(sid[2:])
	if best >= 0 {
		d.consumed[best] = true
	}
	switch {
	case best >= 0 && k == kindAccount:
		return append(out, hit{rule: RuleAuthToken, pos: best, sidPos: p, accountSID: string(sid),
			secret: string(secret), placeholder: ph || lowEntropy(secret)})
	case best >= 0:
		h := hit{rule: RuleAPIKey, pos: best, sidPos: p, keySID: string(sid),
			secret: string(secret), placeholder: ph || lowEntropy(secret)}
		if a := d.nearestAccount(p); a >= 0 {
			h.accountSID = string(buf[d.sids[a].pos : d.sids[a].pos+sidLen])
		}
		return append(out, h)
	case k == kindAccount:
		return append(out, hit{rule: RuleAccountSID, pos: p, sidPos: p, accountSID: string(sid), placeholder: ph})
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// findSendGrid matches SG. + 22 + . + 43 characters of [A-Za-z0-9_-].
func findSendGrid(buf []byte, lo, hi int, starts []int, out []hit) []hit {
	const total = 3 + 22 + 1 + 43
	for _, p := range starts {
		if p < lo || p >= hi || p+total > len(buf) {
			continue
		}
		if p > 0 && (classTable[buf[p-1]]&clSG != 0 || buf[p-1] == '.') {
			continue
		}
		if !allClass(buf[p+3:p+25], clSG) || buf[p+25] != '.' || !allClass(buf[p+26:p+total], clSG) {
			continue
		}
		if p+total < len(buf) && (classTable[buf[p+total]]&clSG != 0) {
			continue
		}
		v := buf[p : p+total]
		ph := placeholderText(v) || lowEntropy(v[3:25]) || lowEntropy(v[26:]) ||
			bytes.Contains(bytes.ToLower(v), []byte("example"))
		out = append(out, hit{rule: RuleSendGrid, pos: p, sidPos: -1, secret: string(v), placeholder: ph})
	}
	return out
}

// csvHeaderAbove: a line within the 20 above p is a comma-separated header
// with a token or secret column (account_sid,auth_token).
func csvHeaderAbove(buf []byte, p int) bool {
	limit := p - pairRadius
	ls := lineStart(buf, p, limit)
	for n := 0; ls > max(limit, 0) && n < 20; n++ {
		prev := lineStart(buf, ls-1, limit)
		line := bytes.ToLower(buf[prev : ls-1])
		ls = prev
		if bytes.IndexByte(line, ',') < 0 {
			return false
		}
		if bytes.Contains(line, []byte("token")) || bytes.Contains(line, []byte("secret")) {
			return !deniedContext(line)
		}
	}
	return false
}

// namedKey is keyBefore, except that a generic slot name (value, default)
// defers to the name its object gives it: {"key": "password", "value": "…"}
// (Postman, many JSON key/value lists) or variable "auth_token" { default = "…" }.
func namedKey(buf []byte, q int) []byte {
	key := keyBefore(buf, q)
	if len(key) == 0 {
		return keyOnLineAbove(buf, q)
	}
	k := strings.ToLower(string(key))
	if k == "string" {
		return plistKey(buf, q, key)
	}
	if k == "--value" || k == "--body" || k == "-b" {
		if name, ok := flagName(buf, q, k); ok {
			return name
		}
	}
	if k != "value" && k != "default" {
		return key
	}
	if k == "value" {
		if name := yamlItemName(buf, q); name != nil {
			return name
		}
		if name := xmlValueName(buf, q); name != nil {
			return name
		}
	}
	from := max(0, q-300)
	open := bytes.LastIndexByte(buf[from:q], '{')
	if open < 0 {
		return key
	}
	open += from
	if k == "value" {
		obj := buf[open:q]
		for _, name := range [...]string{`"key"`, `"name"`} {
			if i := bytes.Index(obj, []byte(name)); i >= 0 {
				rest := bytes.TrimLeft(obj[i+len(name):], " \t:")
				if len(rest) > 0 && rest[0] == '"' {
					if e := bytes.IndexByte(rest[1:], '"'); e >= 0 {
						return rest[1 : 1+e]
					}
				}
			}
		}
		return objectName(buf, open, key)
	}
	// default = "…" inside variable "name" { … }
	head := bytes.TrimSpace(lineBefore(buf, open))
	if f := bytes.Fields(head); len(f) == 2 && string(f[0]) == "variable" {
		return bytes.Trim(f[1], `"`)
	}
	return objectName(buf, open, key)
}

// yamlItemName: in a YAML list of name/value mappings (a Kubernetes
// container's env, Helm values, Tekton params) the value is named by the
// name key of the same list item:
//
//	env:
//	  - name: TWILIO_AUTH_TOKEN
//	    value: "…"
//
// The value's line must hold only `value:` (after an optional "- "); the
// name is a key at the same column in the same item, above or below it
// (deeper lines, like a neighbour's valueFrom block, are skipped). It
// returns nil when the item has no such name.
func yamlItemName(buf []byte, q int) []byte {
	line := lineBefore(buf, q)
	ind := indentOf(line)
	rest, kcol := line[ind:], ind
	first := false // the value's line starts the item ("- value: …")
	if r, ok := bytes.CutPrefix(rest, []byte("- ")); ok {
		n := indentOf(r)
		rest, kcol, first = r[n:], ind+2+n, true
	}
	r, ok := bytes.CutPrefix(rest, []byte("value"))
	if !ok {
		return nil
	}
	r = bytes.TrimLeft(r, " \t")
	if len(r) == 0 || r[0] != ':' || len(bytes.Trim(r[1:], " \t\"'")) != 0 {
		return nil
	}
	const maxItemLines = 32
	ls := q - len(line)
	for n, e := 0, ls; !first && e > 0 && n < maxItemLines; n++ {
		s := lineStart(buf, e-1, e-1-512)
		name, stop := yamlItemKey(buf[s:e-1], kcol, false)
		if name != nil || stop {
			return name
		}
		e = s
	}
	for n, s := 0, q; n < maxItemLines; n++ {
		nl := bytes.IndexByte(buf[s:min(len(buf), s+512)], '\n')
		if nl < 0 {
			return nil
		}
		s += nl + 1
		e := min(len(buf), s+512)
		if le := bytes.IndexByte(buf[s:e], '\n'); le >= 0 {
			e = s + le
		}
		name, stop := yamlItemKey(buf[s:e], kcol, true)
		if name != nil || stop {
			return name
		}
	}
	return nil
}

// xmlValueName: .NET configuration files name a value in another
// attribute of its element, before or after it:
//
//	<add key="TwilioAuthToken" value="…" />
//	<add value="…" name="TwilioAuthToken" />
//
// or, in applicationSettings, in the <setting> element around <value>:
//
//	<setting name="TwilioAuthToken" serializeAs="String">
//	  <value>…</value>
//
// It returns nil for anything else.
func xmlValueName(buf []byte, q int) []byte {
	line := lineBefore(buf, q)
	lt := bytes.LastIndexByte(line, '<')
	if lt < 0 {
		return nil
	}
	ts := q - len(line) + lt // the tag's '<'
	if string(line[lt:]) == "<value>" {
		e := skipSpaceBack(buf, ts, 200)
		if e == 0 || buf[e-1] != '>' {
			return nil
		}
		open := bytes.LastIndexByte(buf[max(0, e-512):e], '<')
		if open < 0 {
			return nil
		}
		tag := buf[max(0, e-512)+open : e]
		if !bytes.HasPrefix(tag, []byte("<setting ")) {
			return nil
		}
		return xmlAttr(tag, "name")
	}
	if q == 0 || !isQuote(buf[q-1]) || bytes.IndexByte(line[lt:], '>') >= 0 {
		return nil // not inside an attribute value of an open tag
	}
	te := bytes.IndexByte(buf[q:min(len(buf), q+512)], '>')
	if te < 0 {
		return nil
	}
	tag := buf[ts : q+te]
	if name := xmlAttr(tag, "key"); name != nil {
		return name
	}
	return xmlAttr(tag, "name")
}

// xmlAttr is the value of attribute attr in tag (from '<' to before '>'), or nil.
func xmlAttr(tag []byte, attr string) []byte {
	for i := 0; i < len(tag); {
		j := bytes.Index(tag[i:], []byte(attr))
		if j < 0 {
			return nil
		}
		j += i
		i = j + len(attr)
		if j == 0 || (tag[j-1] != ' ' && tag[j-1] != '\t' && tag[j-1] != '\n' && tag[j-1] != '\r') {
			continue
		}
		r := bytes.TrimLeft(tag[i:], " \t")
		if len(r) == 0 || r[0] != '=' {
			continue
		}
		r = bytes.TrimLeft(r[1:], " \t")
		if len(r) == 0 || (r[0] != '"' && r[0] != '\'') {
			continue
		}
		if e := bytes.IndexByte(r[1:], r[0]); e > 0 {
			return r[1 : 1+e]
		}
		return nil
	}
	return nil
}

// yamlItemKey reads one line beside a list item's value key at column kcol:
// the name if the line is that item's `name:` key, stop when the line is
// outside the item (less indented, or another item's first line; going
// up, the item's own first line ends the search too).
func yamlItemKey(line []byte, kcol int, below bool) (name []byte, stop bool) {
	line = bytes.TrimRight(line, " \t\r")
	ind := indentOf(line)
	c, col := line[ind:], ind
	if len(c) == 0 || c[0] == '#' {
		return nil, false
	}
	dash := false
	if r, ok := bytes.CutPrefix(c, []byte("- ")); ok {
		n := indentOf(r)
		c, col, dash = r[n:], ind+2+n, true
	}
	switch {
	case col > kcol || (dash && ind >= kcol):
		return nil, false // inside a sibling key's block
	case col < kcol:
		return nil, true
	case dash && below:
		return nil, true // the next item
	}
	if r, ok := bytes.CutPrefix(c, []byte("name")); ok {
		r = bytes.TrimLeft(r, " \t")
		if len(r) > 0 && r[0] == ':' {
			v := bytes.TrimSpace(r[1:])
			if i := bytes.Index(v, []byte(" #")); i >= 0 {
				v = bytes.TrimSpace(v[:i])
			}
			return bytes.Trim(v, `"'`), true
		}
	}
	return nil, dash
}

// flagName: command lines that take the name and the value as separate
// arguments — `gh secret set NAME --body v` (or -b), `aws ssm put-parameter
// --name /app/twilio/auth_token --value v`. The value at q follows flag.
func flagName(buf []byte, q int, flag string) ([]byte, bool) {
	line := bytes.TrimRight(lineBefore(buf, q), " \t=\"'")
	if !bytes.HasSuffix(bytes.ToLower(line), []byte(flag)) ||
		flag == "-b" && !bytes.Contains(line, []byte("secret set")) { // gh's short --body
		return nil, false
	}
	before := bytes.Fields(line[:len(line)-len(flag)])
	// The name may also come after the value: --value v --name /app/twilio/auth_token.
	rest := buf[q:min(len(buf), q+512)]
	if e := bytes.IndexByte(rest, '\n'); e >= 0 {
		rest = rest[:e]
	}
	for _, args := range [][][]byte{before, bytes.Fields(rest)} {
		for i, a := range args {
			// A parameter path keeps its folders: /notify/twilio/auth_token
			// says Twilio where auth_token alone would not.
			if v, ok := bytes.CutPrefix(a, []byte("--name=")); ok {
				return bytes.Trim(v, "\"'"), true
			}
			if string(a) == "--name" && i+1 < len(args) {
				return bytes.Trim(args[i+1], "\"'"), true
			}
		}
	}
	// gh secret set NAME [--repo o/r] --body v: the last word before the
	// value that is neither a flag nor a flag's value.
	for i := len(before) - 1; i >= 0; i-- {
		if !bytes.HasPrefix(before[i], []byte("-")) && (i == 0 || !bytes.HasPrefix(before[i-1], []byte("-"))) {
			return bytes.Trim(before[i], "\"'"), true
		}
	}
	return nil, false
}

// objectName is the name of the object opening at open, as in Heroku's
// app.json ("TWILIO_AUTH_TOKEN": {"value": "…"}) or a JSON schema default,
// or key when the object has none.
func objectName(buf []byte, open int, key []byte) []byte {
	if name := keyBefore(buf, open); len(name) > 0 {
		return name
	}
	return key
}

// plistKey: in an Apple property list the name is the <key> element before
// the value's <string> element, often on the line above:
//
//	<key>TwilioAuthToken</key>
//	<string>…</string>
//
// Anything else keeps the key it was given.
func plistKey(buf []byte, q int, key []byte) []byte {
	const open = "<string>"
	e := q - len(open)
	if e < 0 || string(buf[e:q]) != open {
		return key
	}
	e = skipSpaceBack(buf, e, 200)
	const closeKey = "</key>"
	if e < len(closeKey) || string(buf[e-len(closeKey):e]) != closeKey {
		return key
	}
	e -= len(closeKey)
	from := max(0, e-64)
	s := bytes.LastIndex(buf[from:e], []byte("<key>"))
	if s < 0 {
		return key
	}
	return buf[from+s+len("<key>") : e]
}

// skipSpaceBack returns the position after the last non-space byte before
// i, looking back at most max bytes.
func skipSpaceBack(buf []byte, i, max int) int {
	for n := 0; i > 0 && n < max; i, n = i-1, n+1 {
		switch buf[i-1] {
		case ' ', '\t', '\r', '\n':
		default:
			return i
		}
	}
	return i
}

// keyOnLineAbove handles a value alone on its line under its key:
//
//	auth_token:
//	  "…"
//
// (YAML block style, also "key =" continued on the next line).
func keyOnLineAbove(buf []byte, q int) []byte {
	line := lineBefore(buf, q)
	if len(bytes.Trim(line, " \t\"'-")) != 0 {
		return nil
	}
	ls := q - len(line)
	if ls == 0 {
		return nil
	}
	prev := lineBefore(buf, ls-1)
	t := bytes.TrimRight(prev, " \t\r")
	if len(t) == 0 || (t[len(t)-1] != ':' && t[len(t)-1] != '=') {
		return nil
	}
	t = bytes.TrimRight(t[:len(t)-1], " \t")
	t = bytes.Trim(t, `"'`)
	i := len(t) - 1
	for i >= 0 && (classTable[t[i]]&clIdent != 0 || t[i] == '.' || t[i] == '-') {
		i--
	}
	return t[i+1:]
}
