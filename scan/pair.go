package scan

import (
	"bytes"
	"iter"
	"slices"
	"strings"
)

func (d *detector) pairAll(buf []byte, lo, hi int, out []hit) []hit {
	d.pairStructural(buf)
	// Names that carry the same qualifier belong together even when
	// another SID stands between them: configs often list every SID, then
	// every token (PROD_ACCOUNT_SID, DEV_ACCOUNT_SID, PROD_AUTH_TOKEN, …;
	// TWILIO_SUBACCOUNT_SID beside TWILIO_SUBACCOUNT_AUTH_TOKEN). Only
	// between competing SIDs; a lone SID is left to the distance rules.
	d.pairEach(buf, d.qualifiedValue)
	// Key names, API keys first so their secrets are not taken for auth tokens.
	d.pairEach(buf, d.keyedValue)
	// An Account SID next to an API key is that key's account, not bare.
	for i := range d.sids {
		s := &d.sids[i]
		if s.kind == kindKey && s.paired {
			if a := d.nearestAccount(s.pos); a >= 0 {
				d.sids[a].paired = true
			}
		}
	}
	// Placeholder credentials, only looked for when they will be reported.
	if d.includePlaceholders {
		for i := range d.sids {
			if s := &d.sids[i]; !s.paired {
				d.placeholderValue(buf, s)
			}
		}
	}
	d.markRepeats(buf)
	for i := range d.sids {
		if s := d.sids[i]; s.pos >= lo && s.pos < hi {
			out = d.emit(buf, s, out)
		}
	}
	return out
}

// pairStructural binds what binds strongest: SID:secret, positional args.
func (d *detector) pairStructural(buf []byte) {
	for i := range d.sids {
		s := &d.sids[i]
		if q, ok := adjacentValue(buf, s.pos+sidLen, s.kind); ok {
			d.bind(buf, s, q)
			continue
		}
		if q, ok := positionalValue(buf, s.pos, s.kind); ok {
			d.bind(buf, s, q)
			continue
		}
		if q, ok := bareArgValue(buf, s.pos, s.kind); ok {
			d.bind(buf, s, q)
		}
	}
}

// bareArgValue matches unquoted positional arguments on a command line:
// send.sh AC… 0a1b… +15551234567. The SID and the credential are words of
// their own, one run of blanks apart, the credential ends its word.
func bareArgValue(buf []byte, s int, k kind) (int, bool) {
	if s == 0 || (buf[s-1] != ' ' && buf[s-1] != '\t') {
		return 0, false
	}
	i := s + sidLen
	j := i
	for j < len(buf) && j-i < 8 && (buf[j] == ' ' || buf[j] == '\t') {
		j++
	}
	if j == i || !valueAt(buf, j, k) {
		return 0, false
	}
	if e := j + secretLen; e < len(buf) && buf[e] != ' ' && buf[e] != '\t' && buf[e] != '\n' && buf[e] != '\r' && buf[e] != '\\' {
		return 0, false
	}
	if deniedContext(lineBefore(buf, s)) {
		return 0, false
	}
	return j, true
}

// pairEach binds each unpaired SID, API keys first, to the credential find
// returns for it (-1: none).
func (d *detector) pairEach(buf []byte, find func(buf []byte, i int) int) {
	for _, k := range [...]kind{kindKey, kindAccount} {
		// Real SIDs first: a placeholder SID in a comment beside a real
		// one ($sid = "AC…"; //"ACXXXX…") must not take its token.
		for _, ph := range [...]bool{false, true} {
			for i := range d.sids {
				s := &d.sids[i]
				if s.kind != k || s.paired || s.placeholder != ph {
					continue
				}
				if q := find(buf, i); q >= 0 {
					d.bind(buf, s, q)
				}
			}
		}
	}
}

// markRepeats: a SID that has its credential somewhere in the buffer is not
// bare where it appears again (e.g. in a URL path beside its userinfo).
func (d *detector) markRepeats(buf []byte) {
	if d.pairedSIDs == nil {
		d.pairedSIDs = map[string]bool{}
	}
	clear(d.pairedSIDs)
	for _, o := range d.sids {
		if o.paired && o.tokPos >= 0 && !o.tokPH && o.kind == kindAccount {
			d.pairedSIDs[string(buf[o.pos:o.pos+sidLen])] = true
		}
	}
	if len(d.pairedSIDs) == 0 {
		return
	}
	for i := range d.sids {
		s := &d.sids[i]
		if s.kind == kindAccount && !s.paired && !s.placeholder && d.pairedSIDs[string(buf[s.pos:s.pos+sidLen])] {
			s.paired = true
		}
	}
}

