package atoguard

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// TextWidth is the width text reports fit: a 100-column terminal shows every
// line whole. JSON and SARIF are never wrapped.
const TextWidth = 100

// Wrap folds each line of text longer than width at spaces; a continuation
// is indented four columns past its line's own indent, so it reads as part of
// it. A word longer than a line (a URL) is kept whole on a line of its own.
// ANSI colour sequences take no columns.
func Wrap(text string, width int) string {
	var b strings.Builder
	b.Grow(len(text) + len(text)/20)
	for line := range strings.Lines(text) {
		body := strings.TrimSuffix(line, "\n")
		if visibleWidth(body) <= width {
			b.WriteString(line)
			continue
		}
		wrapLine(&b, body, width)
		b.WriteByte('\n')
	}
	return b.String()
}

func wrapLine(b *strings.Builder, line string, width int) {
	indent := len(line) - len(strings.TrimLeft(line, " "))
	hang := strings.Repeat(" ", min(indent+4, width/2))
	col := 0
	for i, word := range strings.Split(line[indent:], " ") {
		w := visibleWidth(word)
		switch {
		case i == 0:
			b.WriteString(line[:indent])
			col = indent
		case col+1+w > width:
			b.WriteString("\n")
			b.WriteString(hang)
			col = len(hang)
			if word == "" {
				continue // runs of spaces (table padding) do not start a line
			}
		default:
			b.WriteByte(' ')
			col++
		}
		b.WriteString(word)
		col += w
	}
}

// visibleWidth counts runes outside ANSI CSI sequences (ESC [ … letter).
func visibleWidth(s string) int {
	if strings.IndexByte(s, 0x1b) < 0 {
		return utf8.RuneCountInString(s)
	}
	n := 0
	for i := 0; i < len(s); {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j + 1
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	return n
}

// Plural is n and word, with an s unless n is 1: "1 change", "3 changes".
func Plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// ShellCommand writes a command one flag a line, joined by backslashes, so a
// long command fits a terminal and still pastes into a shell as it is.
// parts[0] is the command, each further part a flag with its value.
func ShellCommand(indent string, parts ...string) string {
	return indent + strings.Join(parts, " \\\n"+indent+"    ")
}
