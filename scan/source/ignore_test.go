package source

import (
	"strings"
	"testing"
)

func TestIgnoreRules(t *testing.T) {
	tests := []struct {
		patterns string
		path     string
		dir      bool
		want     bool
	}{
		{"*.log", "a.log", false, true},
		{"*.log", "x/y/a.log", false, true},
		{"*.log", "a.log.txt", false, false},
		{"/a.log", "a.log", false, true},
		{"/a.log", "x/a.log", false, false},
		{"x/a.log", "x/a.log", false, true},
		{"x/a.log", "y/x/a.log", false, false}, // an inner slash anchors
		{"build/", "build", true, true},
		{"build/", "build", false, false}, // dir-only
		{"build/", "src/build", true, true},
		{"**/foo", "foo", false, true},
		{"**/foo", "a/b/foo", false, true},
		{"**/foo/bar", "a/foo/bar", false, true},
		{"abc/**", "abc/x/y", false, true},
		{"abc/**", "abc", true, false},
		{"a/**/b", "a/b", false, true},
		{"a/**/b", "a/x/y/b", false, true},
		{"a/**/b", "a/x/y/c", false, false},
		{"a*b", "a/b", false, false}, // '*' does not cross '/': basename "b" only
		{"doc/*.txt", "doc/x.txt", false, true},
		{"doc/*.txt", "doc/sub/x.txt", false, false},
		{"?.txt", "a.txt", false, true},
		{"?.txt", "ab.txt", false, false},
		{"[abc].txt", "b.txt", false, true},
		{"[!abc].txt", "b.txt", false, false},
		{"[!abc].txt", "d.txt", false, true},
		{"[a-c]x", "bx", false, true},
		{"*.log\n!keep.log", "keep.log", false, false},
		{"*.log\n!keep.log", "other.log", false, true},
		{"!keep.log\n*.log", "keep.log", false, true}, // last match wins
		{`\!important`, "!important", false, true},
		{`\#hash`, "#hash", false, true},
		{"#comment", "#comment", false, false},
		{"trailing   ", "trailing", false, true},
		{`space\ `, "space ", false, true},
		{"", "anything", false, false},
		{"*.[oa]", "lib.a", false, true},
		{"foo**bar", "fooxbar", false, true},
	}
	for _, tt := range tests {
		m := NewMatcher(tt.patterns)
		got := m.files.ignored(tt.path, tt.dir)
		if got != tt.want {
			t.Errorf("patterns %q path %q dir=%v: got %v, want %v", tt.patterns, tt.path, tt.dir, got, tt.want)
		}
	}
}

func TestMatcherParents(t *testing.T) {
	m := NewMatcher("vendor/\ntestdata/*.golden\n")
	for path, want := range map[string]bool{
		"vendor/x/y.go":       true,
		"a/vendor/y.go":       true,
		"testdata/a.golden":   true,
		"testdata/a.txt":      false,
		"src/main.go":         false,
		"x/testdata/a.golden": false, // anchored
	} {
		if got := m.Match(path); got != want {
			t.Errorf("Match(%q) = %v, want %v", path, got, want)
		}
	}
	var none *Matcher
	if none.Match("x") {
		t.Error("nil matcher matched")
	}
}

func TestIgnoreHostilePattern(t *testing.T) {
	// RE2: no exponential backtracking on many stars.
	m := NewMatcher(strings.Repeat("*a", 30) + "b")
	if m.Match(strings.Repeat("a", 5000)) {
		t.Error("matched")
	}
}

func FuzzIgnorePattern(f *testing.F) {
	for _, s := range []string{"*.log", "a/**/b", "[!a-z]x", `\!x`, "**", "[[:alpha:]]", "[", "a/"} {
		f.Add(s, "a/b/c.log")
	}
	f.Fuzz(func(t *testing.T, pattern, path string) {
		m := NewMatcher(pattern)
		_ = m.Match(path)
	})
}
