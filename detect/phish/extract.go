package phish

import (
	"net/netip"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// maxLinks bounds the work spent on one body: a message with more links than
// this is already unusual, and a huge body must not cost unbounded time.
const maxLinks = 64

// Link is one URL found in a text.
type Link struct {
	// URL is the link as it appears in the text after de-obfuscation
	// (hxxp → http, [.] → .), trailing punctuation removed.
	URL string
	// Scheme is "http" or "https", or "" for a schemeless link (paypal.com/x).
	Scheme   string
	Userinfo string // the part before '@' in the authority (https://paypal.com@evil.tld)
	// Host is lower-case ASCII: a domain name (IDN labels in punycode) or an
	// IP address in canonical form; no brackets, no port.
	Host string
	Port string
	// Path is path, query and fragment, percent-decoded when that is valid.
	Path string
	// Unicode is the host with IDN labels decoded, when it has any.
	Unicode string
	IP      netip.Addr // set when the host is an IP literal
	// IPForm says how an IP host was written: dotted, decimal, hex, octal,
	// short (127.1) or ipv6.
	IPForm string
	// Obfuscated is set when the link was defanged or hidden in the text
	// (hxxp, [.], " dot ", zero-width or bidi control characters, ideographic dots).
	Obfuscated bool
	// Malformed is set when the scheme was written wrongly (http:/x,
	// http/x, a scheme glued to a word) but the host is real.
	Malformed bool
	// FileLike marks a schemeless name.ext whose extension is both a TLD and
	// a common file extension (setup.py, notes.md): it counts only when it
	// impersonates a brand.
	FileLike bool
}

// Extract returns the links in text, in order of appearance. It never fetches
// anything and never panics on any input.
func Extract(text string) []Link {
	if !mayHaveLink(text) {
		return nil
	}
	norm, marks := deobfuscate(text)
	links := make([]Link, 0, 2)
	pending := "" // a lone "http://" waiting for its host in the next token
	i := 0
	for i < len(norm) && len(links) < maxLinks {
		// Skip separators.
		if size := separatorAt(norm, i); size > 0 {
			i += size
			continue
		}
		start := i
		for i < len(norm) && separatorAt(norm, i) == 0 {
			if norm[i] < utf8.RuneSelf {
				i++
			} else {
				_, size := utf8.DecodeRuneInString(norm[i:])
				i += size
			}
		}
		tok := norm[start:i]
		if scheme := pending; scheme != "" {
			pending = ""
			if l, off, ok := parseWithScheme(tok, scheme); ok {
				l.Obfuscated = marked(marks, start+off, start+off+len(l.URL))
				links = append(links, l)
				continue
			}
		}
		if !hasInnerDot(tok) && !hasHTTP(tok) {
			continue // "hold." ends a sentence
		}
		l, off, ok, pend := parseToken(tok)
		if pend != "" {
			pending = pend
			continue
		}
		if !ok {
			continue
		}
		l.Obfuscated = marked(marks, start+off, start+off+len(l.URL))
		links = append(links, l)
	}
	return links
}

// mayHaveLink is the cheap prefilter: most SMS bodies (codes, chit-chat)
// have no "x.y" at all and skip every other step. A full stop followed by a
// space or the end of the text is a sentence, not a host.
func mayHaveLink(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '.':
			if i > 0 && i+1 < len(s) && dotBefore(s[i-1]) && dotAfter(s[i+1]) {
				return true
			}
		case ':':
			if i+2 < len(s) && s[i+1] == '/' && s[i+2] == '/' {
				return true
			}
		case 'd', 'D':
			if i+3 <= len(s) && (s[i+1] == 'o' || s[i+1] == 'O') && (s[i+2] == 't' || s[i+2] == 'T') {
				return true // " dot ", "[dot]"
			}
		case 0xe3, 0xef:
			if isWideDot(s[i:]) {
				return true
			}
		}
	}
	return false
}

// dotBefore and dotAfter report a host character, or the bracket of a
// defanged "[.]", before and after a dot.
func dotBefore(c byte) bool { return linkByte(c) || c == '[' || c == '(' || c == '{' }

