package audit

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/detect"
)

// ownCountries are the countries an account itself shows it needs: those it
// reached on at least MinDays distinct days, and those of its own numbers.
func ownCountries(a *Account, opts Options, nums *detect.Numbers) map[string]bool {
	out := map[string]bool{}
	for c, days := range a.Destinations {
		if days >= opts.MinDays {
			out[c] = true
		}
	}
	if a.Config != nil {
		for _, pn := range a.Config.PhoneNumbers {
			if r := nums.Classify(pn.PhoneNumber).Region; r != "" {
				out[r] = true
			}
		}
	}
	return out
}

// familyCountries unites the own countries of every account under each
// main account: subaccounts that inherit Voice permissions rely on the
// main account's, so the main account may allow all of them.
func familyCountries(accounts []Account, opts Options) map[string]map[string]bool {
	nums := detect.NewNumbers()
	out := map[string]map[string]bool{}
	for i := range accounts {
		a := &accounts[i]
		owner := a.Account.SID
		if a.Account.IsSubaccount() {
			owner = a.Account.OwnerSID
		}
		if out[owner] == nil {
			out[owner] = map[string]bool{}
		}
		maps.Copy(out[owner], ownCountries(a, opts, nums))
	}
	return out
}

// allowedCountries is the allowlist the geo checks apply to an account and
// whether it is grounded (a flag, or traffic that was actually read).
func allowedCountries(a *Account, opts Options, family map[string]map[string]bool) ([]string, bool) {
	if len(opts.AllowCountries) > 0 {
		return opts.AllowCountries, true
	}
	set := ownCountries(a, opts, detect.NewNumbers())
	if !a.Account.IsSubaccount() {
		maps.Copy(set, family[a.Account.SID])
	}
	out := slices.Sorted(maps.Keys(set))
	if out == nil {
		out = []string{}
	}
	return out, a.Destinations != nil
}

func countryFlag(allow []string) string {
	if len(allow) == 0 {
		return "--allow-countries CC,…"
	}
	return "--allow-countries " + strings.Join(allow, ",")
}

func listCountries(cs []string) string {
	const most = 12
	if len(cs) > most {
		return strings.Join(cs[:most], ", ") + fmt.Sprintf(" and %d more", len(cs)-most)
	}
	return strings.Join(cs, ", ")
}

