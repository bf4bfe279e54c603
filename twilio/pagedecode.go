package twilio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/atoguard/atoguard"
)

// A hand-written decoder for Messages pages, the one list that runs to
// millions of records in an investigation. encoding/json spends most of its
// time on reflection and on fields atoguard ignores (subresource_uris, uri,
// api_version…); this decoder reads the fields it needs and skips the rest
// without allocating. FuzzDecodeMessages checks it against encoding/json.

var errSyntax = errors.New("invalid JSON")

type jsonReader struct {
	b []byte
	i int
	// last values of repeated low-cardinality fields, to share strings
	intern [8]string
}

func (s *jsonReader) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// expect consumes byte c after whitespace.
func (s *jsonReader) expect(c byte) error {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != c {
		return errSyntax
	}
	s.i++
	return nil
}

// peek returns the next non-space byte (0 at the end).
func (s *jsonReader) peek() byte {
	s.ws()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

// rawString returns the bytes of a string literal without its quotes and
// whether it contains escapes; the reader is left after the closing quote.
func (s *jsonReader) rawString() ([]byte, bool, error) {
	if err := s.expect('"'); err != nil {
		return nil, false, err
	}
	start := s.i
	esc := false
	for s.i < len(s.b) {
		// Eight plain bytes at a time (no quote, backslash or control
		// character): most of a page is string content.
		for s.i+8 <= len(s.b) && plain8(binary.LittleEndian.Uint64(s.b[s.i:])) {
			s.i += 8
		}
		if s.i >= len(s.b) {
			break
		}
		c := s.b[s.i]
		switch {
		case c == '"':
			raw := s.b[start:s.i]
			s.i++
			return raw, esc, nil
		case c == '\\':
			esc = true
			if s.i+1 >= len(s.b) {
				return nil, false, errSyntax
			}
			switch s.b[s.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i += 2
			case 'u':
				if _, ok := hex4(s.b, s.i+2); !ok {
					return nil, false, errSyntax
				}
				s.i += 6
			default:
				return nil, false, errSyntax
			}
		case c < 0x20:
			return nil, false, errSyntax
		default:
			s.i++
		}
	}
	return nil, false, errSyntax
}

// plain8 reports whether none of the 8 bytes of w is '"', '\\' or < 0x20
// (SWAR: a byte b matches when b^c, or b itself for "< 0x20", borrows).
func plain8(w uint64) bool {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	q := w ^ (ones * '"')
	bs := w ^ (ones * '\\')
	hit := ((q - ones) &^ q) | ((bs - ones) &^ bs) | ((w - ones*0x20) &^ w)
	return hit&highs == 0
}

// str reads a string or null ("" for null).
func (s *jsonReader) str() (string, error) {
	return s.internStr(-1)
}

// internStr reads a string or null ("" for null), reusing the previous
// value of slot k when equal (k < 0: no slot).
func (s *jsonReader) internStr(k int) (string, error) {
	if s.peek() == 'n' {
		return "", s.null()
	}
	raw, esc, err := s.rawString()
	if err != nil {
		return "", err
	}
	if k >= 0 && !esc && string(raw) == s.intern[k] { // no allocation for the comparison
		return s.intern[k], nil
	}
	var v string
	switch {
	case esc:
		if v, err = unescape(raw); err != nil {
			return "", err
		}
	case !utf8.Valid(raw):
		v = string(fixUTF8(raw))
	default:
		v = string(raw)
	}
	if k >= 0 {
		s.intern[k] = v
	}
	return v, nil
}

func (s *jsonReader) null() error {
	s.ws()
	return s.lit("null")
}

// number reads a JSON number, a numeric string or null leniently (0 when
// unreadable), like num.
func (s *jsonReader) number() (float64, error) {
	switch s.peek() {
	case 'n':
		return 0, s.null()
	case '"':
		raw, _, err := s.rawString()
		if err != nil {
			return 0, err
		}
		f, perr := strconv.ParseFloat(string(raw), 64)
		if perr != nil {
			return 0, nil
		}
		return f, nil
	case 't', 'f', '{', '[':
		return 0, s.skip()
	}
	start := s.i
	if !s.numberSyntax() {
		return 0, errSyntax
	}
	f, err := strconv.ParseFloat(string(s.b[start:s.i]), 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, nil // valid JSON, out of range: lenient zero like num
		}
		return 0, errSyntax
	}
	return f, nil
}