func dotAfter(c byte) bool { return linkByte(c) || c == ']' || c == ')' || c == '}' }

// isWideDot reports an ideographic or full-width dot at the start of s:
// label separators in IDNA.
func isWideDot(s string) bool {
	return strings.HasPrefix(s, "\u3002") || strings.HasPrefix(s, "\uff0e") || strings.HasPrefix(s, "\uff61")
}

// hasHTTP reports "http" in any case: a scheme, perhaps malformed.
func hasHTTP(tok string) bool {
	for i := 0; i+4 <= len(tok); i++ {
		if (tok[i] == 'h' || tok[i] == 'H') && strings.EqualFold(tok[i:i+4], "http") {
			return true
		}
	}
	return false
}

// hasInnerDot reports a dot with a host character on both sides.
func hasInnerDot(tok string) bool {
	for i := 1; i+1 < len(tok); i++ {
		if tok[i] == '.' && linkByte(tok[i-1]) && linkByte(tok[i+1]) {
			return true
		}
	}
	return false
}

// linkByte reports bytes that may stand beside a dot inside a host name.
func linkByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c >= 0x80
}

// separatorAt returns the size of the separator rune at s[i], or 0.
func separatorAt(s string, i int) int {
	c := s[i]
	if c < utf8.RuneSelf {
		if c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == '"' || c == '`' {
			return 1
		}
		return 0
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	if isSeparator(r) {
		return size
	}
	return 0
}

func isSeparator(r rune) bool {
	switch r {
	case '<', '>', '"', '`', '«', '»', '“', '”', '„', '‘', '’', '\u2039', '\u203a', utf8.RuneError:
		return true
	}
	return unicode.IsSpace(r) || unicode.IsControl(r)
}

// span is a stretch of the de-obfuscated text that was rewritten; a
// deletion is an empty span.
type span struct{ a, b int }

func marked(marks []span, s, e int) bool {
	for _, m := range marks {
		if m.a == m.b {
			// A character deleted inside or at either end of the link
			// (an RTL override wrapping it).
			if m.a >= s && m.a <= e {
				return true
			}
			continue
		}
		if m.a < e && m.b > s {
			return true
		}
	}
	return false
}

// deobfuscate undoes the usual defanging (hxxp, [.], (dot), " dot ") and
// drops invisible characters, recording where it changed the text. It
// allocates only when something changes.
func deobfuscate(s string) (string, []span) {
	if !needsDeobfuscation(s) {
		return s, nil
	}
	d := deobfuscator{s: s}
	for i := 0; i < len(s); {
		c := s[i]
		n := 0
		switch {
		case c == 'h' || c == 'H':
			n = d.hxxp(i)
		case c == '[' || c == '(' || c == '{':
			n = d.bracket(i)
		case c == ' ':
			n = d.spelledDot(i)
		case c >= 0x80:
			i += d.wide(i)
			continue
		}
		if n > 0 {
			i += n
			continue
		}
		if d.out != nil {
			d.out = append(d.out, c)
		}
		i++
	}
	if d.out == nil {
		return s, nil
	}
	return string(d.out), d.marks
}

// deobfuscator is deobfuscate's state: out stays nil until the first change.
type deobfuscator struct {
	s     string
	out   []byte
	marks []span
}

// emit writes repl in place of the text from s[from].
func (d *deobfuscator) emit(repl string, from int) {
	d.start(from)
	a := len(d.out)
	d.out = append(d.out, repl...)
	d.marks = append(d.marks, span{a, len(d.out)})
}

// start copies s up to from into out, on the first change.
func (d *deobfuscator) start(from int) {
	if d.out == nil {
		d.out = append(make([]byte, 0, len(d.s)), d.s[:from]...)
	}
}

// prevByte is the byte written before s[i], or 0.
func (d *deobfuscator) prevByte(i int) byte {
	if d.out != nil {
		if len(d.out) == 0 {
			return 0
		}
		return d.out[len(d.out)-1]
	}
	if i == 0 {
		return 0
	}
	return d.s[i-1]
}

// hxxp rewrites "hxxp" at s[i] and returns the bytes it took, or 0.
func (d *deobfuscator) hxxp(i int) int {
	s := d.s
	if i+4 <= len(s) && strings.EqualFold(s[i+1:i+3], "xx") && (s[i+3] == 'p' || s[i+3] == 'P') {
		d.emit("http", i)
		return 4
	}
	return 0
}

// bracket rewrites a bracketed "[.]", "(dot)" at s[i] and returns the bytes
// it took, or 0.
func (d *deobfuscator) bracket(i int) int {
	repl, n := bracketed(d.s[i:])
	if n == 0 || repl != "." {
		if n > 0 {
			d.emit(repl, i)
		}
		return n
	}
	// "paypal [.] com": the spaces around the defanged dot go too.
	d.start(i)
	for len(d.out) > 0 && d.out[len(d.out)-1] == ' ' {
		d.out = d.out[:len(d.out)-1]
	}
	d.emit(repl, i)
	j := i + n
	for j < len(d.s) && d.s[j] == ' ' {
		j++
	}
	return j - i
}

// spelledDot rewrites " dot " at s[i] between two word characters
// ("paypal dot com") and returns the bytes it took, or 0.
func (d *deobfuscator) spelledDot(i int) int {
	s := d.s
	if i+5 <= len(s) && strings.EqualFold(s[i+1:i+4], "dot") && s[i+4] == ' ' &&
		isWordByte(d.prevByte(i)) && i+5 < len(s) && isWordByte(s[i+5]) {
		d.emit(".", i)
		return 5
	}
	return 0
}

// wide handles the rune at s[i], not ASCII: wide dots become ".",
// invisible characters go. It returns the rune's size.
func (d *deobfuscator) wide(i int) int {
	r, size := utf8.DecodeRuneInString(d.s[i:])
	switch {
	case r == '\u3002' || r == '\uff0e' || r == '\uff61':
		d.emit(".", i)
	case isInvisible(r):
		d.emit("", i)
	case d.out != nil:
		d.out = append(d.out, d.s[i:i+size]...)
	}
	return size
}

// needsDeobfuscation is deobfuscate's fast path: nothing it rewrites can
// occur without one of these bytes.
func needsDeobfuscation(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '[' || c == '(' || c == '{' || c >= 0x80:
			return true
		case (c == 'h' || c == 'H') && i+1 < len(s) && (s[i+1] == 'x' || s[i+1] == 'X'):
			return true
		case c == ' ' && i+1 < len(s) && (s[i+1] == 'd' || s[i+1] == 'D'):
			return true
		}
	}
	return false
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
}

