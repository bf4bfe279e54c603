package scenario

import (
	"math/rand/v2"
)

// SID prefixes of the resources a world holds.
const (
	prefixAccount     = "AC"
	prefixKey         = "SK"
	prefixUser        = "US"
	prefixPhoneNumber = "PN" // incoming numbers and caller IDs
	prefixApplication = "AP"
	prefixService     = "MG"
	prefixTrigger     = "UT"
	prefixMessage     = "SM"
	prefixCall        = "CA"
	prefixEvent       = "AE"
)

const hexDigits = "0123456789abcdef"
const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newRand returns a PCG generator for one stream of a seed. Streams keep the
// parts of a world independent: adding a subaccount or an overlay does not
// change what the other parts draw.
func newRand(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), stream*0x9E3779B97F4A7C15^0xda3e39cb94b95bdb))
}

// appendHex32 appends 32 lowercase hex digits drawn from r.
func appendHex32(b []byte, r *rand.Rand) []byte {
	for range 2 {
		v := r.Uint64()
		for i := 60; i >= 0; i -= 4 {
			b = append(b, hexDigits[(v>>uint(i))&0xf])
		}
	}
	return b
}

// sid returns prefix + 32 lowercase hex digits.
func sid(r *rand.Rand, prefix string) string {
	b := make([]byte, 0, 34)
	b = append(b, prefix...)
	return string(appendHex32(b, r))
}

// token returns a fabricated auth token: 32 lowercase hex digits.
func token(r *rand.Rand) string {
	return string(appendHex32(make([]byte, 0, 32), r))
}

// keySecret returns a fabricated API key secret: 32 alphanumerics.
func keySecret(r *rand.Rand) string {
	b := make([]byte, 32)
	for i := range b {
		b[i] = alnum[r.IntN(len(alnum))]
	}
	return string(b)
}

// isSID reports whether s is prefix + 32 lowercase hex digits.
func isSID(s, prefix string) bool {
	if len(s) != 34 || s[:2] != prefix {
		return false
	}
	for i := 2; i < 34; i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// isHex32 reports whether s is 32 lowercase hex digits (an auth token).
func isHex32(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// isAlnum32 reports whether s looks like an API key secret.
func isAlnum32(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}
