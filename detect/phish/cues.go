package phish

import "strings"

// cueCategories are the lures of phishing texts, by kind. A link that is
// already suspicious gets more suspicious with each kind present; words
// alone never make a message phishing (OTP texts say "verify" too).
func cueCategories() [][2]string {
	return [][2]string{
		{"urgency", "urgent|immediately|within 24|within 48|final notice|last warning|act now|today only|expires today|expire"},
		{"account-threat", "suspended|suspend|locked|lock|restricted|limited|disabled|deactivat|unusual activity|unusual sign|unauthorized|unauthorised|security alert|compromised|blocked|fraud alert|terminated|disconnect|outstanding|overdue|unpaid|past due|penalt|late fee|toll|debt"},
		{"credential", "verify|verification|confirm|password|log in|login|sign in|signin|update your|update payment|billing|payment details|card details|credentials|reactivate|re-activate|validate"},
		{"lure", "prize|winner|you won|you have won|refund|reward|gift card|claim|bonus|free |rebate|cashback|compensation"},
		{"delivery", "package|parcel|delivery|redeliver|shipment|customs|on hold|held at|reschedule|address incomplete"},
	}
}

// actionWords ask the reader to do something with the link.
var actionWords = []string{"click", "tap ", "visit", "pay ", "pay:", "update", "confirm", "verify", "follow", "go to",
	"open ", "log in", "login", "sign in", "check ", "reschedule", "settle", "claim", "avoid", "here:", "link"}