// isInvisible reports zero-width and bidi control characters, which hide or
// reorder parts of a link (RTL override) and which browsers drop or reject.
func isInvisible(r rune) bool {
	switch {
	case r == '\u00ad', r >= '\u200b' && r <= '\u200f', r >= '\u202a' && r <= '\u202e',
		r >= '\u2060' && r <= '\u2064', r >= '\u2066' && r <= '\u2069', r == '\ufeff':
		return true
	}
	return false
}

// bracketed recognises "[.]", "(dot)", "{.}", "[:]", "[://]", "[/]" at the
// start of s and returns the replacement and the length consumed.
func bracketed(s string) (string, int) {
	open := s[0]
	var closer byte
	switch open {
	case '[':
		closer = ']'
	case '(':
		closer = ')'
	default:
		closer = '}'
	}
	limit := min(len(s), 8)
	j := strings.IndexByte(s[1:limit], closer)
	if j < 0 {
		return "", 0
	}
	inner := strings.TrimSpace(s[1 : 1+j])
	switch {
	case inner == "." || strings.EqualFold(inner, "dot"):
		return ".", j + 2
	case inner == ":" && open == '[':
		return ":", j + 2
	case inner == "://" || inner == ":/":
		return "://", j + 2
	case inner == "/" && open == '[':
		return "/", j + 2
	}
	return "", 0
}

