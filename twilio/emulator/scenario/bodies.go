package scenario

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Bodies are appended to a shared buffer so that a day of messages costs one
// string allocation rather than one per message.

func appendDigits(b []byte, r *rand.Rand, n int) []byte {
	for range n {
		b = append(b, byte('0'+r.IntN(10)))
	}
	return b
}

func appendRef(b []byte, r *rand.Rand, n int) []byte {
	const refChars = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	for range n {
		b = append(b, refChars[r.IntN(len(refChars))])
	}
	return b
}

// appendBody appends a legitimate message of the customer's kind. at is the
// local send time (appointments mention the next day).
func appendBody(b []byte, r *rand.Rand, p *profile, at time.Time) []byte {
	switch p.Kind {
	case trafficAppointments:
		return appendAppointment(b, r, p, at)
	case trafficShipping:
		if p.Lang == "de" {
			return appendShipment(b, r, p, ": Ihre Sendung ", 8, " ist unterwegs. Sendungsverfolgung: https://", "/sendung/", 8)
		}
		if r.IntN(3) == 0 {
			b = append(b, "Good news "...)
			b = append(b, firstNames()[r.IntN(20)]...)
			b = append(b, ", your "...)
			return appendShipment(b, r, p, " order #", 6, " is out for delivery today. Details: https://", "/orders/", 6)
		}
		return appendShipment(b, r, p, ": your order #", 6, " has shipped! Track it here: https://", "/track/", 8)
	}
	return appendOTP(b, r, p.Name)
}

// appendShipment appends a shipping notice with a tracking link, laid out as
// name, order, digits random digits, link, domain, path, refLen-long reference.
func appendShipment(b []byte, r *rand.Rand, p *profile, order string, digits int, link, path string, refLen int) []byte {
	b = append(b, p.Name...)
	b = append(b, order...)
	b = appendDigits(b, r, digits)
	b = append(b, link...)
	b = append(b, p.Domain...)
	b = append(b, path...)
	return appendRef(b, r, refLen)
}

func appendOTP(b []byte, r *rand.Rand, brand string) []byte {
	switch r.IntN(3) {
	case 0:
		b = append(b, "Your "...)
		b = append(b, brand...)
		b = append(b, " verification code is "...)
		b = appendDigits(b, r, 6)
		return append(b, ". It expires in 10 minutes."...)
	case 1:
		b = appendDigits(b, r, 6)
		b = append(b, " is your "...)
		b = append(b, brand...)
		return append(b, " login code. Don't share it with anyone."...)
	}
	b = append(b, brand...)
	b = append(b, ": use code "...)
	b = appendDigits(b, r, 6)
	return append(b, " to confirm your sign-in. If this wasn't you, ignore this message."...)
}

func appendAppointment(b []byte, r *rand.Rand, p *profile, at time.Time) []byte {
	next := at.AddDate(0, 0, 1)
	if r.IntN(3) == 0 {
		b = append(b, p.Name...)
		b = append(b, ": your visit is tomorrow at "...)
		b = appendClock(b, r)
		b = append(b, ". Need to change it? https://"...)
		b = append(b, p.Domain...)
		return append(b, "/appointments"...)
	}
	b = append(b, "Hi "...)
	b = append(b, firstNames()[r.IntN(20)]...)
	b = append(b, ", this is a reminder of your appointment at "...)
	b = append(b, p.Name...)
	b = append(b, " on "...)
	b = next.AppendFormat(b, "Mon 2 Jan")
	b = append(b, " at "...)
	b = appendClock(b, r)
	b = append(b, ". Reply C to confirm or R to reschedule: https://"...)
	b = append(b, p.Domain...)
	b = append(b, "/a/"...)
	return appendRef(b, r, 6)
}

func appendClock(b []byte, r *rand.Rand) []byte {
	h := 8 + r.IntN(10)
	m := []string{"00", "15", "30", "45"}[r.IntN(4)]
	suffix := " AM"
	if h >= 12 {
		suffix = " PM"
	}
	if h > 12 {
		h -= 12
	}
	b = strconv.AppendInt(b, int64(h), 10)
	b = append(b, ':')
	b = append(b, m...)
	return append(b, suffix...)
}

// replies are what recipients text back.
func replies() []string {
	return []string{"C", "Yes", "Thanks!", "STOP", "Confirmed", "R", "ok", "Y", "Can I move it to Friday?"}
}

// gsm7 holds the GSM 03.38 default alphabet beyond ASCII letters and
// digits; gsm7Ext the extension table, whose characters take two septets.
const (
	gsm7    = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà"
	gsm7Ext = "^{}\\[~]|€\f"
)

// asciiSeptets gives septets per ASCII character ('0': not GSM-7), the fast
// path for the ASCII bodies that make up most traffic.
const asciiSeptets = "00000000001021000000000000000000111111111111111111111111111111111111111111111111111111111112222101111111111111111111111111122220"

// septets is how many GSM-7 septets a character takes (0: not GSM-7).
func septets(c rune) int {
	switch {
	case c < 0x80:
		return int(asciiSeptets[c] - '0')
	case strings.ContainsRune(gsm7, c):
		return 1
	case strings.ContainsRune(gsm7Ext, c):
		return 2
	}
	return 0
}

// segments counts SMS segments: GSM-7 160/153 septets, otherwise UCS-2
// 70/67 characters.
func segments(body string) int {
	n, runes, ucs2 := 0, 0, false
	for _, c := range body {
		runes++
		s := septets(c)
		n += s
		ucs2 = ucs2 || s == 0
	}
	return segmentCount(n, runes, ucs2)
}

// segmentsBytes is segments for a body still in the day's buffer.
func segmentsBytes(body []byte) int {
	n, runes, ucs2 := 0, 0, false
	for i := 0; i < len(body); runes++ {
		s := 0
		if c := body[i]; c < 0x80 {
			s = int(asciiSeptets[c] - '0')
			i++
		} else {
			r, size := utf8.DecodeRune(body[i:])
			s = septets(r)
			i += size
		}
		n += s
		ucs2 = ucs2 || s == 0
	}
	return segmentCount(n, runes, ucs2)
}

func segmentCount(septets, runes int, ucs2 bool) int {
	if ucs2 {
		if runes <= 70 {
			return 1
		}
		return (runes + 66) / 67
	}
	if septets <= 160 {
		return 1
	}
	return (septets + 152) / 153
}
