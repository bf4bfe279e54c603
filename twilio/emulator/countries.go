package emulator

import (
	"slices"
	"strings"
)

// country is a row of the emulator's small country table: enough for
// dialing/geo permissions and prices, not a full numbering plan.
type country struct {
	iso, name, continent string
	codes                []string // calling codes without '+', longest first matters only across rows
	sms                  float64  // USD per outbound segment
	voice                float64  // USD per outbound minute
}

var countryTable = []country{
	{"US", "United States/Canada", "NORTH_AMERICA", []string{"1"}, 0.0079, 0.014},
	{"CA", "Canada", "NORTH_AMERICA", []string{"1"}, 0.0079, 0.014},
	{"MX", "Mexico", "NORTH_AMERICA", []string{"52"}, 0.0390, 0.050},
	{"GB", "United Kingdom", "EUROPE", []string{"44"}, 0.0463, 0.028},
	{"DE", "Germany", "EUROPE", []string{"49"}, 0.0936, 0.043},
	{"FR", "France", "EUROPE", []string{"33"}, 0.0868, 0.036},
	{"ES", "Spain", "EUROPE", []string{"34"}, 0.0745, 0.032},
	{"IT", "Italy", "EUROPE", []string{"39"}, 0.0827, 0.034},
	{"NL", "Netherlands", "EUROPE", []string{"31"}, 0.1114, 0.040},
	{"IE", "Ireland", "EUROPE", []string{"353"}, 0.0800, 0.035},
	{"PL", "Poland", "EUROPE", []string{"48"}, 0.0420, 0.030},
	{"LV", "Latvia", "EUROPE", []string{"371"}, 0.1500, 0.300},
	{"LT", "Lithuania", "EUROPE", []string{"370"}, 0.1200, 0.280},
	{"EE", "Estonia", "EUROPE", []string{"372"}, 0.1100, 0.250},
	{"RU", "Russia", "EUROPE", []string{"7"}, 0.6300, 0.180},
	{"UA", "Ukraine", "EUROPE", []string{"380"}, 0.2200, 0.240},
	{"TR", "Turkey", "ASIA", []string{"90"}, 0.0700, 0.080},
	{"IL", "Israel", "ASIA", []string{"972"}, 0.2700, 0.070},
	{"PS", "Palestinian Territory", "ASIA", []string{"970"}, 0.3000, 0.400},
	{"AZ", "Azerbaijan", "ASIA", []string{"994"}, 0.3900, 0.350},
	{"TJ", "Tajikistan", "ASIA", []string{"992"}, 0.4200, 0.380},
	{"UZ", "Uzbekistan", "ASIA", []string{"998"}, 0.3600, 0.330},
	{"KG", "Kyrgyzstan", "ASIA", []string{"996"}, 0.3500, 0.320},
	{"OM", "Oman", "ASIA", []string{"968"}, 0.2900, 0.300},
	{"AE", "United Arab Emirates", "ASIA", []string{"971"}, 0.0500, 0.120},
	{"SA", "Saudi Arabia", "ASIA", []string{"966"}, 0.0400, 0.150},
	{"IN", "India", "ASIA", []string{"91"}, 0.0832, 0.040},
	{"PK", "Pakistan", "ASIA", []string{"92"}, 0.3100, 0.210},
	{"BD", "Bangladesh", "ASIA", []string{"880"}, 0.3200, 0.090},
	{"LK", "Sri Lanka", "ASIA", []string{"94"}, 0.3000, 0.190},
	{"MM", "Myanmar", "ASIA", []string{"95"}, 0.2600, 0.320},
	{"CN", "China", "ASIA", []string{"86"}, 0.0500, 0.020},
	{"JP", "Japan", "ASIA", []string{"81"}, 0.0780, 0.090},
	{"KR", "South Korea", "ASIA", []string{"82"}, 0.0500, 0.040},
	{"PH", "Philippines", "ASIA", []string{"63"}, 0.2200, 0.200},
	{"ID", "Indonesia", "ASIA", []string{"62"}, 0.4200, 0.110},
	{"VN", "Vietnam", "ASIA", []string{"84"}, 0.0900, 0.120},
	{"TH", "Thailand", "ASIA", []string{"66"}, 0.0300, 0.060},
	{"SG", "Singapore", "ASIA", []string{"65"}, 0.0500, 0.020},
	{"AU", "Australia", "OCEANIA", []string{"61"}, 0.0515, 0.035},
	{"NZ", "New Zealand", "OCEANIA", []string{"64"}, 0.1100, 0.050},
	{"BR", "Brazil", "SOUTH_AMERICA", []string{"55"}, 0.0600, 0.030},
	{"AR", "Argentina", "SOUTH_AMERICA", []string{"54"}, 0.0800, 0.060},
	{"CO", "Colombia", "SOUTH_AMERICA", []string{"57"}, 0.0100, 0.030},
	{"NG", "Nigeria", "AFRICA", []string{"234"}, 0.4800, 0.270},
	{"GH", "Ghana", "AFRICA", []string{"233"}, 0.2800, 0.300},
	{"KE", "Kenya", "AFRICA", []string{"254"}, 0.2000, 0.170},
	{"ZA", "South Africa", "AFRICA", []string{"27"}, 0.0300, 0.040},
	{"EG", "Egypt", "AFRICA", []string{"20"}, 0.1900, 0.250},
	{"MA", "Morocco", "AFRICA", []string{"212"}, 0.2000, 0.350},
	{"DZ", "Algeria", "AFRICA", []string{"213"}, 0.3600, 0.420},
	{"TN", "Tunisia", "AFRICA", []string{"216"}, 0.3400, 0.380},
	{"CU", "Cuba", "NORTH_AMERICA", []string{"53"}, 0.5000, 1.100},
	{"IR", "Iran", "ASIA", []string{"98"}, 0.5000, 0.300},
	{"SY", "Syria", "ASIA", []string{"963"}, 0.5000, 0.400},
}

