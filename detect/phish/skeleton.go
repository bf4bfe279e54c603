package phish

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// skeleton maps a label to a form in which look-alike spellings coincide:
// Cyrillic, Greek and Armenian homoglyphs, accents, and the ASCII tricks
// 0→o, 1/i/l→l, 3→e, 4→a, 5→s, 7→t, rn→m, vv→w. Brand tokens go through
// the same mapping, so only equality of skeletons matters, not its spelling.
func skeleton(s string) string {
	if isASCII(s) {
		return asciiSkeleton(s)
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if unicode.Is(unicode.Mn, r) {
			continue // accents: päypal → paypal
		}
		if r < utf8.RuneSelf {
			b.WriteRune(r)
			continue
		}
		if c := confusable(r); c != 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteRune(r)
	}
	return asciiSkeleton(b.String())
}

func asciiSkeleton(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '0':
			c = 'o'
		case '1', 'i', '|', '!':
			c = 'l'
		case '3':
			c = 'e'
		case '4':
			c = 'a'
		case '5', '$':
			c = 's'
		case '7':
			c = 't'
		case 'r':
			if i+1 < len(s) && s[i+1] == 'n' {
				c = 'm'
				i++
			}
		case 'v':
			if i+1 < len(s) && s[i+1] == 'v' {
				c = 'w'
				i++
			}
		default:
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
		}
		b = append(b, c)
	}
	return string(b)
}

// confusable returns the ASCII letter a non-Latin character is commonly
// mistaken for (a subset of Unicode's confusables.txt covering the scripts
// used in IDN homograph attacks), or 0.
//
// The switch is a table of data, one case per letter, kept as a switch
// because the compiler turns it into a binary search with no allocation or
// map lookup on this hot path; its cyclomatic count is the table's size.
//
//gocyclo:ignore
func confusable(r rune) byte {
	switch r {
	case 'а', 'α', 'ɑ', 'ä': // Cyrillic a, Greek alpha, Latin alpha
		return 'a'
	case 'в', 'β', 'Ь', 'ь':
		return 'b'
	case 'с', 'ϲ', 'ƈ':
		return 'c'
	case 'ԁ', 'ɗ':
		return 'd'
	case 'е', 'ё', 'ε', 'ҽ', 'є':
		return 'e'
	case 'ғ':
		return 'f'
	case 'ɡ', 'ց', 'ԍ':
		return 'g'
	case 'һ', 'հ', 'н':
		return 'h'
	case 'і', 'ї', 'ι', 'ı', 'ӏ', 'ɩ', 'ǀ', 'Ɩ':
		return 'l' // i and l share a skeleton
	case 'ј', 'ϳ':
		return 'j'
	case 'к', 'κ', 'ķ':
		return 'k'
	case 'м':
		return 'm'
	case 'ո', 'п', 'η':
		return 'n'
	case 'о', 'ο', 'օ', 'ө', 'σ', 'ᴏ':
		return 'o'
	case 'р', 'ρ', 'ҏ':
		return 'p'
	case 'ԛ', 'զ':
		return 'q'
	case 'г', 'ᴦ':
		return 'r'
	case 'ѕ', 'ʂ':
		return 's'
	case 'т', 'τ':
		return 't'
	case 'υ', 'ս', 'ц':
		return 'u'
	case 'ν', 'ѵ', 'ᴠ':
		return 'v'
	case 'ԝ', 'ω', 'ѡ', 'ɯ':
		return 'w'
	case 'х', 'χ', 'ҳ':
		return 'x'
	case 'у', 'γ', 'ү', 'ყ':
		return 'y'
	case 'ᴢ', 'ʐ':
		return 'z'
	}
	return 0
}

// within1 reports whether a and b are at optimal-string-alignment
// (restricted Damerau–Levenshtein) distance exactly 1: one substitution,
// insertion, deletion or adjacent transposition.
func within1(a, b string) bool {
	if a == b {
		return false
	}
	la, lb := len(a), len(b)
	if la-lb > 1 || lb-la > 1 {
		return false
	}
	i := 0
	for i < la && i < lb && a[i] == b[i] {
		i++
	}
	switch {
	case la == lb:
		if a[i+1:] == b[i+1:] {
			return true // substitution
		}
		return i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	case la > lb:
		return a[i+1:] == b[i:]
	default:
		return a[i:] == b[i+1:]
	}
}