// emit appends the hits of SID candidate s.
func (d *detector) emit(buf []byte, s sidCand, out []hit) []hit {
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
		h := hit{rule: RuleAuthToken, sidPos: s.pos, pos: s.phPos, secret: s.phSecret, placeholder: true, accountSID: sid}
		if s.kind == kindKey {
			h.rule, h.keySID, h.accountSID = RuleAPIKey, sid, ""
		}
		out = append(out, h)
	}
	return out
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
// after SID i (-1 if none within reach); a placeholder SID does not stand
// in a real one's way. A credential beyond a neighbour is
// nearer to that neighbour, so keyedValue looks only between them.
func (d *detector) neighbours(i int) (prev, next int) {
	s := d.sids[i]
	const reach = 3*pairRadius + sidLen
	prev, next = -1, -1
	competes := func(o sidCand) bool { return o.kind == s.kind && !o.paired && (s.placeholder || !o.placeholder) }
	for j := i - 1; j >= 0 && s.pos-d.sids[j].pos <= reach; j-- {
		if competes(d.sids[j]) {
			prev = j
			break
		}
	}
	for j := i + 1; j < len(d.sids) && d.sids[j].pos-s.pos <= reach; j++ {
		if competes(d.sids[j]) {
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
	for q := range d.values(buf, from, to, s.kind, true) {
		dist := weightedDist(s.pos, q)
		if dist >= bestD || (prev >= 0 && weightedDist(d.sids[prev].pos, q) < dist) ||
			(next >= 0 && weightedDist(d.sids[next].pos, q) < dist) {
			continue
		}
		if d.keyedAt(buf, s, q, from, dist, fs) {
			best, bestD = q, dist
		}
	}
	return best
}

// values yields the positions in buf[from:to) where a credential of kind k
// starts as a word of its own, not yet paired. With jsonEsc a value right
// after a JSON escape ("\nTOKEN" inside a JSON string) counts too.
func (d *detector) values(buf []byte, from, to int, k kind, jsonEsc bool) iter.Seq[int] {
	return func(yield func(int) bool) {
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
			if jsonEsc && j-p == secretLen+1 && p >= 1 && buf[p-1] == '\\' && (c == 'n' || c == 't' || c == 'r') {
				q = p + 1
			}
			p = j
			if j-q != secretLen || (q == start && !boundaryBefore(buf, q)) || !valueAt(buf, q, k) || d.consumed[q] {
				continue
			}
			if !yield(q) {
				return
			}
		}
	}
}

// keyedAt judges the credential at q for SID s by its key name and
// distance: in the near pass (fs nil) within the line limits, in the far
// pass beyond them by farValue's rules.
func (d *detector) keyedAt(buf []byte, s sidCand, q, from, dist int, fs *farScan) bool {
	key := namedKey(buf, q)
	f, known := d.keyFlags(key)
	ok, strong := credFlags(f, known, s.kind)
	if !ok && (!stemWord(key) || !sameStem(namedKey(buf, s.pos), key)) {
		return false
	}
	// A key that says Twilio is unambiguous whatever else the line holds
	// (heroku config:set TWILIO_AUTH_TOKEN=…); others yield to it.
	if f&wTwilio == 0 && deniedContext(lineBefore(buf, q)) {
		return false
	}
	near := false
	if q >= s.pos-pairRadius && q < s.pos+sidLen+pairRadius {
		lo, hi := min(s.pos, q), max(s.pos, q)
		lines := bytes.Count(buf[lo:hi], []byte{'\n'})
		near = lines <= maxStrongLines && (strong || lines <= maxGenericLines)
	}
	if fs == nil {
		return near && !sectionBarrier(buf, s.pos, q, max(from, s.pos-pairRadius), pairRadius, maxStrongLines)
	}
	return !near && d.farValue(buf, s.pos, q, dist, key, f, from, fs) // the near pass has judged the near ones
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
	name := namedKey(buf, s.pos)
	qual := keyQualifier(name)
	if len(name) == 0 {
		// Without a name there is no qualifier to agree on. With one but
		// no qualifier (TWILIO_ACCOUNT_SID beside TWILIO_SUBACCOUNT_SID),
		// the unqualified token is this SID's.
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
	for q := range d.values(buf, from, to, s.kind, false) {
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

// sameStem: the SID's name and the credential's differ only in the last
// word, sid against key, secret or token (validSid / validKey, prodSid /
// prodToken): a pair named as one, whatever the stem says. Letters and
// digits are compared case-insensitively, other bytes ignored.
func sameStem(sidKey, key []byte) bool {
	var a, b [64]byte
	x, y := foldAlnum(a[:0], sidKey), foldAlnum(b[:0], key)
	stem, ok := bytes.CutSuffix(x, []byte("sid"))
	if !ok || len(stem) == 0 || !bytes.HasPrefix(y, stem) {
		return false
	}
	switch string(y[len(stem):]) {
	case "key", "secret", "token":
		return true
	}
	return false
}

// foldAlnum appends the letters (lower-cased) and digits of b to dst, at
// most cap(dst) of them.
func foldAlnum(dst, b []byte) []byte {
	for _, c := range b {
		if len(dst) == cap(dst) {
			break
		}
		if isAlnum(c) {
			dst = append(dst, c|0x20*byte(boolInt(c >= 'A' && c <= 'Z')))
		}
	}
	return dst
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// stemWord: key ends in key, secret or token (any case), the only names
// sameStem can pair; checked first because it costs nothing.
func stemWord(key []byte) bool {
	for _, w := range [...]string{"key", "secret", "token"} {
		if len(key) >= len(w) && strings.EqualFold(string(key[len(key)-len(w):]), w) {
			return true
		}
	}
	return false
}
