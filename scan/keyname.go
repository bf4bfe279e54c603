package scan

import (
	"bytes"
	"strings"
)

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
	i := opBefore(line)
	if i < -1 {
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

// opBefore skips back from the end of line over the value's opening quotes,
// spaces and up to three assignment operators (=:>(,{?|;, the last for name;value;description rows), and returns the
// index before them; -2 when neither an operator nor a space is there.
func opBefore(line []byte) int {
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
	for i >= 0 && ops < 3 && strings.IndexByte("=:>(,{?|;", line[i]) >= 0 {
		i--
		ops++
	}
	if ops == 0 && !hadSpace {
		return -2
	}
	return i
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
