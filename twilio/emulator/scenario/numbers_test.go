package scenario

import (
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// The fast E.164 path agrees with libphonenumber's parser.
func TestE164FastPathAgreesWithParse(t *testing.T) {
	cases := []string{
		"+12015550123", "+14165551234", "+447400123456", "+4915123456789", "+998912345678", "+996700123456",
		"+25271123456", "+9607712345", "+61412345678", "+33612345678", "+390612345678", "+3906123456",
		"+1201555012", "+999123456789", "+1", "+", "12015550123", "+1201555012a", "+44 7400 123456", "+0123456789",
		"+8613912345678", "+79123456789", "+2348031234567", "+35318123456", "+5215512345678",
	}
	for _, s := range cases {
		want := false
		regionWant := ""
		if n, err := phonenumbers.Parse(s, ""); err == nil && len(s) >= 8 && s[0] == '+' {
			want = phonenumbers.IsValidNumber(n) && phonenumbers.Format(n, phonenumbers.E164) == s
			regionWant = phonenumbers.GetRegionCodeForNumber(n)
		}
		if got := isE164(s); got != want {
			t.Errorf("isE164(%q) = %v, libphonenumber says %v", s, got, want)
		}
		if want {
			if got := regionOf(s); got != regionWant {
				t.Errorf("regionOf(%q) = %q, want %q", s, got, regionWant)
			}
		}
	}
}

// Every generated number of every plan is what libphonenumber says it is.
func TestNumberPlans(t *testing.T) {
	for _, c := range countryTable() {
		for _, kind := range []numberKind{kindMobile, kindFixed} {
			plan, err := newNumberPlan(c.ISO, kind)
			if err != nil {
				t.Fatal(err)
			}
			r := newRand(1, 99)
			for range 20 {
				s := plan.draw(r, kind)
				n, err := phonenumbers.Parse(s, "")
				if err != nil || !phonenumbers.IsValidNumberForRegion(n, c.ISO) {
					t.Fatalf("%s: %s is not a valid %s number", c.ISO, s, c.ISO)
				}
				typ := phonenumbers.GetNumberType(n)
				ok := typ == phonenumbers.FIXED_LINE_OR_MOBILE || (kind == kindMobile && typ == phonenumbers.MOBILE) || (kind == kindFixed && typ == phonenumbers.FIXED_LINE)
				if !ok {
					t.Fatalf("%s: %s has type %v", c.ISO, s, typ)
				}
			}
		}
	}
	if _, err := newNumberPlan("XX", kindMobile); err == nil {
		t.Error("plan for unknown country")
	}
}

func TestSegments(t *testing.T) {
	tests := []struct {
		body string
		want int
	}{
		{"", 1},
		{strings.Repeat("a", 160), 1},
		{strings.Repeat("a", 161), 2},
		{strings.Repeat("a", 306), 2},
		{strings.Repeat("a", 307), 3},
		{"mañana, Grüße, £5 @ 10:00", 1},        // all GSM-7
		{strings.Repeat("€", 80), 1},            // extension: 2 septets each = 160
		{strings.Repeat("€", 81), 2},            // 162 septets
		{"envío " + strings.Repeat("a", 64), 1}, // í is not GSM-7: UCS-2, 70 chars
		{"envío " + strings.Repeat("a", 65), 2},
		{"Ihre Sendung 🚚", 1},
	}
	for _, tt := range tests {
		if got := segments(tt.body); got != tt.want {
			t.Errorf("segments(%q…) = %d, want %d", tt.body[:min(len(tt.body), 20)], got, tt.want)
		}
		if got := segmentsBytes([]byte(tt.body)); got != tt.want {
			t.Errorf("segments([]byte) differs for %q", tt.body[:min(len(tt.body), 20)])
		}
	}
}

// The ASCII fast path agrees with the GSM 03.38 alphabet strings.
func TestASCIISeptetsTable(t *testing.T) {
	for c := rune(0); c < 128; c++ {
		want := 0
		switch {
		case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			want = 1
		case strings.ContainsRune(gsm7, c):
			want = 1
		case strings.ContainsRune(gsm7Ext, c):
			want = 2
		}
		if got := septets(c); got != want {
			t.Errorf("septets(%q) = %d, want %d", c, got, want)
		}
	}
}
