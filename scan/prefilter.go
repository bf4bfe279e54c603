package scan

import "math/bits"

// The prefilter finds the first bytes of every anchor: 'A' (AC…), 'S'
// (SK…, SG.), 'Q' (QUM/QUN, base64 of "AC"), 'U' (U0s/U0t, base64 of
// "SK"), and 'k'/'K' of "token" for the lone auth-token rule. These
// letters are a few percent of source text, so the byte-wise checks
// behind a hit run seldom.
//
// One vector pass (prefilter_amd64.s) marks all six letters in a bit mask
// per 32 bytes; the hits are then visited bit by bit. Earlier versions ran
// one bytes.IndexByte pass per letter: fast while hits are rare, but each
// hit paid a call into the runtime's search, and with "token"'s k (as
// frequent in code as 'A') that call overhead became ~30 % of the
// detectors' time (docs/benchmarks.md).
const prefilterBlock = 32 << 10

// prefilter fills d.sids, d.b64, d.sg and d.tok for buf.
func (d *detector) prefilter(buf []byte) {
	d.sids, d.b64, d.sg, d.tok = d.sids[:0], d.b64[:0], d.sg[:0], d.tok[:0]
	var masks [prefilterBlock / 32]uint32
	for start := 0; start < len(buf); start += prefilterBlock {
		block := buf[start:min(start+prefilterBlock, len(buf))]
		n := len(block) / 32
		anchorMasks(block, masks[:n])
		for i, m := range masks[:n] {
			for m != 0 {
				d.anchor(buf, start+i*32+bits.TrailingZeros32(m))
				m &= m - 1
			}
		}
		for j := start + n*32; j < start+len(block); j++ {
			if anchorLetter(buf[j]) {
				d.anchor(buf, j)
			}
		}
	}
}

func anchorLetter(c byte) bool {
	switch c {
	case 'A', 'S', 'Q', 'U', 'k', 'K':
		return true
	}
	return false
}

// anchorMasksGeneric is anchorMasks in Go: the portable build's version
// and the reference the vector loop is tested against.
func anchorMasksGeneric(buf []byte, masks []uint32) {
	for i := range len(buf) / 32 {
		var m uint32
		for k, c := range buf[i*32 : i*32+32] {
			if anchorLetter(c) {
				m |= 1 << k
			}
		}
		masks[i] = m
	}
}

// anchor confirms the anchor starting at j, if there is one.
func (d *detector) anchor(buf []byte, j int) {
	if j+2 >= len(buf) {
		return
	}
	c1, c2 := buf[j+1], buf[j+2]
	switch buf[j] {
	case 'A':
		if c1 == 'C' {
			d.sids = sidAt(buf, j, kindAccount, d.sids)
		}
	case 'S':
		switch {
		case c1 == 'K':
			d.sids = sidAt(buf, j, kindKey, d.sids)
		case c1 == 'G' && c2 == '.':
			d.sg = append(d.sg, j)
		}
	case 'Q':
		if c1 == 'U' && (c2 == 'M' || c2 == 'N') {
			d.b64 = append(d.b64, j)
		}
	case 'U':
		if c1 == '0' && (c2 == 's' || c2 == 't') {
			d.b64 = append(d.b64, j)
		}
	case 'k', 'K':
		// "token" in any case, found by its rare letter (an 'o' search
		// stalls on every other byte).
		if j >= 2 && buf[j-1]|0x20 == 'o' && c1|0x20 == 'e' && c2|0x20 == 'n' {
			d.tok = append(d.tok, j)
		}
	}
}
