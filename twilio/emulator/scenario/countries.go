package scenario

import (
	"slices"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// country holds what the generator needs to know about a destination.
// Prices are approximate Twilio list prices in USD (outbound SMS per segment,
// outbound voice per minute to mobiles); good enough to make costs realistic,
// not a price list.
type country struct {
	ISO      string
	SMSPrice float64
	VoiceMin float64
	// Mobile holds national-number prefixes of mobile ranges; random digits
	// complete them and libphonenumber confirms the result. Empty: derive from
	// libphonenumber's example number.
	Mobile []string
}

func countryTable() []country {
	return []country{
		{ISO: "US", SMSPrice: 0.0083, VoiceMin: 0.014, Mobile: []string{"201", "206", "212", "303", "305", "312", "404", "415", "512", "617", "702", "713", "818", "917"}},
		{ISO: "CA", SMSPrice: 0.0083, VoiceMin: 0.014, Mobile: []string{"416", "437", "514", "604", "613", "647", "778", "403"}},
		{ISO: "GB", SMSPrice: 0.0524, VoiceMin: 0.040, Mobile: []string{"74", "75", "77", "78", "79"}},
		{ISO: "IE", SMSPrice: 0.0705, VoiceMin: 0.060, Mobile: []string{"83", "85", "86", "87"}},
		{ISO: "DE", SMSPrice: 0.0945, VoiceMin: 0.050, Mobile: []string{"151", "152", "157", "160", "170", "171", "176"}},
		{ISO: "FR", SMSPrice: 0.0798, VoiceMin: 0.045, Mobile: []string{"6", "7"}},
		{ISO: "ES", SMSPrice: 0.0819, VoiceMin: 0.045, Mobile: []string{"6"}},
		{ISO: "MX", SMSPrice: 0.0405, VoiceMin: 0.035, Mobile: []string{"155", "181", "133", "222"}},
		{ISO: "AU", SMSPrice: 0.0515, VoiceMin: 0.045, Mobile: []string{"4"}},
		// High-cost destinations favoured by SMS pumping and toll fraud.
		{ISO: "UZ", SMSPrice: 0.2515, VoiceMin: 0.240},
		{ISO: "KG", SMSPrice: 0.2151, VoiceMin: 0.210},
		{ISO: "TJ", SMSPrice: 0.3164, VoiceMin: 0.260},
		{ISO: "AZ", SMSPrice: 0.3025, VoiceMin: 0.280},
		{ISO: "ID", SMSPrice: 0.4130, VoiceMin: 0.150},
		{ISO: "MM", SMSPrice: 0.2536, VoiceMin: 0.300},
		{ISO: "SO", SMSPrice: 0.1750, VoiceMin: 1.200},
		{ISO: "MV", SMSPrice: 0.1520, VoiceMin: 1.050},
		{ISO: "LV", SMSPrice: 0.0860, VoiceMin: 0.650},
	}
}

// lookupCountry returns the table entry for iso, or a default with plausible
// prices for a country the table does not list.
func lookupCountry(iso string) country {
	for _, c := range countryTable() {
		if c.ISO == iso {
			return c
		}
	}
	return country{ISO: iso, SMSPrice: 0.10, VoiceMin: 0.20}
}

// smsHighRisk lists countries whose SMS geo permission only the Console may
// change (Twilio error 30649).
func smsHighRisk(iso string) bool {
	switch iso {
	case "BD", "IL", "NG", "PK", "PS", "LK", "AZ", "TJ", "OM", "TN", "DZ":
		return true
	}
	return false
}

// allRegions is every region libphonenumber knows, sorted (the map it
// returns has no order).
func allRegions() []string {
	m := phonenumbers.GetSupportedRegions()
	out := make([]string, 0, len(m))
	for r := range m {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

// countryName is the English name of a region, e.g. "United Kingdom".
func countryName(iso string) string {
	r, err := language.ParseRegion(iso)
	if err != nil {
		return iso
	}
	if n := display.English.Regions().Name(r); n != "" {
		return n
	}
	return iso
}

// validCountry reports whether iso is a region libphonenumber knows.
func validCountry(iso string) bool {
	return phonenumbers.GetCountryCodeForRegion(iso) != 0
}