// numberSyntax consumes a number per the JSON grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *jsonReader) numberSyntax() bool {
	digits := func() int {
		n := 0
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case digits() == 0:
		return false
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if digits() == 0 {
			return false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			return false
		}
	}
	return true
}

// timestamp reads a Twilio date string or null leniently.
func (s *jsonReader) timestamp() (time.Time, error) {
	if s.peek() != '"' {
		if s.peek() == 'n' {
			return time.Time{}, s.null()
		}
		return time.Time{}, s.skip()
	}
	raw, esc, err := s.rawString()
	if err != nil {
		return time.Time{}, err
	}
	if t, ok := parseRFC1123Z(raw); ok {
		return t, nil
	}
	v := string(raw)
	if esc {
		if v, err = unescape(raw); err != nil {
			return time.Time{}, nil
		}
	}
	t, _ := parseTime(v)
	return t, nil
}

// skip skips any JSON value.
func (s *jsonReader) skip() error {
	switch s.peek() {
	case '"':
		_, _, err := s.rawString()
		return err
	case '{':
		return s.object(false, func([]byte) error { return s.skip() })
	case '[':
		return s.array(s.skip)
	case 't':
		return s.lit("true")
	case 'f':
		return s.lit("false")
	case 'n':
		return s.null()
	case 0:
		return errSyntax
	}
	_, err := s.number()
	return err
}

func (s *jsonReader) lit(l string) error {
	if len(s.b)-s.i >= len(l) && string(s.b[s.i:s.i+len(l)]) == l {
		s.i += len(l)
		return nil
	}
	return errSyntax
}

// array calls elem for each element of an array; elem must consume it.
func (s *jsonReader) array(elem func() error) error {
	if err := s.expect('['); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return errSyntax
		}
	}
}

// object calls field for each key of an object; field must consume the
// value.
func (s *jsonReader) object(fold bool, field func(key []byte) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		key, esc, err := s.rawString()
		if err != nil {
			return err
		}
		if esc {
			k, err := unescape(key)
			if err != nil {
				return err
			}
			key = []byte(k)
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		// encoding/json matches struct field names case-insensitively; so
		// do we (ASCII only, which covers every name we look for). The list
		// envelope is matched exactly, like decodePage.
		for i, c := range key {
			if !fold {
				break
			}
			if c >= 'A' && c <= 'Z' {
				lower := make([]byte, len(key))
				copy(lower, key)
				for j := i; j < len(lower); j++ {
					if lower[j] >= 'A' && lower[j] <= 'Z' {
						lower[j] += 'a' - 'A'
					}
				}
				key = lower
				break
			}
		}
		if err := field(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return errSyntax
		}
	}
}

// decodeMessagesPage decodes a 2010 Messages list body.
func decodeMessagesPage(body []byte, out []atoguard.Message) ([]atoguard.Message, string, error) {
	return decodeList(body, "messages", out, (*jsonReader).message)
}

// decodeList decodes a list body: the items under key with item, the next
// link from next_page_uri (2010) or meta.next_page_url (v1), everything
// else skipped — matching decodePage's reading of the envelope.
func decodeList[T any](body []byte, key string, out []T, item func(*jsonReader, *T) error) ([]T, string, error) {
	s := &jsonReader{b: body}
	var next string
	found := false
	err := s.object(false, func(k []byte) error {
		switch string(k) {
		case key:
			found = true
			out = out[:0] // a repeated key replaces, as in encoding/json
			if s.peek() == 'n' {
				return s.null()
			}
			var zero T
			return s.array(func() error {
				// Decode in place: a local passed to item would escape to
				// the heap, one allocation per record.
				out = append(out, zero)
				return item(s, &out[len(out)-1])
			})
		case "next_page_uri":
			if s.peek() == 'n' {
				return s.null() // null leaves the link as it was
			}
			v, err := s.str()
			next = v
			return err
		case "meta":
			if s.peek() == 'n' {
				return s.null()
			}
			// Like decoding into a struct with a *string: the last
			// next_page_url wins, null included; null leaves next as it was.
			var link *string
			err := s.object(true, func(mk []byte) error {
				if string(mk) != "next_page_url" {
					return s.skip()
				}
				if s.peek() == 'n' {
					link = nil
					return s.null()
				}
				v, err := s.str()
				link = &v
				return err
			})
			if err == nil && link != nil {
				next = *link
			}
			return err
		}
		return s.skip()
	})
	if err == nil {
		if s.ws(); s.i != len(s.b) {
			err = errSyntax
		}
	}
	if err == nil && !found {
		err = fmt.Errorf("no %q array in list body", key)
	}
	return out, next, err
}

