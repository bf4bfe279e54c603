package phish

import "testing"

func TestTemplate(t *testing.T) {
	same := [][]string{
		{"Hi John, your USPS parcel 9400111899223 is on hold. Pay $1.99 at usps-redeliver.top/a8Fk2", "Hi Mary, your USPS parcel 9400111899555 is on hold. Pay $2.49 at usps-redeliver.top/Zq91x"},
		{"Netflix: payment failed. Update: bit.ly/3xYzAbc", "Netflix: payment failed. Update: https://bit.ly/9QwErTy"},
		{"Your code is 123456", "Your code is 998877"},
		{"Dear Alice Smith, verify at hxxps://evil[.]ru/u/abc", "Dear Bob Jones, verify at https://evil.ru/u/xyz"},
		{"Account aZ8kQ2xT locked", "Account Pq7Lm3Rs locked"},
	}
	for _, s := range same {
		if a, b := Template(s[0]), Template(s[1]); a != b {
			t.Errorf("templates differ:\n %q\n %q", a, b)
		}
	}
	differ := [][2]string{
		{"Update at paypal-login.com/x", "Update at amaz0n.com/x"},
		{"Your code is 123456", "Your parcel is on hold"},
	}
	for _, s := range differ {
		if Template(s[0]) == Template(s[1]) {
			t.Errorf("templates equal: %q / %q → %q", s[0], s[1], Template(s[0]))
		}
	}
	if got := Template("Hi John, see bit.ly/abc"); got != "hi {name}, see {url:bit.ly}" {
		t.Errorf("Template = %q", got)
	}
	_ = Template("\xff\xfe")
	_ = Template("")
}
