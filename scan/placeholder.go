package scan

import (
	"bytes"
	"iter"
	"strings"
)

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

// twilioDocSIDs recur across Twilio's SDK test fixtures and documentation
// (twilio-node's AccessToken and ValidationToken specs, the docs' samples):
// examples, wherever they appear.
var twilioDocSIDs = [...]string{
	"SKb5aed9ca12bf5890f37930e63cad6d38",
}

// twilioExample: the SID at p is one of Twilio's documented examples: a
// fixture SID, or an API key in the docs' example response for creating
// a key ("friendly_name": "User Joey", in JSON or as <FriendlyName> XML).
func twilioExample(buf []byte, p int, k kind) bool {
	sid := buf[p : p+sidLen]
	for _, d := range twilioDocSIDs {
		if string(sid) == d {
			return true
		}
	}
	if k != kindKey {
		return false
	}
	return bytes.Contains(buf[max(0, p-512):min(len(buf), p+sidLen+512)], []byte("User Joey"))
}
