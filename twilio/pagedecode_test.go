package twilio

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
)

// genericMessages decodes a Messages page with encoding/json, the reference
// the hand-written decoder must agree with.
func genericMessages(body []byte) ([]atoguard.Message, string, error) {
	return jsonPage("messages", func(w *wireMessage) (atoguard.Message, bool) { return w.message(), true })(body)
}

func TestDecodeMessagesMatchesEncodingJSON(t *testing.T) {
	page := bytes.Replace(messagesPage(50), []byte("%NEXT%"), []byte(`"/2010-04-01/Accounts/AC/Messages.json?Page=1"`), 1)
	tests := map[string][]byte{
		"realistic page":    page,
		"escapes and nulls": []byte(`{"messages":[{"sid":"SM1","body":"caf\u00e9 \"quoted\" \n \ud83d\ude00 \ud800 x","from":null,"price":null,"num_segments":2,"error_code":"30450","date_sent":"Tue, 05 Mar 2024 09:07:03 +0100","date_created":"2024-03-05T08:07:03Z","status":"failed"}],"next_page_uri":null}`),
		"odd types lenient": []byte(`{"page":0,"messages":[{"sid":"SM2","price":"-1e400","num_segments":true,"date_sent":17,"error_code":{"x":[1,2,{"y":null}]},"subresource_uris":{"media":"/x"}}],"uri":"/x"}`),
		"empty":             []byte(`{"messages":[],"next_page_uri":null}`),
		"null list":         []byte(`{"messages":null}`),
		"null element":      []byte(`{"messages":[null,{"sid":"SM3"}]}`),
		"repeated key":      []byte(`{"messages":[{"sid":"SM4"}],"messages":[{"sid":"SM5"}]}`),
		"bad date":          []byte(`{"messages":[{"sid":"SM6","date_sent":"Xyz, 31 Feb 2024 25:00:00 +0000"}]}`),
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			want, wantNext, err := genericMessages(body)
			if err != nil {
				t.Fatalf("encoding/json: %v", err)
			}
			got, gotNext, err := decodeMessagesPage(body, nil)
			if err != nil {
				t.Fatalf("decoder: %v", err)
			}
			if !samePage(got, gotNext, want, wantNext) {
				t.Errorf("scanner\n %+v %q\nencoding/json\n %+v %q", got, gotNext, want, wantNext)
			}
		})
	}
	for _, bad := range []string{``, `{`, `[]`, `{"messages":[{"sid":5}]}`, `{"messages":[{"sid":"a}]}`, `{"messages":{}}`, `{"other":1}`, `{"messages":[{"sid":"\x01"}]}`} {
		if _, _, err := decodeMessagesPage([]byte(bad), nil); err == nil {
			t.Errorf("decoder accepted %q", bad)
		}
	}
}

func FuzzDecodeMessages(f *testing.F) {
	f.Add(bytes.Replace(messagesPage(2), []byte("%NEXT%"), []byte("null"), 1))
	f.Add([]byte(`{"messages":[{"sid":"SM1","body":"\u00e9\ud83d\ude00","price":"-0.1","num_segments":"1","date_sent":"Tue, 05 Mar 2024 09:07:03 +0100"}],"next_page_uri":"/2010-04-01/x"}`))
	f.Add([]byte(`{"messages":[null,{"price":1e999,"error_code":{"a":[true,false,null]}}],"meta":{}}`))
	f.Fuzz(agreesWithJSON(decodeMessagesPage, genericMessages))
}

// agreesWithJSON is a fuzz target: whatever scan accepts, encoding/json
// (ref) must accept and decode the same. The decoder may be stricter (e.g.
// trailing data), so its errors pass.
func agreesWithJSON[T any](scan func([]byte, []T) ([]T, string, error), ref func([]byte) ([]T, string, error)) func(*testing.T, []byte) {
	return func(t *testing.T, body []byte) {
		got, gotNext, err := scan(body, nil)
		if err != nil || foldsSpecially(body) {
			return
		}
		want, wantNext, werr := ref(body)
		if werr != nil {
			t.Fatalf("decoder accepted what encoding/json rejects (%v): %q", werr, body)
		}
		if !samePage(got, gotNext, want, wantNext) {
			t.Fatalf("mismatch for %q\nscanner %+v %q\njson    %+v %q", body, got, gotNext, want, wantNext)
		}
	}
}

// samePage compares two decoded pages, an empty list equal to a nil one.
func samePage[T any](got []T, gotNext string, want []T, wantNext string) bool {
	if len(got) == 0 && len(want) == 0 {
		return gotNext == wantNext
	}
	return reflect.DeepEqual(got, want) && gotNext == wantNext
}

