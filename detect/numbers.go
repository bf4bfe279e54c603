package detect

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Number types, named after libphonenumber's.
const (
	TypeFixedLine     = "fixed-line"
	TypeMobile        = "mobile"
	TypeFixedOrMobile = "fixed-line-or-mobile"
	TypeTollFree      = "toll-free"
	TypePremiumRate   = "premium-rate"
	TypeSharedCost    = "shared-cost"
	TypeVoIP          = "voip"
	TypePersonal      = "personal-number"
	TypePager         = "pager"
	TypeUAN           = "uan"
	TypeVoicemail     = "voicemail"
	TypeUnknown       = "unknown"
)

// NumberInfo is what detect needs to know about one destination number.
type NumberInfo struct {
	E164        string // normalised "+<digits>", "" when not a phone number
	Valid       bool   // E.164 shaped with a known country calling code
	Region      string // ISO 3166 alpha-2, "" when unknown
	CountryCode int
	Type        string // one of the Type* constants
	National    uint64 // national significant number (sequential-run detection)
	NationalLen int
}

// PremiumLike reports number types that cost the caller extra and are the
// payout end of toll fraud (IRSF).
func (n NumberInfo) PremiumLike() bool {
	switch n.Type {
	case TypePremiumRate, TypeSharedCost, TypeUAN, TypePersonal:
		return true
	}
	return false
}

// numberClass is what the cache remembers for one prefix: parsing with
// libphonenumber costs microseconds, far too slow to do per message.
type numberClass struct {
	ok     bool
	region string
	cc     int
	ccLen  int
	typ    string
}

// Numbers classifies E.164 numbers with a per-prefix cache. Not safe for
// concurrent use; each detection run owns one.
type Numbers struct {
	cache map[string]numberClass
	zones map[string][]string
}

// NewNumbers returns an empty classifier.
func NewNumbers() *Numbers { return &Numbers{cache: make(map[string]numberClass, 1024)} }

// cacheKeyLen digits after '+' decide region (NANP needs the 3-digit area
// code after "1") and, with the length, almost always the number type.
const cacheKeyLen = 8

// Classify returns what is known about a destination ("+14155550100",
// "whatsapp:+4479…", a short code or an alphanumeric sender).
func (n *Numbers) Classify(raw string) NumberInfo {
	s := normaliseNumber(raw)
	if s == "" {
		return NumberInfo{Type: TypeUnknown}
	}
	digits := len(s) - 1
	if digits < 7 || digits > 15 {
		return NumberInfo{E164: s, Type: TypeUnknown}
	}
	keyLen := min(len(s), cacheKeyLen)
	// The key is the prefix plus the length: national patterns are length-bound.
	var kb [cacheKeyLen + 1]byte
	copy(kb[:], s[:keyLen])
	kb[keyLen] = byte(len(s))
	c, hit := n.cache[string(kb[:keyLen+1])]
	if !hit {
		c = classifySlow(s)
		n.cache[string(kb[:keyLen+1])] = c
	}
	info := NumberInfo{E164: s, Type: TypeUnknown}
	if !c.ok {
		return info
	}
	info.Valid, info.Region, info.CountryCode, info.Type = true, c.region, c.cc, c.typ
	var nat uint64
	for i := 1 + c.ccLen; i < len(s); i++ {
		nat = nat*10 + uint64(s[i]-'0')
	}
	info.National, info.NationalLen = nat, len(s)-1-c.ccLen
	return info
}

// normaliseNumber strips channel prefixes and punctuation and returns
// "+digits", or "" when raw is not an international number.
func normaliseNumber(raw string) string {
	if len(raw) > 0 && raw[0] != '+' {
		if i := strings.LastIndexByte(raw, ':'); i >= 0 { // whatsapp:, sms:, tel:
			raw = raw[i+1:]
		}
	}
	if len(raw) == 0 || raw[0] != '+' {
		return ""
	}
	clean := true
	for i := 1; i < len(raw); i++ {
		if raw[i] < '0' || raw[i] > '9' {
			clean = false
			break
		}
	}
	if clean {
		return raw
	}
	b := make([]byte, 1, len(raw))
	b[0] = '+'
	for i := 1; i < len(raw); i++ {
		switch c := raw[i]; {
		case c >= '0' && c <= '9':
			b = append(b, c)
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			return ""
		}
	}
	return string(b)
}

