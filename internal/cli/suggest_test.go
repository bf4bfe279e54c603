package cli

import "testing"

func TestClosest(t *testing.T) {
	names := []string{"since", "until", "history", "keep-keys", "exit-code"}
	for _, tc := range []struct{ in, want string }{
		{"sinse", "since"},
		{"snice", "since"}, // transposition
		{"keep-key", "keep-keys"},
		{"histroy", "history"},
		{"exitcode", "exit-code"},
		{"zzzzzzzz", ""},
		{"x", ""},
	} {
		if got := closest(tc.in, names); got != tc.want {
			t.Errorf("closest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if d := editDistance("", "abc"); d != 3 {
		t.Errorf("editDistance empty = %d", d)
	}
}