func countryByISO(iso string) (country, bool) {
	for _, c := range countryTable {
		if c.iso == iso {
			return c, true
		}
	}
	return country{}, false
}

// countryOfNumber maps an E.164 number to a country by calling-code prefix
// (+1 is reported as US).
func countryOfNumber(e164 string) (country, bool) {
	n, ok := strings.CutPrefix(e164, "+")
	if !ok {
		return country{}, false
	}
	best, bestLen := country{}, 0
	for _, c := range countryTable {
		for _, code := range c.codes {
			if len(code) > bestLen && strings.HasPrefix(n, code) && (bestLen == 0 || c.iso != "CA") {
				best, bestLen = c, len(code)
			}
		}
	}
	return best, bestLen > 0
}

func smsPrice(to string) float64 {
	if c, ok := countryOfNumber(to); ok {
		return c.sms
	}
	return 0.05
}

// smsHighRisk: countries whose SMS permission only the Console may change (30649).
func smsHighRisk(iso string) bool {
	return slices.Contains([]string{"BD", "IL", "NG", "PK", "PS", "LK", "AZ", "TJ", "OM", "TN", "DZ"}, iso)
}

// smsUnsupported: countries Twilio does not send to.
func smsUnsupported(iso string) bool { return iso == "IR" || iso == "SY" || iso == "CU" }

// homeCountries are enabled by default (a new account's usual state).
func homeCountry(iso string) bool { return iso == "US" || iso == "CA" }

func defaultVoicePerms() map[string]*voicePerm {
	out := make(map[string]*voicePerm, len(countryTable))
	for _, c := range countryTable {
		p := &voicePerm{}
		p.ISOCode, p.Name, p.LowRiskEnabled = c.iso, c.name, homeCountry(c.iso)
		out[c.iso] = p
	}
	return out
}

func defaultSMSPerms() map[string]*smsPerm {
	out := make(map[string]*smsPerm, len(countryTable))
	for _, c := range countryTable {
		p := &smsPerm{}
		p.CountryCode, p.Enabled, p.HighRisk = c.iso, homeCountry(c.iso), smsHighRisk(c.iso)
		out[c.iso] = p
	}
	return out
}
