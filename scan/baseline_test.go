package scan

import (
	"testing"

	atoguard "github.com/atoguard/atoguard"
)

// TestFilterBaselineOtherWorkingDirectory: a baseline made from one
// directory still knows the findings of a scan run from another.
func TestFilterBaselineOtherWorkingDirectory(t *testing.T) {
	known := func(path string) atoguard.Finding {
		return atoguard.Finding{Rule: RuleAuthToken, Path: path, Line: 2, AccountSID: blAcct, Fingerprint: "a6ab9a3c9ae7"}
	}
	tests := []struct {
		name, baseline, scanned string
		known                   bool
	}{
		{"same path", "bl/app.py", "bl/app.py", true},
		{"baseline made inside, scan from the parent", "app.py", "bl/app.py", true},
		{"baseline made from the parent, scan inside", "bl/app.py", "app.py", true},
		{"dot-slash and unclean spellings", "./bl//app.py", "bl/x/../app.py", true},
		{"absolute scan path", "app.py", "/home/me/bl/app.py", true},
		{"absolute baseline path", "/home/me/bl/sub/app.py", "sub/app.py", true},
		{"archive member", "backups/c.zip!prod.env", "repo/backups/c.zip!prod.env", true},
		{"suffix inside a name is not a path suffix", "app.py", "bl/myapp.py", false},
		{"another file", "bl/app.py", "bl/other.py", false},
		{"other directory, same name deeper", "bl/sub/app.py", "bl/app.py", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FilterBaseline([]atoguard.Finding{known(tt.scanned)}, []atoguard.Finding{known(tt.baseline)})
			if isKnown := len(got) == 0; isKnown != tt.known {
				t.Errorf("baseline %q, finding %q: known = %v, want %v", tt.baseline, tt.scanned, isKnown, tt.known)
			}
		})
	}
	// Rule, SIDs and fingerprint must still match exactly; history fields do not count.
	base := known("app.py")
	for name, mod := range map[string]func(*atoguard.Finding){
		"rule":        func(f *atoguard.Finding) { f.Rule = RuleAPIKey },
		"account":     func(f *atoguard.Finding) { f.AccountSID = "AC" + "00000000000000000000000000000001" },
		"key":         func(f *atoguard.Finding) { f.KeySID = blKeySID },
		"fingerprint": func(f *atoguard.Finding) { f.Fingerprint = "000000000000" },
	} {
		f := known("bl/app.py")
		mod(&f)
		if got := FilterBaseline([]atoguard.Finding{f}, []atoguard.Finding{base}); len(got) != 1 {
			t.Errorf("another %s was taken as known", name)
		}
	}
	f := known("bl/app.py")
	f.Commit, f.Author, f.Email, f.Line, f.Column = "0123456789abcdef0123456789abcdef01234567", "Mallory", "m@example.com", 40, 7
	if got := FilterBaseline([]atoguard.Finding{f}, []atoguard.Finding{base}); len(got) != 0 {
		t.Errorf("history fields or position made a known finding new: %+v", got)
	}
}

// Fabricated SIDs for the baseline tests.
const (
	blAcct   = "AC4d2b8e6f0a1c3e5b7d9f1a3c5e7b9d1f"
	blKeySID = "SK7e1d3c5b9a2f4e6d8c0b1a3f5e7d9c2b"
)
