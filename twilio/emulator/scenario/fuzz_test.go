package scenario

import (
	"testing"
)

// FuzzParse feeds arbitrary scenario files to the parser: it must return a
// world or an error, never panic or hang; a world it returns is valid.
func FuzzParse(f *testing.F) {
	seeds := []string{
		`{"base":"baseline","seed":1,"days":3,"messages_per_day":20,"subaccounts":1}`,
		`{"base":"baseline","seed":2,"days":9,"messages_per_day":30,"subaccounts":2,"overlays":[{"kind":"phishing-wave","at":"-3h","brand":"Apple","count":20}]}`,
		"base: baseline-isv\nseed: 7\ndays: 4\nmessages_per_day: 20\nsubaccounts: 2\noverlays:\n  - {kind: sms-pumping, at: \"-36h\", account: \"sub:2\", countries: [\"UZ\"], count: 50}\n",
		"base: baseline\ndays: 4\nmessages_per_day: 10\noverlays:\n  - kind: webhook-hijack\n    at: -2h\n    url: http://203.0.113.9:8080/x\n  - {kind: credential-change, at: -1h, user: \"2\"}\n",
		`{"base":"baseline","days":3,"messages_per_day":10,"overlays":[{"kind":"geo-widening","at":"-1d","countries":["SO"]},{"kind":"subaccount-created","at":"-20h"},{"kind":"sms-pumping","at":"-10h","account":"sub:last","count":30}]}`,
		`{"base":"baseline","days":3,"messages_per_day":10,"overlays":[{"kind":"token-rotation","at":"2026-11-20T10:00:00Z"},{"kind":"marketing-campaign","at":"-5h","count":40}]}`,
		`{"name":"tiny","now":"2026-11-20T15:00:00Z","accounts":[{"sid":"AC0123456789abcdef0123456789abcdef","owner_account_sid":"AC0123456789abcdef0123456789abcdef","status":"active","auth_token":"0123456789abcdef0123456789abcdef"}],"expect":{"verdicts":["clean"]}}`,
		`{"base":"baseline","days":3,"messages_per_day":10,"overlays":[{"kind":"call-pumping","at":"-20h","count":40,"countries":["MV"]},{"kind":"evidence-deleted","at":"-2h","count":5}]}`,
		`{"base":"baseline","days":3,"messages_per_day":10,"overlays":[{"kind":"key-rotation","at":"-20h"},{"kind":"new-user","at":"-30h"},{"kind":"webhook-update","at":"-1h","account":"sub:1","count":2}]}`,
		`{"base":"nope"}`, `{"base":"baseline","overlays":[{"kind":"x","at":"-1h"}]}`, `[]`, `null`, `"x"`, "base: [", "{}",
	}
	for _, s := range seeds {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	lim := limits{messages: 2_000, subs: 4, days: 10, count: 200}
	f.Fuzz(func(t *testing.T, data []byte, yaml bool) {
		format := JSON
		if yaml {
			format = YAML
		}
		w, err := parse(data, format, lim, anchor{})
		if err != nil {
			if w != nil {
				t.Fatal("world and error both returned")
			}
			return
		}
		if err := w.Validate(); err != nil {
			t.Fatalf("parse returned an invalid world: %v", err)
		}
	})
}
