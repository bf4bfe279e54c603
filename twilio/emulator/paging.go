package emulator

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	defaultPageSize = 50
	maxPageSize     = 1000
)

// pageReq is a list request's paging: PageSize, Page and the opaque PageToken.
type pageReq struct {
	size, page int
	hasToken   bool
	cursor     int // decoded from PageToken; its meaning belongs to the list
}

// paging parses PageSize, Page and PageToken, answering 400 on bad values
// (21481 for a token this emulator did not issue).
func (c *call) paging() (pageReq, bool) {
	pr := pageReq{size: defaultPageSize}
	if s := c.v("PageSize"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			c.badParam("Invalid PageSize: must be an integer between 1 and 1000")
			return pr, false
		}
		pr.size = min(n, maxPageSize) // Twilio caps larger sizes
	}
	if s := c.v("Page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > math.MaxInt32 {
			c.badParam("Invalid Page: must be a non-negative integer")
			return pr, false
		}
		pr.page = n
	}
	if c.has("PageToken") {
		cur, ok := decodeToken(c.v("PageToken"))
		if !ok {
			c.fail(http.StatusBadRequest, 21481, "Invalid PageToken")
			return pr, false
		}
		pr.hasToken, pr.cursor = true, cur
	}
	return pr, true
}

// Page tokens are "PA" + hex of a position and a check digit pair, so a
// token stays valid across requests but garbage is recognised.
func encodeToken(pos int) string {
	h := strconv.FormatUint(uint64(pos), 16)
	return "PA" + h + tokenCheck(h)
}

func decodeToken(t string) (int, bool) {
	if len(t) < 5 || len(t) > 20 || !strings.HasPrefix(t, "PA") {
		return 0, false
	}
	h, check := t[2:len(t)-2], t[len(t)-2:]
	if tokenCheck(h) != check {
		return 0, false
	}
	v, err := strconv.ParseUint(h, 16, 31)
	// Only the spelling the emulator issues: "30A3" or "030a3" would name
	// the same page under a second token.
	if err != nil || strconv.FormatUint(v, 16) != h {
		return 0, false
	}
	return int(v), true
}

func tokenCheck(h string) string {
	var sum uint32 = 0x811c9dc5
	for i := 0; i < len(h); i++ {
		sum = (sum ^ uint32(h[i])) * 16777619
	}
	const digits = "0123456789abcdef"
	return string([]byte{digits[sum>>4&0xf], digits[sum&0xf]})
}

// filterQuery is the request's query without paging parameters, encoded.
func (c *call) filterQuery() string {
	q := url.Values{}
	for k, vs := range c.r.URL.Query() {
		switch k {
		case "Page", "PageSize", "PageToken":
			continue
		}
		q[k] = vs
	}
	return q.Encode()
}

func pageURI(base, filters string, size, page int, token string) string {
	var b strings.Builder
	b.WriteString(base)
	b.WriteByte('?')
	if filters != "" {
		b.WriteString(filters)
		b.WriteByte('&')
	}
	b.WriteString("PageSize=")
	b.WriteString(strconv.Itoa(size))
	b.WriteString("&Page=")
	b.WriteString(strconv.Itoa(page))
	if token != "" {
		b.WriteString("&PageToken=")
		b.WriteString(url.QueryEscape(token))
	}
	return b.String()
}

// pageLinks makes a list page's links: base is the list's path (2010) or
// absolute URL (v1), filters the request's query without paging, token the
// request's own PageToken.
type pageLinks struct {
	base, filters, token string
	pr                   pageReq
}

func (c *call) pageLinks(base string, pr pageReq) pageLinks {
	l := pageLinks{base: base, filters: c.filterQuery(), pr: pr}
	if pr.hasToken {
		l.token = c.v("PageToken")
	}
	return l
}

// appendURI appends the link to page (with token) as a JSON string.
func (l pageLinks) appendURI(b []byte, page int, token string) []byte {
	return appendJSONString(b, pageURI(l.base, l.filters, l.pr.size, page, token))
}

// appendNav appends the members both list envelopes share, in their order:
// next_page_<kind>, page, page_size and previous_page_<kind>, where kind is
// "uri" in 2010-04-01 lists and "url" in v1 meta blocks. next is the token
// of the next page, "" at the end.
func (l pageLinks) appendNav(b []byte, kind, next string) []byte {
	b = append(b, `,"next_page_`...)
	b = append(b, kind...)
	b = append(b, `":`...)
	if next != "" {
		b = l.appendURI(b, l.pr.page+1, next)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"page":`...)
	b = strconv.AppendInt(b, int64(l.pr.page), 10)
	b = append(b, `,"page_size":`...)
	b = strconv.AppendInt(b, int64(l.pr.size), 10)
	b = append(b, `,"previous_page_`...)
	b = append(b, kind...)
	b = append(b, `":`...)
	if l.pr.page > 0 {
		return l.appendURI(b, l.pr.page-1, "")
	}
	return append(b, "null"...)
}

// appendItems appends JSON objects comma-separated.
func appendItems(b []byte, items [][]byte) []byte {
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, it...)
	}
	return b
}

// write2010List writes a 2010-04-01 list page; items are JSON objects.
// next is the token of the next page, "" at the end.
func (c *call) write2010List(key string, items [][]byte, pr pageReq, next string) {
	c.write2010ListFunc(key, len(items), pr, next, func(b []byte) []byte { return appendItems(b, items) })
}

