package phish

import (
	"net/netip"
	"strings"
)

// looksNumeric reports a host that a browser parses as an IPv4 address: its
// last label is a number (decimal, 0x-hex or octal), as WHATWG's URL
// standard says. "3232235777", "0xC0.0xA8.1.1" and "127.1" are all IPs.
func looksNumeric(h string) bool {
	last := h[strings.LastIndexByte(h, '.')+1:]
	if last == "" {
		return false
	}
	_, ok := parseIPv4Number(last)
	return ok
}

// parseIPv4 implements the WHATWG IPv4 parser and says how the address was
// written: dotted (canonical), decimal (one number), hex, octal or short.
func parseIPv4(h string) (netip.Addr, string, bool) {
	parts := strings.Split(h, ".")
	if len(parts) > 4 {
		return netip.Addr{}, "", false
	}
	nums := make([]uint64, len(parts))
	form := "dotted"
	for i, p := range parts {
		n, ok := parseIPv4Number(p)
		if !ok {
			return netip.Addr{}, "", false
		}
		nums[i] = n
		switch {
		case len(p) > 1 && (p[1] == 'x' || p[1] == 'X'):
			form = "hex"
		case len(p) > 1 && p[0] == '0' && form != "hex":
			form = "octal"
		}
	}
	for _, n := range nums[:len(nums)-1] {
		if n > 255 {
			return netip.Addr{}, "", false
		}
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return netip.Addr{}, "", false
	}
	v := last
	for i, n := range nums[:len(nums)-1] {
		v += n << (8 * (3 - i))
	}
	if form == "dotted" && len(nums) != 4 {
		form = "short"
		if len(nums) == 1 {
			form = "decimal"
		}
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), form, true
}

func parseIPv4Number(p string) (uint64, bool) {
	if p == "" || len(p) > 34 {
		return 0, false
	}
	base := uint64(10)
	switch {
	case len(p) >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'):
		base, p = 16, p[2:]
		if p == "" {
			return 0, true
		}
	case len(p) > 1 && p[0] == '0':
		base, p = 8, p[1:]
	}
	var n uint64
	for i := 0; i < len(p); i++ {
		c := p[i]
		var d uint64
		switch {
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case c >= 'a' && c <= 'f':
			d = uint64(c-'a') + 10
		case c >= 'A' && c <= 'F':
			d = uint64(c-'A') + 10
		default:
			return 0, false
		}
		if d >= base {
			return 0, false
		}
		n = n*base + d
		if n > 1<<32 {
			return 0, false // too big for any IPv4 part; also stops overflow
		}
	}
	return n, true
}
