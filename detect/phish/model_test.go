package phish

import (
	"slices"
	"strings"
	"testing"
)

// TestModel: the shipped model loads and round-trips; it flags a
// phisher's name that no rule catches, doubts a brand's own-looking name,
// never speaks for official domains, and stays off with NoModel.
func TestModel(t *testing.T) {
	m := DefaultModel()
	if m == nil {
		t.Fatal("model.bin does not load")
	}
	b, err := m.MarshalBinary()
	if err != nil || len(b) != len(modelBin) || string(b) != string(modelBin) {
		t.Fatalf("round trip: %v", err)
	}
	if err := (&Model{}).UnmarshalBinary([]byte("none")); err == nil {
		t.Error("a placeholder loads as a model")
	}
	if !(m.Low < m.Mid && m.Mid < m.High) {
		t.Errorf("thresholds out of order: %v %v %v", m.Low, m.Mid, m.High)
	}
	a := New(Options{})
	r := a.Analyze("https://secure-update-account-verify.com/")
	if !r.Phishing || !slices.ContainsFunc(r.CarriedBy, func(s string) bool { return strings.HasPrefix(s, "model:") }) {
		t.Errorf("model evidence did not carry a phisher's name: %+v", r)
	}
	if r := New(Options{NoModel: true}).Analyze("https://secure-update-account-verify.com/"); r.Phishing {
		t.Errorf("rules alone flag it (the test no longer shows the model): %+v", r)
	}
	// Names a brand's own services use: the token is doubted, not ignored.
	for _, h := range []string{"alibabacloud.com", "microsoftcloud.com", "samsungcloud.com"} {
		r := a.Analyze("https://" + h + "/")
		if r.Phishing || len(r.URLs) != 1 || !slices.Contains(r.URLs[0].Evidence, Evidence{"brand-in-domain:" + strings.TrimSuffix(strings.TrimSuffix(h, ".com"), "cloud"), scoreBrandDoubted}) {
			t.Errorf("%s: %+v", h, r.URLs)
		}
		if r := a.Analyze("Your account is suspended, verify now: https://" + h + "/"); !r.Phishing {
			t.Errorf("%s with a lure is not phishing: %+v", h, r.URLs)
		}
	}
	// The model never doubts a typo, a look-alike or a cheap TLD.
	for _, h := range []string{"paypall.com", "pay-pal.com", "google.xyz", "paypa1.com"} {
		if r := a.Analyze("https://" + h + "/"); !r.Phishing {
			t.Errorf("%s not flagged: %+v", h, r.URLs)
		}
	}
	// On a hosting platform the model only supports other evidence.
	if r := a.Analyze("https://handler-2841-dev.twil.io/sms"); r.Phishing {
		t.Errorf("a platform customer's name alone flagged: %+v", r.URLs)
	}
}

// TestCountryDomainsOfCountryBrands: a brand that runs country domains
// owns its label under other countries' suffixes; a brand with none does
// not (phishers register roblox.com.ge).
func TestCountryDomainsOfCountryBrands(t *testing.T) {
	a := New(Options{})
	for _, h := range []string{"hsbc.com.ar", "airbnb.es", "deliveroo.be"} {
		if r := a.Analyze("https://" + h + "/"); r.Score > 0 {
			t.Errorf("%s: %+v", h, r.URLs)
		}
	}
	if r := a.Analyze("https://www.roblox.com.ge/"); !r.Phishing {
		t.Errorf("roblox.com.ge not flagged: %+v", r.URLs)
	}
}
