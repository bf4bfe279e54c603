package scan

import (
	"bytes"
)

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