// callRec is a decoded call with the creation date ListCalls falls back to
// when a call never started.
type callRec struct {
	call    atoguard.Call
	created time.Time
}

func decodeCallsPage(body []byte, out []callRec) ([]callRec, string, error) {
	return decodeList(body, "calls", out, func(s *jsonReader, r *callRec) error {
		c := &r.call
		return s.record(&recordDst{sid: &c.SID, accountSID: &c.AccountSID, from: &c.From, to: &c.To,
			direction: &c.Direction, status: &c.Status, priceUnit: &c.PriceUnit, price: &c.Price,
			duration: &c.Duration, startTime: &c.StartTime, endTime: &c.EndTime, dateCreated: &r.created})
	})
}

func (s *jsonReader) message(m *atoguard.Message) error {
	return s.record(&recordDst{sid: &m.SID, accountSID: &m.AccountSID, serviceSID: &m.MessagingServiceSID,
		from: &m.From, to: &m.To, body: &m.Body, direction: &m.Direction, status: &m.Status,
		priceUnit: &m.PriceUnit, price: &m.Price, numSegments: &m.NumSegments, errorCode: &m.ErrorCode,
		dateCreated: &m.DateCreated, dateSent: &m.DateSent})
}

// recordDst says where the fields of a Messages or Calls element go; a
// field whose destination is nil is skipped (a call has no body), except
// price, which both have. One
// decoder over pointers keeps a single switch per key.
type recordDst struct {
	sid, accountSID, serviceSID, from, to, body, direction, status, priceUnit *string
	numSegments, errorCode, duration                                          *int
	price                                                                     *float64
	dateCreated, dateSent, startTime, endTime                                 *time.Time
}

// record decodes one list element into d: null is the zero record, a null
// string leaves the field as it was (like encoding/json), numbers and dates
// are lenient, and the price is stored as its absolute value.
func (s *jsonReader) record(d *recordDst) error {
	if s.peek() == 'n' {
		return s.null()
	}
	var price float64
	err := s.object(true, func(key []byte) error {
		// Intern slots: the low-cardinality fields repeat from record to record.
		switch string(key) {
		case "sid":
			return s.text(d.sid, -1)
		case "account_sid":
			return s.text(d.accountSID, 0)
		case "messaging_service_sid":
			return s.text(d.serviceSID, 1)
		case "from":
			return s.text(d.from, 2)
		case "to":
			return s.text(d.to, -1)
		case "body":
			return s.text(d.body, -1)
		case "direction":
			return s.text(d.direction, 3)
		case "status":
			return s.text(d.status, 4)
		case "price_unit":
			return s.text(d.priceUnit, 5)
		case "num_segments":
			return s.integer(d.numSegments)
		case "error_code":
			return s.integer(d.errorCode)
		case "duration":
			return s.integer(d.duration)
		case "price":
			var err error
			price, err = s.number()
			return err
		case "date_created":
			return s.date(d.dateCreated)
		case "date_sent":
			return s.date(d.dateSent)
		case "start_time":
			return s.date(d.startTime)
		case "end_time":
			return s.date(d.endTime)
		}
		return s.skip()
	})
	*d.price = absPrice(num(price))
	return err
}

// text reads a string into *dst (interned in slot k unless k < 0); null
// leaves *dst as it was and a nil dst skips the value.
func (s *jsonReader) text(dst *string, k int) error {
	if dst == nil {
		return s.skip()
	}
	if s.peek() == 'n' {
		return s.null()
	}
	var err error
	if k < 0 {
		*dst, err = s.str()
	} else {
		*dst, err = s.internStr(k)
	}
	return err
}

