package phish

import (
	"slices"
	"testing"
)

// TestRealNamesNotLookalikes: real domains that share letters with a brand
// (issue 15's false alarms) are not impersonations, while the phishing
// forms of the same brands still are.
func TestRealNamesNotLookalikes(t *testing.T) {
	a := New(Options{})
	for _, h := range []string{
		"huaweicloud.com", "hicloud.com", "forticloud.com", "dhlottery.co.kr", "qcloud.com", "pcloud.com",
		"ucloud.cn", "uscis.gov", "jsonline.com", "medex.com", "googletagmanager.com",
		"google-analytics.com", "amazon-adsystem.com", "contoso.onmicrosoft.com", "apple.com.cn",
		"icloud.com.cn", "hmrc.gov.uk", "irs.gov",
	} {
		r := a.Analyze("Your account is locked, verify now at https://" + h + "/")
		for _, u := range r.URLs {
			if u.Brand != "" && u.Score > 0 && u.Reasons[0] != "official-domain" {
				t.Errorf("%s: taken for %s: %+v", h, u.Brand, u)
			}
		}
		if r := a.Analyze("See https://" + h + "/ for details"); r.Phishing {
			t.Errorf("%s flagged: %+v", h, r.URLs)
		}
	}
	for _, h := range []string{"icloud-verify.com", "appleicloud-login.com", "myicloudsupport.net",
		"dhlexpress-track.com", "usps-redelivery.top", "paypall.com", "icloud.com-secure.ru"} {
		if r := a.Analyze("https://" + h + "/login"); !r.Phishing {
			t.Errorf("%s not flagged: %+v", h, r.URLs)
		}
	}
}

// TestMessageEvidence: the message's words and where the link lives carry
// a verdict when the host alone says nothing (issue 15's SMS misses).
func TestMessageEvidence(t *testing.T) {
	a := New(Options{})
	for _, tt := range []struct {
		text   string
		reason string
	}{
		{"USPS: your parcel is on hold due to an unpaid fee. Pay here: sites.google.com/view/redeliver-now", "hosting:user-content"},
		{"Your account has been locked. Verify at https://docs.google.com/forms/d/e/1FAIpQL/viewform", "hosting:user-content"},
		{"IRS: you are eligible for a tax refund of $820. Claim at https://refund-portal.netlify.app/", "hosting:free-hosting"},
		{"E-ZPass: unpaid toll balance of $4.15. Pay now to avoid a late fee: ezpass-pay.top/x", "lure-with-link"},
		{"Westpac: unusual sign in detected. Confirm your identity: westpac-secure.com/au", "brand-in-domain:westpac"},
		{"CommBank: your NetBank access is suspended. Verify: http:/cba-verify.duckdns.org/", "hosting:dynamic-dns"},
		{"HMRC: you have a pending tax refund. Claim: bit.ly/3hmrcX", "text-mentions-brand:hmrc"},
		{"Congratulations, you won a prize! Claim your reward at http://192.0.2.44/claim", "ip-host"},
		{"Your parcel could not be delivered. Reschedule: https://bafybeigd.ipfs.dweb.link/", "hosting:ipfs"},
		{"Orange: votre facture est impayée. Payez ici: orange-factur.web.app", "brand-in-domain:orange"},
	} {
		r := a.Analyze(tt.text)
		if !r.Phishing || len(r.URLs) == 0 || !slices.Contains(r.URLs[0].Reasons, tt.reason) {
			t.Errorf("%q: phishing=%v, want reason %s: %+v", tt.text, r.Phishing, tt.reason, r.URLs)
		}
	}
	// The same shapes from the brand itself, or without a lure, are not phishing.
	for _, text := range []string{
		"Team notes: docs.google.com/document/d/abc/edit",
		"Our new menu is up: mybistro.wixsite.com/menu",
		"USPS: track your package at https://tools.usps.com/go/TrackConfirmAction",
		"Your appointment is confirmed. Reschedule at mysalon.com/book",
	} {
		if r := a.Analyze(text); r.Phishing {
			t.Errorf("%q flagged: %+v", text, r.URLs)
		}
	}
}

// TestCarriedBy: a phishing verdict names the evidence that carried it,
// and every reason has its score.
func TestCarriedBy(t *testing.T) {
	a := New(Options{})
	r := a.Analyze("USPS: your parcel is on hold due to an unpaid fee. Pay here: sites.google.com/view/usps-redeliver")
	if !r.Phishing || !slices.Equal(r.CarriedBy, []string{"brand-in-path:usps", "hosting:user-content"}) {
		t.Fatalf("carried by %v: %+v", r.CarriedBy, r)
	}
	for _, u := range r.URLs {
		if len(u.Evidence) != len(u.Reasons) {
			t.Errorf("evidence %v for reasons %v", u.Evidence, u.Reasons)
		}
	}
	if r := a.Analyze("See example.com/menu"); r.CarriedBy != nil {
		t.Errorf("clean message carried by %v", r.CarriedBy)
	}
}