func FuzzParseRFC1123Z(f *testing.F) {
	f.Add("Mon, 02 Jan 2006 15:04:05 -0700")
	f.Add("Thu, 29 Feb 2024 23:59:59 +0000")
	f.Add("Fri, 31 Apr 2024 00:00:00 +0530")
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseRFC1123Z([]byte(s))
		if !ok {
			return
		}
		want, err := time.Parse(time.RFC1123Z, s)
		if err != nil {
			t.Fatalf("fast parser accepted %q, time.Parse: %v", s, err)
		}
		if !got.Equal(want) {
			t.Fatalf("%q: %v, want %v", s, got, want)
		}
	})
}

func TestPlain8(t *testing.T) {
	for i := 0; i < 8; i++ {
		for c := 0; c < 256; c++ {
			b := []byte("abcdefgh")
			b[i] = byte(c)
			w := uint64(0)
			for j := 7; j >= 0; j-- {
				w = w<<8 | uint64(b[j])
			}
			want := c != '"' && c != '\\' && c >= 0x20
			if got := plain8(w); got != want {
				t.Fatalf("byte %#x at %d: plain8 = %v, want %v", c, i, got, want)
			}
		}
	}
}

// foldsSpecially: encoding/json also folds the Kelvin sign (U+212A) and the
// long s (U+017F) into k and s when matching names; Twilio's names never
// contain them, raw or JSON-escaped, so such inputs are not compared.
func foldsSpecially(body []byte) bool {
	lower := bytes.ToLower(body)
	for _, s := range []string{"\u212a", "\u017f", `\u212a`, `\u017f`} {
		if bytes.Contains(lower, []byte(s)) {
			return true
		}
	}
	return false
}

// genericCalls is the encoding/json reference for decodeCallsPage.
func genericCalls(body []byte) ([]callRec, string, error) {
	return jsonPage("calls", func(w *wireCall) (callRec, bool) { return callRec{call: w.call(), created: w.DateCreated.Time()}, true })(body)
}

func TestScanCallsMatchesEncodingJSON(t *testing.T) {
	for name, body := range map[string]string{
		"realistic": `{"calls":[{"sid":"CA1","account_sid":"AC1","from":"+15005550006","to":"+442071838750","direction":"outbound-api","status":"completed",` +
			`"start_time":"Tue, 05 Mar 2024 09:07:03 +0000","end_time":"Tue, 05 Mar 2024 09:08:33 +0000","duration":"90","price":"-0.02800","price_unit":"USD",` +
			`"date_created":"Tue, 05 Mar 2024 09:07:00 +0000","subresource_uris":{"notifications":"/x"},"queue_time":"0"},` +
			`{"sid":"CA2","status":"no-answer","start_time":null,"duration":null,"price":null,"date_created":"Tue, 05 Mar 2024 10:00:00 +0000"}],` +
			`"next_page_uri":"/2010-04-01/Accounts/AC1/Calls.json?Page=1","page":0}`,
		"v1 meta link":    `{"calls":[],"meta":{"next_page_url":"https://api.twilio.com/x","key":"calls"}}`,
		"null link keeps": `{"calls":[],"next_page_uri":"/a","next_page_uri":null}`,
	} {
		t.Run(name, func(t *testing.T) {
			want, wantNext, err := genericCalls([]byte(body))
			if err != nil {
				t.Fatal(err)
			}
			got, gotNext, err := decodeCallsPage([]byte(body), nil)
			if err != nil {
				t.Fatal(err)
			}
			if !samePage(got, gotNext, want, wantNext) {
				t.Errorf("scanner %+v %q\njson    %+v %q", got, gotNext, want, wantNext)
			}
		})
	}
}

func FuzzScanCalls(f *testing.F) {
	f.Add([]byte(`{"calls":[{"sid":"CA1","duration":"90","price":"-0.028","start_time":"Tue, 05 Mar 2024 09:07:03 +0000","date_created":null}],"next_page_uri":null}`))
	f.Add([]byte(`{"calls":[null],"meta":{"next_page_url":"x","NEXT_PAGE_URL":null}}`))
	f.Add([]byte(`{"calls":[{"sid":"CA2","account_sid":"AC1","to":"+998901234567","from":"+14155550100","status":"completed","direction":"outbound-api","duration":"3","price_unit":"USD","end_time":"Tue, 05 Mar 2024 09:07:06 +0000"}],"next_page_uri":"/2010-04-01/Accounts/AC1/Calls.json?Page=1"}`))
	f.Fuzz(agreesWithJSON(decodeCallsPage, genericCalls))
}
