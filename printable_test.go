package atoguard_test

import (
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/atoguard/atoguard"
)

func TestPrintable(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain ASCII", "app/config.py", "app/config.py"},
		{"empty", "", ""},
		{"letters and emoji", "Café ☕ 東京 🙂", "Café ☕ 東京 🙂"},
		// Hostile file names.
		{"file name clearing the screen", "leak\x1b[2J\x1b[H.env", `leak\x1b[2J\x1b[H.env`},
		{"file name with carriage return", "innocent.txt\rcredentials.json", `innocent.txt\rcredentials.json`},
		{"file name reversed by RLO", "invoice\u202Efdp.exe", `invoice\u202efdp.exe`},
		{"file name not UTF-8", "secrets\xff\xfe.env", `secrets\xff\xfe.env`},
		{"real U+FFFD is kept", "a\uFFFDb", "a\uFFFDb"},
		{"OSC 8 hyperlink", "\x1b]8;;http://evil.example\x07click\x1b]8;;\x07", `\x1b]8;;http://evil.example\x07click\x1b]8;;\x07`},
		// Message bodies.
		{"multi-line message", "Your code is 1234\nDo not share\tit", `Your code is 1234\nDo not share\tit`},
		{"message with C1 CSI", "pay now \u009b2J", `pay now \u009b2J`},
		{"message with bidi isolates", "\u2066paypal.com\u2069 \u2067moc.live\u2069", `\u2066paypal.com\u2069 \u2067moc.live\u2069`},
		{"message with zero-width space", "paypa\u200bl.com", `paypa\u200bl.com`},
		{"message with line separator", "a\u2028b\u2029c", `a\u2028b\u2029c`},
		{"tag characters (ASCII smuggling)", "hi\U000E0041\U000E0042", `hi\U000e0041\U000e0042`},
		{"NUL and DEL", "a\x00b\x7f", `a\x00b\x7f`},
		// Webhook URLs.
		{"webhook URL with ESC", "http://evil.example/\x1b[2J", `http://evil.example/\x1b[2J`},
		{"webhook URL with newline", "https://ok.example/sms\nnow: https://fine.example", `https://ok.example/sms\nnow: https://fine.example`},
		// Account names.
		{"account name with title-setting OSC", "Prod\x1b]0;pwned\x07", `Prod\x1b]0;pwned\x07`},
		{"account name with LRO/PDF", "\u202dACME\u202c", `\u202dACME\u202c`},
		{"account name with BOM and NBSP", "\uFEFFACME\u00a0Inc", `\ufeffACME\u00a0Inc`},
		{"backslash passes", `C:\temp\x1b`, `C:\temp\x1b`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := atoguard.Printable(tt.in)
			if got != tt.want {
				t.Errorf("Printable(%q) = %q, want %q", tt.in, got, tt.want)
			}
			checkPrintable(t, tt.in, got)
		})
	}
}

func TestPrintableDoesNotAllocateForASCII(t *testing.T) {
	s := strings.Repeat("app/config.py:12 ", 10)
	if n := testing.AllocsPerRun(100, func() { _ = atoguard.Printable(s) }); n != 0 {
		t.Errorf("Printable of printable ASCII allocates %v times", n)
	}
}

// FuzzPrintable checks the sanitizer's promises on any input: the output is
// valid UTF-8 with only graphic runes, it is stable under a second pass, it
// loses nothing (the escapes decode back to the input when the input has no
// backslash of its own), and it never changes text that is already safe.
// The seeds in testdata/fuzz/FuzzPrintable are hostile names, bodies and URLs.
func FuzzPrintable(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b[31mred", "a\u202eb", "\xff", "\u2066x\u2069", "\r\n\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkPrintable(t, s, atoguard.Printable(s))
	})
}

func checkPrintable(t *testing.T, in, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("Printable(%q) = %q: not valid UTF-8", in, out)
	}
	for _, r := range out {
		if r > 0x7e && !unicode.IsPrint(r) || r < 0x20 || r == 0x7f {
			t.Fatalf("Printable(%q) = %q: keeps %U", in, out, r)
		}
	}
	if again := atoguard.Printable(out); again != out {
		t.Fatalf("Printable is not stable: %q → %q → %q", in, out, again)
	}
	if safe(in) && out != in {
		t.Fatalf("Printable(%q) = %q: changed safe text", in, out)
	}
	if !strings.Contains(in, `\`) {
		if back, err := unescape(out); err != nil || back != in {
			t.Fatalf("Printable(%q) = %q decodes to %q (%v): something was lost", in, out, back, err)
		}
	}
}

func safe(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || r < 0x20 || r == 0x7f || r > 0x7e && !unicode.IsPrint(r) {
			return false
		}
	}
	return utf8.ValidString(s)
}

// unescape reverses Printable's escapes: \xNN is a byte, \u and \U a rune.
func unescape(s string) (string, error) {
	var b []byte
	for len(s) > 0 {
		v, mb, tail, err := strconv.UnquoteChar(s, 0)
		if err != nil {
			return "", err
		}
		if v < utf8.RuneSelf || !mb && strings.HasPrefix(s, `\x`) {
			b = append(b, byte(v))
		} else {
			b = utf8.AppendRune(b, v)
		}
		s = tail
	}
	return string(b), nil
}

func TestClip(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly", 7, "exactly"},
		{"toolong", 5, "tool…"},
		{"東京東京東京", 6, "東京東京東京"},
		{"東京東京東京", 4, "東京東…"},
		{"東京東京東京", 1, "…"},
		{"abc", 0, ""},
		{"", 3, ""},
	}
	for _, tt := range tests {
		if got := atoguard.Clip(tt.in, tt.n); got != tt.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
		if got := atoguard.Clip(tt.in, tt.n); !utf8.ValidString(got) || utf8.RuneCountInString(got) > max(tt.n, 0) {
			t.Errorf("Clip(%q, %d) = %q: invalid or too long", tt.in, tt.n, got)
		}
	}
}