// trailing punctuation that ends a sentence rather than a URL.
func trimTrailing(s string) string {
	for len(s) > 0 {
		c := s[len(s)-1]
		switch c {
		case '.', ',', ';', ':', '!', '?', '\'', '*', '_', '~':
			s = s[:len(s)-1]
			continue
		case ')', ']', '}':
			open := byte('(')
			if c == ']' {
				open = '['
			} else if c == '}' {
				open = '{'
			}
			if strings.Count(s, string(open)) < strings.Count(s, string(c)) {
				s = s[:len(s)-1]
				continue
			}
		}
		if c >= 0x80 {
			r, size := utf8.DecodeLastRuneInString(s)
			if unicode.IsPunct(r) || unicode.IsSymbol(r) || r == utf8.RuneError {
				s = s[:len(s)-size]
				continue
			}
		}
		break
	}
	return s
}

// parseToken finds a link in one whitespace-delimited token and returns it
// with its offset inside the token. A token that is only a scheme
// ("http://" before "1.2.3.4") returns the scheme as pending: the next
// token is its host.
func parseToken(tok string) (l Link, off int, ok bool, pending string) {
	if sc, ok := findScheme(tok); ok {
		if sc.rest == len(tok) {
			return Link{}, 0, false, sc.scheme
		}
		raw := trimTrailing(tok[sc.start:])
		if len(raw) <= sc.rest-sc.start {
			return Link{}, 0, false, ""
		}
		l, ok := parseAuthority(raw, raw[sc.rest-sc.start:], sc.scheme)
		if ok && !sc.exact {
			l.Malformed = true
			ok = plausibleHost(l)
		}
		return l, sc.start, ok, ""
	}
	if idx := strings.Index(tok, "://"); idx >= 0 {
		j := idx
		for j > 0 && isASCIILetter(tok[j-1]) {
			j--
		}
		if j != idx {
			return Link{}, 0, false, "" // ftp://, file://: not a web link
		}
		// "://x" with no scheme letters: schemeless.
		l, o, ok := parseSchemeless(tok[idx+3:])
		return l, idx + 3 + o, ok, ""
	}
	l, off, ok = parseSchemeless(tok)
	return l, off, ok, ""
}

// parseWithScheme parses the token after a lone "http://": its host.
func parseWithScheme(tok, scheme string) (Link, int, bool) {
	off := 0
	for off < len(tok) && !isHostRune(rune(tok[off])) && tok[off] < utf8.RuneSelf {
		off++
	}
	raw := trimTrailing(tok[off:])
	if raw == "" {
		return Link{}, 0, false
	}
	l, ok := parseAuthority(raw, raw, scheme)
	if !ok {
		return Link{}, 0, false
	}
	l.Malformed = true
	return l, off, plausibleHost(l)
}

// schemeAt is a web scheme found in a token: where it starts, where the
// host starts, and whether it was written as the standard "scheme://".
type schemeAt struct {
	start, rest int
	scheme      string
	exact       bool
}

// findScheme finds "http" or "https" (any case, glued to a preceding word
// as in "experiencehttp://") followed by a separator: "://", or one of the
// broken forms phishers and typing slips produce, which browsers and
// phones still open ("http:/x", "http:///x", "http:l/x", "http/x",
// "http:x", "http:\\x").
func findScheme(tok string) (schemeAt, bool) {
	for i := 0; i+4 <= len(tok); i++ {
		if tok[i] != 'h' && tok[i] != 'H' || !strings.EqualFold(tok[i:i+4], "http") {
			continue
		}
		k := i + 4
		scheme := "http"
		if k < len(tok) && (tok[k] == 's' || tok[k] == 'S') {
			k++
			scheme = "https"
		}
		if k < len(tok) && isASCIILetter(tok[k]) {
			continue // "https" inside "httpserver"
		}
		if rest, exact, ok := schemeSeparator(tok, k); ok {
			return schemeAt{start: i, rest: rest, scheme: scheme, exact: exact}, true
		}
	}
	return schemeAt{}, false
}

