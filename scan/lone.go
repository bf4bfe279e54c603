package scan

import "bytes"

// findLoneTokens reports an auth token named as a Twilio auth token
// (auth_token = '…', TWILIO_AUTH_TOKEN: …) that no SID in the buffer took:
// the Account SID comes from elsewhere (the environment), and the token
// alone is still a leak (issue 18; gitleaks' generic rule reports it too).
// A name that does not say Twilio counts only in a buffer that does.
// Only where no Account SID is within pairing reach: there pairing decides.
func (d *detector) findLoneTokens(buf []byte, lo, hi int, out []hit) []hit {
	twilio := -1 // unknown until a candidate needs it
	for _, m := range d.tok {
		if m < lo || m >= hi {
			continue
		}
		q, key := tokenAfterName(buf, m)
		if q < 0 || q < lo || q >= hi || d.consumed[q] || d.accountNear(q) {
			continue
		}
		f, known := d.keyFlags(key)
		if ok, _ := credFlags(f, known, kindAccount); !ok || f&wAuth == 0 && f&wTwilio == 0 || f&wAPI != 0 {
			continue
		}
		if f&wTwilio == 0 && deniedContext(lineBefore(buf, q)) {
			continue
		}
		if f&wTwilio == 0 {
			if twilio < 0 {
				twilio = 0
				if containsTwilio(buf) {
					twilio = 1
				}
			}
			if twilio == 0 {
				continue
			}
		}
		d.consumed[q] = true
		v := buf[q : q+secretLen]
		out = append(out, hit{rule: RuleLoneAuthToken, pos: q, sidPos: -1, secret: string(v), placeholder: lowEntropy(v)})
	}
	return out
}

// tokenAfterName: the identifier around m (a name holding "token") and
// the 32-hex value assigned to it on the same line (name = "…", name: …,
// "name": "…"), or -1.
func tokenAfterName(buf []byte, m int) (int, []byte) {
	s, e := m, m
	for s > 0 && classTable[buf[s-1]]&clIdent != 0 {
		s--
	}
	for e < len(buf) && classTable[buf[e]]&clIdent != 0 {
		e++
	}
	i := e
	for n := 0; i < len(buf) && n < 8; n++ {
		c := buf[i]
		if c != ' ' && c != '\t' && c != '=' && c != ':' && c != '>' && !isQuote(c) && c != ']' && c != ',' {
			break
		}
		i++
	}
	if i == e || !valueAt(buf, i, kindAccount) || !boundaryBefore(buf, i) {
		return -1, nil
	}
	return i, buf[s:e]
}

// containsTwilio: buf holds "twilio" in any case, found by its rare 'w'
// without copying the buffer.
func containsTwilio(buf []byte) bool {
	for _, c := range [...]byte{'w', 'W'} {
		for off := 0; ; {
			j := bytes.IndexByte(buf[off:], c)
			if j < 0 {
				break
			}
			w := off + j
			off = w + 1
			if w >= 1 && w+4 < len(buf) && buf[w-1]|0x20 == 't' && buf[w+1]|0x20 == 'i' &&
				buf[w+2]|0x20 == 'l' && buf[w+3]|0x20 == 'i' && buf[w+4]|0x20 == 'o' {
				return true
			}
		}
	}
	return false
}