// write2010ListFunc writes a 2010-04-01 list page of n items that items
// appends (comma-separated) straight into the response buffer.
func (c *call) write2010ListFunc(key string, n int, pr pageReq, next string, items func([]byte) []byte) {
	l := c.pageLinks(c.path, pr)
	start := pr.page * pr.size
	end := start + n - 1
	if n == 0 {
		end = start
	}
	bp := c.e.bufs.Get().(*[]byte)
	b := (*bp)[:0]
	b = append(b, `{"end":`...)
	b = strconv.AppendInt(b, int64(end), 10)
	b = append(b, `,"first_page_uri":`...)
	b = l.appendURI(b, 0, "")
	b = l.appendNav(b, "uri", next)
	b = append(b, `,"start":`...)
	b = strconv.AppendInt(b, int64(start), 10)
	b = append(b, `,"uri":`...)
	b = l.appendURI(b, pr.page, l.token)
	b = append(b, `,`...)
	b = appendJSONString(b, key)
	b = append(b, `:[`...)
	b = items(b)
	b = append(b, "]}"...)
	c.raw(http.StatusOK, b)
	if cap(b) <= 8<<20 { // keep pooled buffers to page-sized ones
		*bp = b
		c.e.bufs.Put(bp)
	}
}

// v1URL is the absolute Twilio URL of a v1 path on the request's product.
func (c *call) v1URL(path string) string {
	return "https://" + c.product + ".twilio.com" + path
}

// writeV1List writes a v1 list page with its meta block.
func (c *call) writeV1List(key string, items [][]byte, pr pageReq, next string) {
	l := c.pageLinks(c.v1URL(c.path), pr)
	b := make([]byte, 0, 512)
	b = append(b, '{')
	b = appendJSONString(b, key)
	b = append(b, ":["...)
	b = appendItems(b, items)
	b = append(b, `],"meta":{"first_page_url":`...)
	b = l.appendURI(b, 0, "")
	b = append(b, `,"key":`...)
	b = appendJSONString(b, key)
	b = l.appendNav(b, "url", next)
	b = append(b, `,"url":`...)
	b = l.appendURI(b, pr.page, l.token)
	b = append(b, "}}"...)
	c.raw(http.StatusOK, b)
}

// pageSlice pages a small in-memory list by offset (the token is the offset).
func pageSlice[T any](c *call, items []T, pr pageReq) (page []T, next string) {
	off := pr.page * pr.size
	if pr.hasToken {
		off = pr.cursor
	}
	if off > len(items) {
		off = len(items)
	}
	end := min(off+pr.size, len(items))
	if end < len(items) {
		next = encodeToken(end)
	}
	return items[off:end], next
}

// pageDesc walks positions hi-1 down to lo (newest first), keeping those
// match accepts (nil = all). Without a token it skips page*size matches; with
// one it resumes below the token's position (n is the list length). It returns the positions of the
// page and the token of the next page ("" when nothing is left).
func pageDesc(n, lo, hi int, pr pageReq, match func(int) bool) (idx []int, next string, ok bool) {
	if pr.hasToken {
		if pr.cursor > n {
			return nil, "", false // not a position this list ever had
		}
		hi = min(hi, pr.cursor)
	}
	skip := 0
	if !pr.hasToken {
		skip = pr.page * pr.size
	}
	i := hi - 1
	if match == nil {
		i -= skip
		for ; i >= lo && len(idx) < pr.size; i-- {
			idx = append(idx, i)
		}
	} else {
		for ; i >= lo && skip > 0; i-- {
			if match(i) {
				skip--
			}
		}
		for ; i >= lo && len(idx) < pr.size; i-- {
			if match(i) {
				idx = append(idx, i)
			}
		}
	}
	if len(idx) == pr.size && len(idx) > 0 {
		last := idx[len(idx)-1]
		more := false
		for j := last - 1; j >= lo; j-- {
			if match == nil || match(j) {
				more = true
				break
			}
		}
		if more {
			next = encodeToken(last)
		}
	}
	return idx, next, true
}

// dateRange reads the filters name, name< and name> (Twilio's on-or-before
// and on-or-after) as [from, to) in Unix seconds. Values are YYYY-MM-DD (the
// whole GMT day) or RFC 3339 date-times.
func (c *call) dateRange(name string) (from, to int64, ok bool) {
	from, to = math.MinInt64, math.MaxInt64
	for _, op := range []string{"", "<", ">"} {
		s := c.v(name + op)
		if s == "" {
			continue
		}
		t, day, err := parseFilterDate(s)
		if err != nil {
			c.badParam("Invalid " + name + op + ": " + s)
			return 0, 0, false
		}
		lo, hi := t.Unix(), t.Unix()+1
		if day {
			hi = t.Unix() + 86400
		}
		switch op {
		case "":
			from, to = max(from, lo), min(to, hi)
		case "<":
			to = min(to, hi)
		case ">":
			from = max(from, lo)
		}
	}
	return from, to, true
}

func parseFilterDate(s string) (t time.Time, day bool, err error) {
	if t, err = time.Parse("2006-01-02", s); err == nil {
		return t, true, nil
	}
	if t, err = time.Parse(time.RFC3339, s); err == nil {
		return t, false, nil
	}
	if t, err = time.Parse(rfc2822, s); err == nil {
		return t, false, nil
	}
	return time.Time{}, false, err
}
