package atoguard

import (
	"strings"
	"testing"
)

func TestWrap(t *testing.T) {
	long := "  HIGH     traffic.volume-spike  AC00000000000000000000000000000001  sms volume spike: 623 messages in 7 anomalous hour(s) vs 14 expected (×44, z=112)"
	got := Wrap("short line\n"+long+"\n", 60)
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if lines[0] != "short line" {
		t.Errorf("short line changed: %q", lines[0])
	}
	for _, l := range lines {
		if visibleWidth(l) > 60 {
			t.Errorf("line of %d columns: %q", visibleWidth(l), l)
		}
	}
	for _, l := range lines[2:] {
		if !strings.HasPrefix(l, "      ") || strings.HasPrefix(l, "       ") {
			t.Errorf("continuation not indented 6: %q", l)
		}
	}
	// Nothing is lost: the words are the same.
	if strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields("short line\n"+long), " ") {
		t.Errorf("words changed:\n%s", got)
	}
}

func TestWrapKeepsLongWordsAndColour(t *testing.T) {
	url := "https://" + strings.Repeat("x", 120) + ".example/"
	got := Wrap("  · "+url+" tail\n", 40)
	if !strings.Contains(got, url) {
		t.Errorf("URL broken:\n%s", got)
	}
	coloured := "\x1b[1;31m!!\x1b[0m " + strings.Repeat("a ", 18)
	if visibleWidth(coloured) != 39 || Wrap(coloured, 40) != coloured {
		t.Errorf("ANSI counted as columns: width %d", visibleWidth(coloured))
	}
	if Wrap("no newline at end", 10) != "no newline\n    at end\n" {
		t.Errorf("got %q", Wrap("no newline at end", 10))
	}
}
