package phish

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/publicsuffix"
)

// Template reduces a message body to the key of its campaign: links become
// {url:registrable-domain} (paths and shortener codes vary per recipient),
// tokens with digits become {n} (codes, amounts, order numbers, phone
// numbers), e-mail addresses {email}, random-looking tokens {code} and
// capitalised words inside a sentence {name} (Hi John / Hi Mary). Case and
// spacing are folded. One campaign sent to many recipients maps to one key.
func Template(body string) string {
	if !utf8.ValidString(body) {
		body = strings.ToValidUTF8(body, "\uFFFD")
	}
	body, _ = deobfuscate(body)
	for _, l := range Extract(body) {
		key := l.Host
		if l.IP.IsValid() {
			key = "ip"
		} else if rd, err := publicsuffix.EffectiveTLDPlusOne(l.Host); err == nil {
			key = rd
		}
		body = strings.Replace(body, l.URL, " {url:"+key+"} ", 1)
	}
	var b strings.Builder
	sentenceStart := true
	for tok := range strings.FieldsSeq(body) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		word, punct := splitPunct(tok)
		switch {
		case strings.HasPrefix(tok, "{url:"):
			b.WriteString(tok)
			sentenceStart = false
			continue
		case word == "":
			b.WriteString(tok)
		case strings.ContainsFunc(word, unicode.IsDigit):
			b.WriteString("{n}")
		case strings.Contains(word, "@"):
			b.WriteString("{email}")
		case randomLooking(word):
			b.WriteString("{code}")
		case !sentenceStart && startsUpper(word) && !allUpper(word):
			b.WriteString("{name}")
		default:
			b.WriteString(strings.ToLower(word))
		}
		b.WriteString(punct)
		sentenceStart = strings.ContainsAny(punct, ".!?:")
	}
	return b.String()
}

// splitPunct separates trailing punctuation from a word ("John," → John ,).
func splitPunct(tok string) (string, string) {
	end := len(tok)
	for end > 0 {
		r, size := utf8.DecodeLastRuneInString(tok[:end])
		if !unicode.IsPunct(r) || r == '}' {
			break
		}
		end -= size
	}
	return tok[:end], tok[end:]
}

func startsUpper(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

func allUpper(w string) bool {
	return strings.ToUpper(w) == w
}

// randomLooking reports tokens like "aZ8kQ2xT" or "x7Fh-Qp": per-recipient
// codes rather than words (mixed case after the first letter, long).
func randomLooking(w string) bool {
	if len(w) < 6 {
		return false
	}
	upperInside := false
	for i, r := range w {
		if i > 0 && unicode.IsUpper(r) {
			upperInside = true
		}
	}
	return upperInside && !allUpper(w) && strings.ToLower(w[1:]) != w[1:] && !isCamelBrand(w)
}

// isCamelBrand keeps brand spellings like PayPal or WhatsApp as words.
func isCamelBrand(w string) bool {
	switch strings.ToLower(w) {
	case "paypal", "whatsapp", "icloud", "iphone", "fedex", "natwest", "youtube", "linkedin", "appleid":
		return true
	}
	return false
}
