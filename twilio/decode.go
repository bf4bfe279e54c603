package twilio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Twilio sends numbers as numbers, strings ("-0.00750", "1") or null, and
// dates as RFC 2822 (2010 API) or ISO 8601 (v1 APIs). These types decode all
// of them leniently: a value they cannot read becomes zero rather than
// failing a whole page.

// num is a lenient float.
type num float64

func (n *num) UnmarshalJSON(b []byte) error {
	b = unquote(b)
	if len(b) == 0 || string(b) == "null" {
		*n = 0
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		*n = 0
		return nil
	}
	*n = num(f)
	return nil
}

// inum is a lenient int.
type inum int

func (n *inum) UnmarshalJSON(b []byte) error {
	var f num
	_ = f.UnmarshalJSON(b)
	*n = inum(f)
	return nil
}

// flexBool accepts true/false and "true"/"false".
type flexBool bool

func (v *flexBool) UnmarshalJSON(b []byte) error {
	b = unquote(b)
	*v = flexBool(string(b) == "true" || string(b) == "True" || string(b) == "1")
	return nil
}

// ts is a lenient timestamp.
type ts time.Time

func (t *ts) UnmarshalJSON(b []byte) error {
	*t = ts{}
	if len(b) < 2 || b[0] != '"' {
		return nil // null, numbers, objects: no time
	}
	s := string(b[1 : len(b)-1])
	if bytes.IndexByte(b, '\\') >= 0 {
		if json.Unmarshal(b, &s) != nil {
			return nil
		}
	}
	if v, ok := parseRFC1123Z([]byte(s)); ok {
		*t = ts(v)
		return nil
	}
	v, err := parseTime(s)
	if err != nil {
		*t = ts{}
		return nil
	}
	*t = ts(v)
	return nil
}

func (t ts) Time() time.Time { return time.Time(t) }

func parseTime(s string) (time.Time, error) {
	// Layouts Twilio uses, most common first.
	layouts := [...]string{
		time.RFC1123Z,                    // Mon, 02 Jan 2006 15:04:05 -0700 (2010 API)
		time.RFC3339Nano,                 // 2006-01-02T15:04:05Z (v1 APIs)
		time.RFC1123,                     // Mon, 02 Jan 2006 15:04:05 MST
		"Mon, 2 Jan 2006 15:04:05 -0700", // single-digit day
		"2006-01-02",                     // usage start_date/end_date
		"2006-01-02T15:04:05",
		"2006-01-02 15:04:05",
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unrecognised time %q", s)
}

func unquote(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		return b[1 : len(b)-1]
	}
	return b
}

// absPrice turns Twilio's negative price into a positive cost.
func absPrice(n num) float64 {
	if n < 0 {
		return float64(-n)
	}
	return float64(n)
}

// formatBool renders a bool as Twilio's form value.
func formatBool(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
