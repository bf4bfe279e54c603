package phish

import "testing"

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
		if r.Phishing {
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
