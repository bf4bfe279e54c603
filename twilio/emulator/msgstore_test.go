package emulator

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/google/go-cmp/cmp"
)

func TestMessageStoreRoundTrip(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []atoguard.Message{
		{SID: "SM0123456789abcdef0123456789abcdef", From: "+15005550006", To: "+447700900123", Body: "hi \"there\"\n\u2028 ✓",
			Direction: "outbound-api", Status: "delivered", NumSegments: 2, Price: 0.0926, PriceUnit: "USD", DateCreated: at, DateSent: at},
		{SID: "MM0123456789ABCDEF0123456789ABCDEF", From: "+1", To: "+2", Body: "upper-case SID kept as is",
			Direction: "inbound", Status: "received", NumSegments: 1, PriceUnit: "EUR", DateCreated: at},
		{SID: "odd-sid", From: "+1", To: "+2", Direction: "outbound-reply", Status: "failed", NumSegments: 1,
			PriceUnit: "USD", ErrorCode: 30007, DateCreated: at, DateSent: at.Add(time.Second)},
	}
	ms := msgStore{strs: newInterner()}
	for i := range tests {
		ms.add(&tests[i])
	}
	ms.sort()
	for i, want := range tests {
		want.AccountSID = mainSID
		got := ms.message(&ms.recs[i], mainSID)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("message %d (-want +got):\n%s", i, diff)
		}
		var v map[string]any
		if err := json.Unmarshal(ms.appendJSON(nil, &ms.recs[i], mainSID), &v); err != nil {
			t.Fatalf("message %d: invalid JSON: %v", i, err)
		}
		if v["body"] != want.Body || v["sid"] != want.SID {
			t.Errorf("message %d JSON: %v", i, v)
		}
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", "quote\" back\\ slash", "ctrl\x00\x1f\t\r\n", "bad utf8 \xff\xfe", "sep\u2028\u2029", "emoji 🎉"} {
		var got string
		if err := json.Unmarshal(appendJSONString(nil, s), &got); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		want, _ := json.Marshal(s)
		var w string
		_ = json.Unmarshal(want, &w)
		if got != w {
			t.Errorf("%q: got %q, want %q", s, got, w)
		}
	}
}

func TestAppendPrice(t *testing.T) {
	for p, want := range map[int32]string{0: "0.00000", 750: "-0.00750", 100000: "-1.00000", 1234567: "-12.34567", -5: "0.00005"} {
		if got := string(appendPrice(nil, p)); got != want {
			t.Errorf("%d: %s, want %s", p, got, want)
		}
	}
}

func TestAppendRFC2822(t *testing.T) {
	for _, tm := range []time.Time{testNow, time.Unix(0, 0), time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC), time.Date(2026, 12, 31, 1, 2, 3, 0, time.UTC)} {
		want := tm.UTC().Format("Mon, 02 Jan 2006 15:04:05 +0000")
		if got := string(appendRFC2822(nil, tm.Unix())); got != want {
			t.Errorf("%v: %q, want %q", tm, got, want)
		}
	}
}