func classifySlow(s string) (c numberClass) {
	defer func() {
		// libphonenumber is third-party code fed with attacker-chosen input:
		// a panic there must not take an investigation down.
		if recover() != nil {
			c = numberClass{}
		}
	}()
	num, err := phonenumbers.Parse(s, "")
	if err != nil || num.GetCountryCode() == 0 {
		return numberClass{}
	}
	cc := int(num.GetCountryCode())
	c = numberClass{ok: true, cc: cc, ccLen: len(itoa(cc)), typ: TypeUnknown}
	c.region = phonenumbers.GetRegionCodeForNumber(num)
	if c.region == "" || c.region == "ZZ" {
		c.region = phonenumbers.GetRegionCodeForCountryCode(cc)
		if c.region == "ZZ" {
			c.region = ""
		}
		if c.region == "001" { // non-geographic entities (satellite, intl networks)
			c.region = ""
		}
	}
	if c.region == "001" {
		c.region = ""
	}
	c.typ = typeName(phonenumbers.GetNumberType(num))
	// The country code must really be a prefix of the string we index.
	if 1+c.ccLen > len(s) || s[1:1+c.ccLen] != itoa(cc) {
		return numberClass{}
	}
	return c
}

func typeName(t phonenumbers.PhoneNumberType) string {
	switch t {
	case phonenumbers.FIXED_LINE:
		return TypeFixedLine
	case phonenumbers.MOBILE:
		return TypeMobile
	case phonenumbers.FIXED_LINE_OR_MOBILE:
		return TypeFixedOrMobile
	case phonenumbers.TOLL_FREE:
		return TypeTollFree
	case phonenumbers.PREMIUM_RATE:
		return TypePremiumRate
	case phonenumbers.SHARED_COST:
		return TypeSharedCost
	case phonenumbers.VOIP:
		return TypeVoIP
	case phonenumbers.PERSONAL_NUMBER:
		return TypePersonal
	case phonenumbers.PAGER:
		return TypePager
	case phonenumbers.UAN:
		return TypeUAN
	case phonenumbers.VOICEMAIL:
		return TypeVoicemail
	}
	return TypeUnknown
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// highRiskRegions are destinations Twilio and carriers list as high risk for
// SMS pumping or international revenue share fraud (IRSF): Twilio's own
// "High Risk Country" SMS permissions (error 30649 list) plus commonly
// abused IRSF ranges. It is a guide, not a block list: traffic there is a
// signal only when the baseline did not already send there.
func highRiskRegions() map[string]string {
	return map[string]string{
		// Twilio high-risk SMS countries (error 30649).
		"BD": "Twilio high-risk SMS", "IL": "Twilio high-risk SMS", "NG": "Twilio high-risk SMS",
		"PK": "Twilio high-risk SMS", "PS": "Twilio high-risk SMS", "LK": "Twilio high-risk SMS",
		"AZ": "Twilio high-risk SMS", "TJ": "Twilio high-risk SMS", "OM": "Twilio high-risk SMS",
		"TN": "Twilio high-risk SMS", "DZ": "Twilio high-risk SMS",
		// Frequent IRSF / toll-fraud destinations.
		"CU": "IRSF", "SO": "IRSF", "SL": "IRSF", "GN": "IRSF", "GW": "IRSF", "GM": "IRSF",
		"TD": "IRSF", "CF": "IRSF", "ST": "IRSF", "GQ": "IRSF", "AC": "IRSF", "SH": "IRSF",
		"LR": "IRSF", "ER": "IRSF", "KM": "IRSF", "MR": "IRSF", "ML": "IRSF", "BF": "IRSF",
		"LV": "IRSF", "LT": "IRSF", "EE": "IRSF", "RS": "IRSF", "BA": "IRSF", "AL": "IRSF",
		"MD": "IRSF", "BY": "IRSF", "TM": "IRSF", "UZ": "IRSF", "KG": "IRSF",
		"GY": "IRSF", "SR": "IRSF", "HT": "IRSF", "JM": "IRSF", "DO": "IRSF",
		"PG": "IRSF", "TO": "IRSF", "SB": "IRSF", "VU": "IRSF", "CK": "IRSF", "NU": "IRSF",
		"KI": "IRSF", "NC": "IRSF", "TV": "IRSF", "TK": "IRSF", "FM": "IRSF", "MH": "IRSF",
		"NR": "IRSF", "WS": "IRSF", "PW": "IRSF", "MV": "IRSF",
		"IR": "sanctioned", "SY": "sanctioned", "KP": "sanctioned",
	}
}

// highRiskCountryCodes are non-geographic calling codes (satellite and
// international networks) that carry toll fraud.
func highRiskCountryCodes() map[int]string {
	return map[int]string{870: "satellite", 881: "satellite", 882: "international network", 883: "international network", 979: "premium international", 808: "shared cost international"}
}

// Countries returns the sorted ISO regions of the numbers (those without a
// known region are left out): the countries an account's traffic reached.
func (n *Numbers) Countries(numbers []string) []string {
	set := map[string]bool{}
	for _, raw := range numbers {
		if info := n.Classify(raw); info.Region != "" {
			set[info.Region] = true
		}
	}
	return sortedKeys(set)
}
