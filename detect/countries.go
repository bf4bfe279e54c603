package detect

import (
	"slices"
	"strings"

	"github.com/atoguard/atoguard"
	"github.com/nyaruka/phonenumbers"
)

// ValidCountry reports whether code is an ISO 3166-1 alpha-2 code of a
// region with telephone numbers (libphonenumber's region list: the
// countries Twilio's geo permissions name). Upper case only.
func ValidCountry(code string) bool {
	if len(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' {
		return false
	}
	return phonenumbers.GetCountryCodeForRegion(code) != 0
}

// ParseCountries is the one reader of country lists (audit and respond,
// flag or config file): values may hold several comma-separated codes, any
// case; the result is upper case, sorted, without repeats. A code that is
// not a valid ISO 3166-1 alpha-2 country is an EINVALID error of op naming
// setting (such as "--allow-countries").
func ParseCountries(op, setting string, values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		for _, c := range strings.Split(v, ",") {
			code := strings.ToUpper(strings.TrimSpace(c))
			if code == "" {
				continue
			}
			if !ValidCountry(code) {
				return nil, atoguard.Errorf(atoguard.EINVALID, op, "%s %q is not an ISO 3166-1 alpha-2 country code: want two letters such as US, GB, DE%s",
					setting, strings.TrimSpace(c), countryHint(code))
			}
			out = append(out, code)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// countryHint suggests the code people most often mean by a common mistake.
func countryHint(code string) string {
	if alt, ok := map[string]string{"UK": "GB", "USA": "US", "EL": "GR"}[code]; ok {
		return " (did you mean " + alt + "?)"
	}
	return ""
}
