package atoguard

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable returns s as it may be shown in any text output (terminal,
// text or Markdown report, error message) when s came from outside: Twilio
// (friendly names, webhook URLs, message bodies, error texts), a file name,
// a commit author, a message. It is the one sanitizer of atoguard: every
// text renderer calls it, so the rule is the same everywhere.
//
// Nothing is dropped, everything is made visible on one line:
//   - tab, newline and carriage return become \t, \n and \r;
//   - other C0 controls and DEL become \xNN (ESC is \x1b), so no escape
//     sequence reaches the terminal;
//   - every other rune that is not graphic (unicode.IsPrint) becomes \uNNNN
//     or \UNNNNNNNN: C1 controls, bidi overrides and isolates (U+202A–U+202E,
//     U+2066–U+2069, which would reorder the line), zero-width and other
//     format characters, line and paragraph separators, spaces other than
//     U+0020, private-use and unassigned code points;
//   - a byte that is not valid UTF-8 becomes \xNN (always ≥ \x80, so it
//     cannot be mistaken for a control), which tells it apart from a real
//     U+FFFD in the text.
//
// Backslashes pass unchanged: the output is for reading, not for parsing
// back (the JSON reports keep exact values). Printable(Printable(s)) ==
// Printable(s). Text that is already printable ASCII is returned as is,
// without allocating.
func Printable(s string) string {
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] < 0x7f {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			writeEscape(&b, `\x`, uint32(s[i]), 2)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			writeEscape(&b, `\x`, uint32(r), 2)
		case r < 0x7f || unicode.IsPrint(r):
			b.WriteString(s[i : i+size])
		case r <= 0xffff:
			writeEscape(&b, `\u`, uint32(r), 4)
		default:
			writeEscape(&b, `\U`, uint32(r), 8)
		}
		i += size
	}
	return b.String()
}

// writeEscape writes prefix, then v in that many lower-case hex digits.
func writeEscape(b *strings.Builder, prefix string, v uint32, digits int) {
	const hex = "0123456789abcdef"
	b.WriteString(prefix)
	for shift := 4 * (digits - 1); shift >= 0; shift -= 4 {
		b.WriteByte(hex[v>>uint(shift)&0xf])
	}
}

// Clip shortens s to at most n runes, the last being "…" when s was cut. It
// cuts between runes, never inside one; apply it to Printable's output so an
// escape is never counted as one rune.
func Clip(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s
	}
	count := 0
	for i := range s {
		if count == n-1 {
			if utf8.RuneCountInString(s[i:]) <= 1 {
				return s
			}
			return s[:i] + "…"
		}
		count++
	}
	return s
}