// schemeSeparator reads the separator after a scheme at tok[k:] and
// returns where the host starts.
func schemeSeparator(tok string, k int) (int, bool, bool) {
	if strings.HasPrefix(tok[k:], "://") {
		j := k + 3
		for j < len(tok) && (tok[j] == '/' || tok[j] == '\\') {
			j++
		}
		return j, j == k+3, true
	}
	colon := k < len(tok) && (tok[k] == ':' || tok[k] == ';')
	j := k
	if colon {
		j++
	}
	slashes := 0
	for n := 0; j < len(tok) && n < 4; n++ {
		c := tok[j]
		switch {
		case c == '/' || c == '\\':
			slashes++
		case (c == 'l' || c == 'I' || c == '|') && j+1 < len(tok) && (tok[j+1] == '/' || tok[j+1] == '\\') && colon:
			// "http:l/x": a slash typed as a look-alike letter.
		default:
			n = 4
			continue
		}
		j++
	}
	if !colon && slashes == 0 {
		return 0, false, false
	}
	return j, false, true
}

// plausibleHost guards links whose scheme was malformed: the host must be a
// dotted IPv4 address or a name under a real top-level domain, so that
// "HTTP/1.1" or "http/2" are not links.
func plausibleHost(l Link) bool {
	if l.IP.IsValid() {
		return l.IPForm == "dotted"
	}
	i := strings.LastIndexByte(l.Host, '.')
	if i < 0 {
		return false
	}
	last := l.Host[i+1:]
	_, icann := publicsuffix.PublicSuffix(last)
	return icann && (allLetters(last) || strings.HasPrefix(last, "xn--"))
}

