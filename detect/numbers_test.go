package detect

import (
	"strings"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		in     string
		region string
		typ    string
		valid  bool
	}{
		{"+14155550100", "US", TypeFixedOrMobile, true},
		{"+14165550100", "CA", "", true},
		{"+18765550100", "JM", "", true},
		{"+447400123456", "GB", TypeMobile, true},
		{"+449098790000", "GB", TypePremiumRate, true},
		{"+2348031234567", "NG", TypeMobile, true},
		{"+5352123456", "CU", TypeMobile, true},
		{"whatsapp:+447400123456", "GB", TypeMobile, true},
		{"+44 7400 123-456", "GB", TypeMobile, true},
		{"+881612345678", "", "", true}, // satellite: no region
		{"12345", "", TypeUnknown, false},
		{"ACME", "", TypeUnknown, false},
		{"", "", TypeUnknown, false},
		{"+1", "", TypeUnknown, false},
		{"+99912345678", "", TypeUnknown, false},
		{"+44\xff7700900123", "", TypeUnknown, false},
	}
	n := NewNumbers()
	for _, c := range cases {
		for range 2 { // second time from the cache
			got := n.Classify(c.in)
			if got.Valid != c.valid || got.Region != c.region || (c.typ != "" && got.Type != c.typ) {
				t.Errorf("%q: %+v", c.in, got)
			}
		}
	}
	a, b := n.Classify("+2348030100000"), n.Classify("+2348030100002")
	if b.National-a.National != 2 || a.NationalLen != 10 || a.CountryCode != 234 {
		t.Errorf("national %+v %+v", a, b)
	}
}

func FuzzClassify(f *testing.F) {
	for _, s := range []string{"+14155550100", "+447700900123", "whatsapp:+1", "+", "", "+44 (0) 20", "+881612345678", "+0000000", "+\xff", "tel:+3312345678"} {
		f.Add(s)
	}
	n := NewNumbers()
	f.Fuzz(func(t *testing.T, s string) {
		info := n.Classify(s)
		if info.Valid {
			if !strings.HasPrefix(info.E164, "+") || info.CountryCode <= 0 || info.NationalLen <= 0 || info.NationalLen > 15 {
				t.Fatalf("%q: %+v", s, info)
			}
			if !strings.HasPrefix(info.E164[1:], itoa(info.CountryCode)) {
				t.Fatalf("%q: country code %d not a prefix of %s", s, info.CountryCode, info.E164)
			}
		}
		// Cached and fresh classification agree on the region.
		if fresh := NewNumbers().Classify(s); fresh.Region != info.Region || fresh.Valid != info.Valid {
			t.Fatalf("%q: cache %+v fresh %+v", s, info, fresh)
		}
	})
}

// FuzzRunRecord feeds arbitrary destinations, bodies and event data through
// every detector: nothing may panic, every signal must be complete.
func FuzzRunRecord(f *testing.F) {
	f.Add("+2348030100000", "verify at hxxp://paypa1[.]com/x", "undelivered", "phone-number.updated", "http://x.ngrok.io")
	f.Add("whatsapp:+447400123456", "\xff\xfe huge", "delivered", "user.updated", "")
	f.Add("", "", "", "", "::::")
	f.Add("+1", "a.b c.d e.f", "failed", "voice-geographic-permissions.updated", "true")
	f.Fuzz(func(t *testing.T, to, body, status, eventType, url string) {
		w := newWorld()
		w.officeHistory(0)
		for i := range 30 {
			w.msg(0, to, testNow.Add(-time.Duration(i+1)*time.Minute), body, status, 0.1)
		}
		w.event(0, eventType, "US1", "192.0.2.1", testNow.Add(-time.Hour), map[string]any{"sms_url": map[string]any{"previous": "https://a.example", "updated": url}, "CU": map[string]any{"previous": false, "updated": url}})
		r := Run(w.ds, Options{})
		for _, s := range r.Signals {
			if s.ID == "" || s.Sign == "" || s.Severity == "" || s.AccountSID == "" || s.Summary == "" {
				t.Fatalf("incomplete signal %+v", s)
			}
		}
	})
}

func TestNumbersCountries(t *testing.T) {
	got := NewNumbers().Countries([]string{"+14155550100", "+447400123456", "+2348012345678", "garbage", "+12065550100", "+16135550123", "whatsapp:+447400123457"})
	if strings.Join(got, ",") != "CA,GB,NG,US" {
		t.Errorf("Countries = %v", got)
	}
}
