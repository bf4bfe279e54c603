package emulator

import (
	"encoding/hex"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
)

// interner stores each distinct string once; records refer to it by index.
// Messages repeat From numbers, body templates, statuses and units, so
// interning is what keeps a stored message far below 1 KB.
type interner struct {
	ids  map[string]uint32
	strs []string
}

func newInterner() *interner {
	in := &interner{ids: map[string]uint32{}}
	in.id("") // id 0 is the empty string
	return in
}

func (in *interner) id(s string) uint32 {
	if id, ok := in.ids[s]; ok {
		return id
	}
	// Clone: s may be a slice of a large buffer (a world's body arena) that
	// must not stay alive because one message refers into it.
	s = strings.Clone(s)
	id := uint32(len(in.strs))
	in.ids[s] = id
	in.strs = append(in.strs, s)
	return id
}

// lookup returns the id of s without adding it.
func (in *interner) lookup(s string) (uint32, bool) {
	id, ok := in.ids[s]
	return id, ok
}

func (in *interner) str(id uint32) string { return in.strs[id] }

// msgRec is one stored message: 72 bytes plus its share of interned strings.
type msgRec struct {
	key     int64 // sort key: date sent (or created), Unix seconds
	created int64
	sent    int64 // 0 = not sent
	sid     [16]byte
	from    uint32
	to      uint32
	body    uint32
	svc     uint32
	unit    uint32
	price   int32 // in 1e-5 units of unit; math.MinInt32 = no price
	errCode int32
	sidPfx  uint32 // interned 2-letter prefix, or the full SID when it is not prefix+32 hex
	segs    uint16
	dir     uint8
	status  uint8
}

const noPrice = math.MinInt32

var msgDirections = [...]string{"inbound", "outbound-api", "outbound-call", "outbound-reply"}

var msgStatuses = [...]string{"queued", "sending", "sent", "failed", "delivered", "undelivered", "receiving", "received", "accepted", "scheduled", "read", "partially_delivered", "canceled"}

func indexOf[T ~string](list []T, s T, def uint8) uint8 {
	for i, v := range list {
		if v == s {
			return uint8(i)
		}
	}
	return def
}

type msgStore struct {
	strs     *interner
	recs     []msgRec
	unsorted bool // an add arrived out of date order
}

func (ms *msgStore) add(m *atoguard.Message) {
	r := msgRec{
		created: m.DateCreated.Unix(),
		from:    ms.strs.id(m.From),
		to:      ms.strs.id(m.To),
		body:    ms.strs.id(m.Body),
		svc:     ms.strs.id(m.MessagingServiceSID),
		unit:    ms.strs.id(orDefault(m.PriceUnit, "USD")),
		errCode: int32(m.ErrorCode),
		segs:    uint16(max(1, min(m.NumSegments, math.MaxUint16))),
		dir:     indexOf(msgDirections[:], m.Direction, 1),
		status:  indexOf(msgStatuses[:], m.Status, 2),
		price:   noPrice,
	}
	if m.DateCreated.IsZero() {
		r.created = m.DateSent.Unix()
	}
	if !m.DateSent.IsZero() {
		r.sent = m.DateSent.Unix()
	}
	r.key = r.sent
	if r.key == 0 {
		r.key = r.created
	}
	if m.Price != 0 || m.Status == "sent" || m.Status == "delivered" {
		r.price = int32(math.Round(math.Abs(m.Price) * 1e5))
	}
	if len(m.SID) == 34 && validSID(m.SID, m.SID[:2]) {
		if _, err := hex.Decode(r.sid[:], []byte(m.SID[2:])); err == nil && hex.EncodeToString(r.sid[:]) == m.SID[2:] {
			r.sidPfx = ms.strs.id(m.SID[:2])
		} else {
			r.sidPfx = ms.strs.id(m.SID)
		}
	} else {
		r.sidPfx = ms.strs.id(m.SID)
	}
	if n := len(ms.recs); n > 0 && ms.recs[n-1].key > r.key {
		ms.unsorted = true
	}
	ms.recs = append(ms.recs, r)
}