func parseSchemeless(tok string) (Link, int, bool) {
	off := 0
	for off < len(tok) {
		r, size := utf8.DecodeRuneInString(tok[off:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			break
		}
		off += size
	}
	raw := trimTrailing(tok[off:])
	if raw == "" {
		return Link{}, 0, false
	}
	// "Here:1200cash.com/", "Visit:www.x.com": a word glued to the link by
	// a colon. A colon after the first dot is a port (paypal.com:8080).
	if c := strings.IndexByte(raw, ':'); c > 0 && c+1 < len(raw) && !strings.Contains(raw[:c], ".") &&
		!strings.ContainsAny(raw[:c], "/@") && !allDigitsUntilPath(raw[c+1:]) {
		off += c + 1
		raw = raw[c+1:]
	}
	// An e-mail address is not a link; "paypal.com@evil.tld/x" is.
	if at := strings.IndexByte(raw, '@'); at >= 0 {
		slash := strings.IndexAny(raw, "/?#")
		if slash < 0 || slash < at {
			return Link{}, 0, false
		}
	}
	l, ok := parseAuthority(raw, raw, "")
	return l, off, ok
}

// parseAuthority parses userinfo@host:port/path from rest; raw is the whole
// link text, ending with rest.
func parseAuthority(raw, rest, scheme string) (Link, bool) {
	l := Link{Scheme: scheme}
	base := len(raw) - len(rest)
	authEnd := strings.IndexAny(rest, "/?#\\")
	if authEnd < 0 {
		authEnd = len(rest)
	}
	auth := rest[:authEnd]
	hostStart := 0
	if at := strings.LastIndexByte(auth, '@'); at >= 0 {
		l.Userinfo = auth[:at]
		hostStart = at + 1
	}
	hauth := auth[hostStart:]
	hostEnd, ok := hostLen(hauth, scheme)
	if !ok {
		return Link{}, false
	}
	hostPart := hauth[:hostEnd]
	q := hostStart + hostEnd // end of host (and port) in rest
	// "http://bank:netbank.com": a word and a colon in front of the real
	// host, which is what the reader sees and what the phisher registered.
	if tail := hauth[hostEnd:]; strings.HasPrefix(tail, ":") && !strings.Contains(hostPart, ".") &&
		!allDigitsUntilPath(tail[1:]) {
		if l2, ok := parseAuthority(raw, rest[q+1:], scheme); ok && strings.Contains(l2.Host, ".") {
			return l2, true
		}
	}
	if tail := hauth[hostEnd:]; strings.HasPrefix(tail, ":") {
		n, ok := portLen(tail)
		if !ok {
			return Link{}, false
		}
		if n > 1 {
			l.Port = tail[1:n]
			q += n
		}
	}
	if q == authEnd {
		l.URL = raw
		if authEnd < len(rest) {
			p := rest[authEnd:]
			if dec, err := url.PathUnescape(p); err == nil && utf8.ValidString(dec) {
				p = dec
			}
			l.Path = p
		}
	} else {
		// Running text glued to the host: the link is just the host.
		l.URL = trimTrailing(raw[:base+q])
	}
	host, ok := cleanHost(&l, hostPart, scheme != "", l.Path != "" || l.Port != "")
	if !ok {
		return Link{}, false
	}
	l.Host = host
	return l, true
}

// hostLen returns the length of the host at the start of hauth: up to the
// bracket of an IPv6 address (only with a scheme), else up to the port or
// the first character that cannot be in a host name ("paypal.com,then" in
// running text).
func hostLen(hauth, scheme string) (int, bool) {
	if strings.HasPrefix(hauth, "[") {
		rb := strings.IndexByte(hauth, ']')
		if rb < 0 || scheme == "" {
			return 0, false
		}
		return rb + 1, true
	}
	for k := 0; k < len(hauth); {
		r, size := utf8.DecodeRuneInString(hauth[k:])
		if r == ':' || !isHostRune(r) {
			return k, true
		}
		k += size
	}
	return len(hauth), true
}

// portLen returns the length of ":port" at the start of tail, 1 when no
// digits follow the colon; not ok for a port out of range.
func portLen(tail string) (int, bool) {
	p := 1
	for p < len(tail) && tail[p] >= '0' && tail[p] <= '9' {
		p++
	}
	if p > 1 && (p-1 > 5 || atoi(tail[1:p]) > 65535) {
		return 0, false
	}
	return p, true
}

// allDigitsUntilPath reports a port: digits up to the path or the end.
func allDigitsUntilPath(s string) bool {
	end := strings.IndexAny(s, "/?#\\")
	if end < 0 {
		end = len(s)
	}
	for i := 0; i < end; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return end > 0
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func isHostRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '-' || r == '.' || r == '_' || r == '%'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r)
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// cleanHost validates and normalises a host. Schemeless hosts must end in
// an ICANN top-level domain so that "3.5", "e.g." or "report.pdf" are not links.
func cleanHost(l *Link, h string, hasScheme, hasPathOrPort bool) (string, bool) {
	if strings.HasPrefix(h, "[") {
		return ipv6Host(l, h)
	}
	if strings.IndexByte(h, '%') >= 0 {
		if !hasScheme {
			return "", false
		}
		dec, err := url.PathUnescape(h)
		if err != nil || !utf8.ValidString(dec) {
			return "", false
		}
		h = dec
	}
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253*4 {
		return "", false
	}
	if looksNumeric(h) {
		return ipv4Host(l, h, hasScheme, hasPathOrPort)
	}
	ascii, ok := domainHost(l, h, hasScheme)
	if !ok || !hasScheme && !schemelessDomain(l, h, ascii, hasPathOrPort) {
		return "", false
	}
	return ascii, true
}

// ipv6Host takes a bracketed IPv6 address, without a zone.
func ipv6Host(l *Link, h string) (string, bool) {
	a, err := netip.ParseAddr(strings.Trim(h, "[]"))
	if err != nil || a.Zone() != "" {
		return "", false
	}
	l.IP, l.IPForm = a, "ipv6"
	return a.String(), true
}

// ipv4Host takes an IPv4 address in any form browsers accept; without a
// scheme, only dotted and with a path or port.
func ipv4Host(l *Link, h string, hasScheme, hasPathOrPort bool) (string, bool) {
	a, form, ok := parseIPv4(h)
	if !ok {
		return "", false
	}
	if !hasScheme && (form != "dotted" || !hasPathOrPort) {
		return "", false
	}
	l.IP, l.IPForm = a, form
	return a.String(), true
}

// domainHost returns a domain name's lower-case ASCII form, recording its
// Unicode form in l.
func domainHost(l *Link, h string, hasScheme bool) (string, bool) {
	ascii := strings.ToLower(h)
	if !isASCII(ascii) {
		a, err := idna.Lookup.ToASCII(h)
		if err != nil {
			return "", false
		}
		ascii = a
		l.Unicode = strings.ToLower(h)
	}
	if !validDomain(ascii) {
		return "", false
	}
	if strings.Contains(ascii, "xn--") {
		u, err := idna.Lookup.ToUnicode(ascii)
		if err != nil {
			if !hasScheme {
				return "", false
			}
		} else if u != ascii {
			l.Unicode = u
		}
	}
	return ascii, true
}

// schemelessDomain reports whether a domain written without a scheme is a
// link, not prose, and marks one that looks like a file name.
func schemelessDomain(l *Link, h, ascii string, hasPathOrPort bool) bool {
	if !strings.Contains(ascii, ".") {
		return false // "now." at the end of a sentence
	}
	last := ascii[strings.LastIndexByte(ascii, '.')+1:]
	if strings.HasPrefix(ascii, "www.") && strings.Count(ascii, ".") >= 2 && allLetters(last) && len(last) >= 2 {
		return true
	}
	if _, icann := publicsuffix.PublicSuffix(last); !icann || !allLetters(strings.TrimPrefix(last, "xn--")) && !strings.HasPrefix(last, "xn--") {
		return false
	}
	// "today.Click": a missing space after a full stop, not a domain.
	origLast := h[strings.LastIndexByte(h, '.')+1:]
	if !hasPathOrPort && len(origLast) > 1 && isUpper(origLast[0]) && strings.ToLower(origLast[1:]) == origLast[1:] {
		return false
	}
	if !hasPathOrPort && strings.Count(ascii, ".") == 1 && isFileExtension(last) &&
		(!busyDomainTLD(last) || fileStem(h[:strings.IndexByte(h, '.')])) {
		l.FileLike = true
	}
	return true
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func allLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isASCIILetter(s[i]) {
			return false
		}
	}
	return s != ""
}

