package github

import (
	"strings"
	"testing"
)

func TestLinkRel(t *testing.T) {
	c, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := `<https://api.github.com/search/code?q=x&page=2>; rel="next", <https://api.github.com/search/code?q=x&page=34>; rel="last", <https://api.github.com/search/code?q=x&page=1>; rel="first prev"`
	for rel, want := range map[string]string{
		"next":  "https://api.github.com/search/code?q=x&page=2",
		"last":  "https://api.github.com/search/code?q=x&page=34",
		"prev":  "https://api.github.com/search/code?q=x&page=1",
		"first": "https://api.github.com/search/code?q=x&page=1",
		"other": "",
	} {
		if got := c.linkRel(h, rel); got != want {
			t.Errorf("linkRel(%q) = %q, want %q", rel, got, want)
		}
	}
	if got := c.linkRel("", "next"); got != "" {
		t.Errorf("empty header: %q", got)
	}
}

func FuzzLinkRel(f *testing.F) {
	c, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(`<https://x/a?page=2>; rel="next", <https://x/a?page=9>; rel="last"`, "next")
	f.Add(`<>; rel=next`, "next")
	f.Add(`<a>;rel="next`, "last")
	f.Fuzz(func(t *testing.T, header, rel string) {
		got := c.linkRel(header, rel)
		if got != "" && !strings.Contains(header, "<"+got+">") {
			t.Fatalf("linkRel(%q, %q) = %q: not a <target> of the header", header, rel, got)
		}
	})
}
