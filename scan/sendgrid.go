package scan

import (
	"bytes"
)

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