// integer reads a lenient number into *dst; a nil dst skips the value.
func (s *jsonReader) integer(dst *int) error {
	if dst == nil {
		return s.skip()
	}
	f, err := s.number()
	*dst = int(f)
	return err
}

// date reads a lenient timestamp into *dst; a nil dst skips the value.
func (s *jsonReader) date(dst *time.Time) error {
	if dst == nil {
		return s.skip()
	}
	var err error
	*dst, err = s.timestamp()
	return err
}

// parseRFC1123Z parses "Mon, 02 Jan 2006 15:04:05 -0700" without
// allocating; ok is false for anything else.
func parseRFC1123Z(b []byte) (time.Time, bool) {
	if !rfc1123Shape(b) || !inTriples(b[0:3], weekdayNames) {
		return time.Time{}, false
	}
	mon, okMon := shortMonth(b[8:11])
	v, okNum := rfc1123Numbers(b)
	if !okMon || !okNum {
		return time.Time{}, false
	}
	day, year, hh, mm, ss, oh, om := v[0], v[1]*100+v[2], v[3], v[4], v[5], v[6], v[7]
	if day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 59 || oh > 23 || om > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, mon, day, hh, mm, ss, 0, time.UTC)
	if t.Day() != day { // 31 Feb and the like: let time.Parse reject it
		return time.Time{}, false
	}
	off := time.Duration(oh)*time.Hour + time.Duration(om)*time.Minute
	if b[26] == '+' {
		return t.Add(-off), true
	}
	return t.Add(off), true
}

// rfc1123Shape reports whether b has the length and punctuation of
// "Mon, 02 Jan 2006 15:04:05 -0700".
func rfc1123Shape(b []byte) bool {
	return len(b) == 31 && b[3] == ',' && b[4] == ' ' && b[7] == ' ' && b[11] == ' ' && b[16] == ' ' &&
		b[19] == ':' && b[22] == ':' && b[25] == ' ' && (b[26] == '+' || b[26] == '-')
}

// rfc1123Digits are the offsets of the two-digit fields of an RFC 1123Z
// date: day, century, year in century, hour, minute, second, offset hours,
// offset minutes.
var rfc1123Digits = [8]int{5, 12, 14, 17, 20, 23, 27, 29}

// rfc1123Numbers reads the two-digit fields at rfc1123Digits; ok is false if
// any holds a non-digit.
func rfc1123Numbers(b []byte) (v [8]int, ok bool) {
	for k, i := range rfc1123Digits {
		c1, c2 := b[i]-'0', b[i+1]-'0'
		if c1 > 9 || c2 > 9 {
			return v, false
		}
		v[k] = int(c1)*10 + int(c2)
	}
	return v, true
}

// Three-letter names, concatenated so lookups need no slice or map.
const (
	weekdayNames = "MonTueWedThuFriSatSun"
	monthNames   = "JanFebMarAprMayJunJulAugSepOctNovDec"
)

// shortMonth maps "Jan".."Dec" to its month.
func shortMonth(name []byte) (time.Month, bool) {
	i := tripleIndex(name, monthNames)
	return time.Month(i + 1), i >= 0
}

// inTriples reports whether name is one of the three-letter names in names.
func inTriples(name []byte, names string) bool { return tripleIndex(name, names) >= 0 }

// tripleIndex is the position of name among the three-letter names in
// names, or -1.
func tripleIndex(name []byte, names string) int {
	for i := 0; i+3 <= len(names); i += 3 {
		if string(name) == names[i:i+3] {
			return i / 3
		}
	}
	return -1
}

// unescape decodes a JSON string body with escapes.
func unescape(raw []byte) (string, error) {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i >= len(raw) {
			return "", errSyntax
		}
		switch raw[i] {
		case '"', '\\', '/':
			out = append(out, raw[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(raw, i+1)
			if !ok {
				return "", errSyntax
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(raw, i+3); ok && i+2 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						i += 6
						out = utf8.AppendRune(out, dec)
						continue
					}
				}
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", errSyntax
		}
	}
	return string(fixUTF8(out)), nil
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// fixUTF8 replaces invalid UTF-8 with U+FFFD as encoding/json does.
func fixUTF8(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	out := make([]byte, 0, len(b)+8)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, b[:size]...)
		}
		b = b[size:]
	}
	return out
}