// geo checks Voice dialing and SMS geo permissions (guidance step 7).
func (c *checker) geo(allow []string, known bool, parentAllow []string) {
	cfg := c.a.Config
	fix := c.respondFix(stepGeoPermissions, countryFlag(allow))
	var highRisk, outside, anyEnabled []string
	voice := cfg.VoicePermissions
	if inherits := c.a.VoiceInheritance; c.a.Account.IsSubaccount() && inherits != nil && *inherits {
		// The main account's Voice permissions apply and are audited there;
		// what the subaccount's own list says is not in force.
		voice = nil
	}
	for _, v := range voice {
		iso := strings.ToUpper(v.ISOCode)
		if v.HighRiskSpecialEnabled || v.HighRiskTollFraud {
			var kinds []string
			if v.HighRiskSpecialEnabled {
				kinds = append(kinds, "special")
			}
			if v.HighRiskTollFraud {
				kinds = append(kinds, "toll-fraud")
			}
			highRisk = append(highRisk, iso+" ("+strings.Join(kinds, "+")+")")
		}
		if v.LowRiskEnabled || v.HighRiskSpecialEnabled || v.HighRiskTollFraud {
			anyEnabled = append(anyEnabled, iso)
			if !slices.Contains(allow, iso) {
				outside = append(outside, iso)
			}
		}
	}
	slices.Sort(highRisk)
	slices.Sort(outside)
	if len(highRisk) > 0 {
		c.add(CheckVoiceHighRisk, atoguard.SeverityHigh, "voice",
			"Voice high-risk numbers enabled — the payout end of toll fraud (IRSF): "+listCountries(highRisk),
			stepGeoPermissions, fix, 7)
	}
	var smsHigh, smsOutside []string
	for _, p := range cfg.SMSPermissions {
		iso := strings.ToUpper(p.CountryCode)
		if !p.Enabled || slices.Contains(allow, iso) {
			continue
		}
		if p.HighRisk {
			smsHigh = append(smsHigh, iso)
		} else {
			smsOutside = append(smsOutside, iso)
		}
	}
	slices.Sort(smsHigh)
	slices.Sort(smsOutside)
	if len(smsHigh) > 0 {
		// The high-risk mark is Twilio's (SMS pumping); only the Console may
		// change these, respond puts them on its checklist.
		c.add(CheckSMSHighRisk, atoguard.SeverityHigh, "sms",
			"SMS enabled for countries Twilio marks high risk (SMS pumping) and outside the expected countries: "+listCountries(smsHigh),
			stepGeoPermissions, fix, 7)
		c.note("Twilio lets only the Console change high-risk SMS countries (error 30649): respond lists them on its checklist")
	}
	if !known {
		if len(outside) > 0 || len(smsOutside) > 0 {
			c.add(CheckCountriesUnknown, atoguard.SeverityInfo, "geo-permissions",
				fmt.Sprintf("expected countries unknown (no traffic read and no --allow-countries): %d Voice and %d SMS countries enabled unchecked",
					len(anyEnabled), len(smsOutside)), "", "run atoguard audit --allow-countries CC,…", 7)
		}
	} else {
		if len(outside) > 0 {
			c.add(CheckVoiceCountries, atoguard.SeverityMedium, "voice",
				fmt.Sprintf("Voice dialing enabled for %d countries outside the expected %s: %s", len(outside), describeAllow(allow), listCountries(outside)),
				stepGeoPermissions, fix, 7)
		}
		if len(smsOutside) > 0 {
			c.add(CheckSMSCountries, atoguard.SeverityMedium, "sms",
				fmt.Sprintf("SMS enabled for %d countries outside the expected %s: %s", len(smsOutside), describeAllow(allow), listCountries(smsOutside)),
				stepGeoPermissions, fix, 7)
		}
	}
	c.inheritance(allow, parentAllow, fix)
}

func describeAllow(allow []string) string {
	if len(allow) == 0 {
		return "(none)"
	}
	return "(" + strings.Join(allow, ", ") + ")"
}

// inheritance flags a subaccount that stopped inheriting its parent's Voice
// dialing permissions and is wide open: it enables high-risk numbers, or
// countries outside what its whole account family is expected to reach —
// the classic way to open toll-fraud destinations under an account nobody
// watches. parentAllow is the main account's allowlist (nil: unknown, then
// the subaccount's own allowlist is used).
func (c *checker) inheritance(allow, parentAllow []string, fix string) {
	a := c.a
	if !a.Account.IsSubaccount() || a.VoiceInheritance == nil || *a.VoiceInheritance {
		return
	}
	if parentAllow == nil {
		parentAllow = allow
	}
	var wide []string
	for _, v := range a.Config.VoicePermissions {
		iso := strings.ToUpper(v.ISOCode)
		switch {
		case v.HighRiskSpecialEnabled || v.HighRiskTollFraud:
			wide = append(wide, iso+" (high risk)")
		case v.LowRiskEnabled && !slices.Contains(parentAllow, iso):
			wide = append(wide, iso)
		}
	}
	if len(wide) == 0 {
		return
	}
	slices.Sort(wide)
	c.add(CheckVoiceInheritanceOff, atoguard.SeverityHigh, "voice",
		fmt.Sprintf("subaccount does not inherit Voice dialing permissions and opens what its account family does not need %s: %s",
			describeAllow(parentAllow), listCountries(wide)),
		stepGeoPermissions, fix, 7)
	c.note("then turn inheritance back on: POST https://voice.twilio.com/v1/Settings DialingPermissionsInheritance=true with the subaccount's credentials")
}