// validDomain checks an ASCII host name: labels of letters, digits, '-' and
// '_' (seen in real hosts), 1–63 bytes each, 253 in all.
func validDomain(h string) bool {
	if len(h) == 0 || len(h) > 253 || strings.Count(h, ".") == 0 && !strings.HasPrefix(h, "localhost") {
		return len(h) > 0 && len(h) <= 63 && labelOK(h)
	}
	for label := range strings.SplitSeq(h, ".") {
		if !labelOK(label) {
			return false
		}
	}
	return true
}

func labelOK(label string) bool {
	if len(label) == 0 || len(label) > 63 {
		return false
	}
	for i := 0; i < len(label); i++ {
		c := label[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// ValidHost reports whether h is a host Extract may return: an IP address in
// canonical form or a lower-case ASCII domain name.
func ValidHost(h string) bool {
	if a, err := netip.ParseAddr(h); err == nil {
		return a.String() == h
	}
	return validDomain(h)
}

// busyDomainTLD reports file-extension TLDs where real sites, and phishing
// (Poland's .pl, .ai, .cc, Serbia's .rs, .ml), are common enough that a bare
// name.tld is a domain unless its stem reads like a file name.
func busyDomainTLD(tld string) bool {
	switch tld {
	case "pl", "ai", "cc", "rs", "ml":
		return true
	}
	return false
}

// fileStem reports the stem of a file name rather than of a domain:
// snake_case, CamelCase, very short, or a word programmers name files by.
func fileStem(stem string) bool {
	if len(stem) < 3 || strings.ContainsRune(stem, '_') {
		return true
	}
	for i := 1; i < len(stem); i++ {
		if isUpper(stem[i]) && stem[i-1] >= 'a' && stem[i-1] <= 'z' {
			return true
		}
	}
	switch strings.ToLower(stem) {
	case "main", "lib", "mod", "build", "setup", "index", "test", "tests", "util", "utils", "config",
		"script", "install", "run", "foo", "bar", "app", "model", "train", "data", "server", "client",
		"makefile", "readme", "cargo", "module", "common", "helper", "helpers", "types", "parser":
		return true
	}
	return false
}

// isFileExtension reports TLDs that are more often file names in messages.
func isFileExtension(tld string) bool {
	switch tld {
	case "md", "py", "sh", "zip", "mov", "rs", "pl", "ps", "cc", "so", "gz", "ai", "cs", "ml", "pm", "ts", "sql", "csv":
		return true
	}
	return false
}
