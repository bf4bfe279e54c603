package scan

import (
	"slices"
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
	tok                 []int        // where the k of "token" (any case) is
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
	if d.consumed == nil {
		d.consumed = map[int]bool{}
	}
	if len(d.sids) == 0 && len(d.b64) == 0 {
		clear(d.consumed)
	}
	out = d.findLoneTokens(buf, lo, hi, out)
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
		ph := lowEntropy(body) || string(body) == md5OfNothing || exampleKey(keyBefore(buf, p)) ||
			twilioExample(buf, p, k)
		out = append(out, sidCand{pos: p, kind: k, placeholder: ph, tokPos: -1})
	case placeholderSIDBody(body):
		out = append(out, sidCand{pos: p, kind: k, placeholder: true, tokPos: -1})
	}
	return out
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

func (d *detector) bind(buf []byte, s *sidCand, q int) {
	s.paired = true
	s.tokPos = q
	s.secret = string(buf[q : q+secretLen])
	s.tokPH = lowEntropy(buf[q : q+secretLen])
	d.consumed[q] = true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// accountNear: an Account SID (not a placeholder) is within 2*farRadius
// of p, as far as any pairing looks; the engine's windows keep that much
// context, so the answer is the same however the item is read. d.sids is
// sorted by position.
func (d *detector) accountNear(p int) bool {
	i, _ := slices.BinarySearchFunc(d.sids, p-2*farRadius, func(s sidCand, p int) int { return s.pos - p })
	for ; i < len(d.sids) && d.sids[i].pos <= p+2*farRadius; i++ {
		if s := d.sids[i]; s.kind == kindAccount && !s.placeholder {
			return true
		}
	}
	return false
}