// sort orders the records by date (stable: equal dates keep insertion order).
func (ms *msgStore) sort() {
	slices.SortStableFunc(ms.recs, func(a, b msgRec) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	ms.unsorted = false
}

// insert adds a message at its place in date order.
func (ms *msgStore) insert(m *atoguard.Message) {
	ms.add(m)
	if n := len(ms.recs); n > 1 && ms.recs[n-2].key > ms.recs[n-1].key {
		r := ms.recs[n-1]
		i := sort.Search(n-1, func(i int) bool { return ms.recs[i].key > r.key })
		copy(ms.recs[i+1:], ms.recs[i:n-1])
		ms.recs[i] = r
	}
}

// bounds returns the index range [lo, hi) of records with from <= key < to.
func (ms *msgStore) bounds(from, to int64) (int, int) {
	lo := sort.Search(len(ms.recs), func(i int) bool { return ms.recs[i].key >= from })
	hi := sort.Search(len(ms.recs), func(i int) bool { return ms.recs[i].key >= to })
	return lo, max(lo, hi)
}

func (ms *msgStore) sid(r *msgRec) string {
	p := ms.strs.str(r.sidPfx)
	if len(p) != 2 {
		return p
	}
	var b [34]byte
	copy(b[:2], p)
	hex.Encode(b[2:], r.sid[:])
	return string(b[:])
}

func (ms *msgStore) message(r *msgRec, acct string) atoguard.Message {
	m := atoguard.Message{
		SID: ms.sid(r), AccountSID: acct, MessagingServiceSID: ms.strs.str(r.svc),
		From: ms.strs.str(r.from), To: ms.strs.str(r.to), Body: ms.strs.str(r.body),
		Direction: msgDirections[r.dir], Status: msgStatuses[r.status], NumSegments: int(r.segs),
		PriceUnit: ms.strs.str(r.unit), ErrorCode: int(r.errCode),
		DateCreated: time.Unix(r.created, 0).UTC(),
	}
	if r.price != noPrice {
		m.Price = float64(r.price) / 1e5
	}
	if r.sent != 0 {
		m.DateSent = time.Unix(r.sent, 0).UTC()
	}
	return m
}

// appendJSON writes the 2010-04-01 Message resource for r.
func (ms *msgStore) appendJSON(b []byte, r *msgRec, acct string) []byte {
	sid := ms.sid(r)
	b = append(b, `{"account_sid":"`...)
	b = append(b, acct...)
	b = append(b, `","api_version":"2010-04-01","body":`...)
	b = appendJSONString(b, ms.strs.str(r.body))
	b = append(b, `,"date_created":"`...)
	b = appendRFC2822(b, r.created)
	b = append(b, `","date_sent":`...)
	if r.sent != 0 {
		b = append(b, '"')
		b = appendRFC2822(b, r.sent)
		b = append(b, '"')
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"date_updated":"`...)
	b = appendRFC2822(b, max(r.created, r.sent))
	b = append(b, `","direction":"`...)
	b = append(b, msgDirections[r.dir]...)
	b = append(b, `","error_code":`...)
	if r.errCode != 0 {
		b = strconv.AppendInt(b, int64(r.errCode), 10)
		b = append(b, `,"error_message":"Message delivery failed"`...)
	} else {
		b = append(b, `null,"error_message":null`...)
	}
	b = append(b, `,"from":`...)
	b = appendJSONString(b, ms.strs.str(r.from))
	b = append(b, `,"messaging_service_sid":`...)
	if svc := ms.strs.str(r.svc); svc != "" {
		b = appendJSONString(b, svc)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"num_media":"0","num_segments":"`...)
	b = strconv.AppendUint(b, uint64(r.segs), 10)
	b = append(b, `","price":`...)
	if r.price != noPrice {
		b = append(b, '"')
		b = appendPrice(b, r.price)
		b = append(b, '"')
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"price_unit":`...)
	b = appendJSONString(b, ms.strs.str(r.unit))
	b = append(b, `,"sid":`...)
	b = appendJSONString(b, sid)
	b = append(b, `,"status":"`...)
	b = append(b, msgStatuses[r.status]...)
	b = append(b, `","subresource_uris":{"media":"/2010-04-01/Accounts/`...)
	b = append(b, acct...)
	b = append(b, "/Messages/"...)
	b = appendPathEscaped(b, sid)
	b = append(b, `/Media.json"},"to":`...)
	b = appendJSONString(b, ms.strs.str(r.to))
	b = append(b, `,"uri":"/2010-04-01/Accounts/`...)
	b = append(b, acct...)
	b = append(b, "/Messages/"...)
	b = appendPathEscaped(b, sid)
	b = append(b, `.json"}`...)
	return b
}

// appendPrice writes a Twilio price string: negative, five decimals ("-0.00750").
func appendPrice(b []byte, p int32) []byte {
	if p == 0 {
		return append(b, "0.00000"...)
	}
	v := int64(p)
	if v > 0 {
		b = append(b, '-')
	} else {
		v = -v
	}
	b = strconv.AppendInt(b, v/100000, 10)
	b = append(b, '.')
	frac := strconv.AppendInt(nil, v%100000, 10)
	for range 5 - len(frac) {
		b = append(b, '0')
	}
	return append(b, frac...)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