// lureIntent reports a body whose words carry a phishing intent (a threat
// to the account, a debt or toll, a parcel, a prize or refund) and ask for
// an action: with a link that is not the brand's own, that is the shape of
// a smishing text even when the link's host says nothing.
func lureIntent(cues []string, lower string) bool {
	intent := false
	for _, c := range cues {
		if c == "account-threat" || c == "lure" || c == "delivery" {
			intent = true
		}
	}
	if !intent {
		return false
	}
	for _, w := range actionWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// cue is one lure phrase and its category.
type cue struct {
	phrase   string
	category int // index into cueCategories
}

// cueIndex keys the phrases by their first four bytes so that a body is
// scanned once, word start by word start.
func cueIndex() map[string][]cue {
	idx := map[string][]cue{}
	for k, c := range cueCategories() {
		for w := range strings.SplitSeq(c[1], "|") {
			idx[w[:4]] = append(idx[w[:4]], cue{w, k})
		}
	}
	return idx
}

// bodyCues returns the cue categories present in a lower-cased body, in
// the order of cueCategories.
func (a *Analyzer) bodyCues(lower string) []string {
	var found [8]bool
	hit := false
	for i := 0; i+4 <= len(lower); i++ {
		if i > 0 && isASCIILetter(lower[i-1]) {
			continue
		}
		for _, c := range a.cues[lower[i:i+4]] {
			if strings.HasPrefix(lower[i:], c.phrase) {
				found[c.category], hit = true, true
			}
		}
	}
	if !hit {
		return nil
	}
	var out []string
	for k, cat := range cueCategories() {
		if found[k] {
			out = append(out, cat[0])
		}
	}
	return out
}

// domainWords reports credential words in the host's own labels
// (verify-account-center.com); brand hosts never get here.
func domainWords(prefix string) bool {
	n := 0
	for w := range strings.FieldsFuncSeq(prefix, func(r rune) bool { return r == '-' || r == '.' || r == '_' }) {
		switch w {
		case "verify", "verification", "secure", "security", "login", "signin", "account", "accounts",
			"update", "auth", "billing", "wallet", "unlock", "recovery", "restore", "confirm",
			"validate", "suspended", "locked", "alert", "alerts", "support", "helpdesk", "reactivate",
			"redelivery", "redeliver", "delivery", "parcel", "tracking", "refund", "payment", "id":
			n++
		}
	}
	return n >= 1
}

// suspiciousTLD lists top-level domains that carry far more phishing than
// their share of the web (cheap or free registrations, file-name look-alikes).
func suspiciousTLD(tld string) bool {
	switch tld {
	case "tk", "ml", "ga", "cf", "gq", "top", "xyz", "zip", "mov", "click", "country", "work",
		"support", "buzz", "icu", "cyou", "rest", "cam", "quest", "sbs", "bond", "cfd", "monster",
		"lol", "live", "shop", "info", "online", "site", "vip", "loan", "win", "ru", "su", "cn":
		return true
	}
	return false
}

// shorteners are URL shorteners: the real target is hidden (and never
// fetched here). Brands' own shorteners (amzn.to, aka.ms) are official
// domains in the brand list and never reach this check.
func shorteners() []string {
	return []string{
		"bit.ly", "bitly.com", "tinyurl.com", "t.co", "is.gd", "cutt.ly", "rb.gy", "ow.ly",
		"buff.ly", "shorturl.at", "tiny.cc", "v.gd", "s.id", "t.ly", "rebrand.ly", "bl.ink",
		"short.gy", "qrco.de", "x.co", "2.gy", "urlz.fr", "tr.im", "clck.ru", "u.to", "goo.su",
		"gg.gg", "shorte.st", "adf.ly", "bit.do", "cli.gs", "soo.gd", "tiny.one", "shrtco.de",
		"t2m.io", "lnkd.in", "dub.sh", "tinu.be", "zpr.io", "short.link", "ouo.io", "linktr.ee",
		"l.ead.me", "surl.li", "inx.lv", "shorturl.gg", "1url.cz", "did.li", "y2u.be", "han.gl",
	}
}

// commonWord guards typosquat matching: real words one edit away from a
// brand token (apply ~ apple, email ~ gmail, mobile ~ tmobile).
func commonWord(w string) bool {
	switch w {
	case "apply", "ample", "apples", "email", "emails", "gmal", "goggle", "goggles", "googly", "googol",
		"mobile", "cloud", "clouds", "chose", "chasm", "cease", "chaste", "chased", "chaser", "chases",
		"floyds", "amazin", "amazing", "fedexx", "verizons", "horizon", "twilight", "netflex",
		"instagrams", "outlooks", "hotmale", "vodafon", "santa", "barclay", "lloyd", "paypals", "amazons",
		"office", "offices", "capital", "wells", "wellsfargos", "citizen", "twiliio":
		return true
	}
	return false
}

// fillerWord lists more words glued around a brand in phishing hosts
// (dhlexpress, usps-tracking-center); see filler.
func fillerWord(w string) bool {
	switch w {
	case "express", "center", "centre", "portal", "logon", "log", "in", "sign", "access", "confirm",
		"client", "customer", "customers", "home", "net", "uk", "us", "usa", "ca", "au", "de", "fr", "es",
		"official", "post", "tax", "toll", "tolls", "bill", "gov", "mobile", "sms", "check", "notice",
		"info", "reward", "gift", "prize", "claim", "now", "today", "new", "free", "the", "your", "user",
		"member", "members", "cash", "money", "fund", "funds", "transfer", "crypto", "trace", "package",
		"shipping", "ship", "shipment", "deliver", "redelivery", "notify", "notification", "case",
		"resolution", "locked", "restore", "review", "validate", "validation", "safe", "protect",
		"fraud", "dispute", "invoice", "order", "orders", "status", "rebate", "settings", "profile",
		"manage", "apps", "page", "site", "www", "cloud", "store", "shop", "prime", "plus", "pro", "mail",
		"email", "box", "drive", "docs", "share", "file", "files", "doc", "ads", "ad", "business":
		return true
	}
	return false
}

// lureWord lists the words phishers glue to a brand in one label.
func lureWord(w string) bool {
	switch w {
	case "my", "secure", "security", "login", "signin", "account", "accounts", "verify", "verification",
		"support", "update", "online", "alert", "alerts", "help", "id", "billing", "service", "services",
		"bank", "banking", "pay", "payment", "card", "cards", "auth", "unlock", "recovery", "delivery",
		"parcel", "track", "tracking", "refund", "rewards", "wallet", "app", "mail", "web", "team", "care":
		return true
	}
	return false
}
