package emulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fuzzRoutes are the requests whose parameters the fuzzer controls.
var fuzzRoutes = []struct{ method, path string }{
	{"GET", "/api/2010-04-01/Accounts.json"},
	{"POST", "/api/2010-04-01/Accounts/" + subSID + ".json"},
	{"GET", "/api/2010-04-01/Accounts/" + mainSID + "/Messages.json"},
	{"POST", "/api/2010-04-01/Accounts/" + mainSID + "/Messages.json"},
	{"GET", "/api/2010-04-01/Accounts/" + mainSID + "/Calls.json"},
	{"GET", "/api/2010-04-01/Accounts/" + mainSID + "/Usage/Records/Daily.json"},
	{"GET", "/api/2010-04-01/Accounts/" + mainSID + "/Usage/Records.json"},
	{"POST", "/api/2010-04-01/Accounts/" + mainSID + "/Usage/Triggers.json"},
	{"POST", "/api/2010-04-01/Accounts/" + mainSID + "/IncomingPhoneNumbers/PN00000000000000000000000000000001.json"},
	{"POST", "/api/2010-04-01/Accounts/" + mainSID + "/Applications.json"},
	{"GET", "/api/2010-04-01/Accounts/" + mainSID + "/IncomingPhoneNumbers.json"},
	{"GET", "/monitor/v1/Events"},
	{"GET", "/iam/v1/Keys"},
	{"POST", "/iam/v1/Keys"},
	{"GET", "/voice/v1/DialingPermissions/Countries"},
	{"POST", "/voice/v1/DialingPermissions/BulkCountryUpdates"},
	{"POST", "/voice/v1/Settings"},
	{"GET", "/accounts/v1/Messaging/GeoPermissions"},
	{"PATCH", "/accounts/v1/Messaging/GeoPermissions"},
	{"POST", "/events/v1/Sinks"},
	{"POST", "/events/v1/Subscriptions"},
	{"POST", "/messaging/v1/Services/MG00000000000000000000000000000001"},
}

// FuzzRequestParsing sends fuzzed query strings and form bodies to the
// emulator: it must never panic or fail with 5xx, and every error must be
// Twilio's error JSON.
func FuzzRequestParsing(f *testing.F) {
	seeds := []struct {
		route       uint8
		query, body string
	}{
		{2, "PageSize=2&Page=1", ""},
		{2, "PageToken=PA1f3c&PageSize=1000", ""},
		{2, "DateSent%3E=2026-03-01&DateSent%3C=2026-03-10T00:00:00Z&To=%2B14155550001", ""},
		{2, "DateSent=2026-13-45", ""},
		{2, "PageSize=-1&Page=99999999999999999999", ""},
		{3, "", "To=%2B14155550100&From=%2B15005550006&Body=hi"},
		{3, "", "To=%ZZ&Body="},
		{4, "StartTime%3E=2026-01-01T00:00:00Z&Status=completed&EndTime%3C=2026-03-10", ""},
		{5, "StartDate=-30days&EndDate=%2B0days&Category=sms&IncludeSubaccounts=maybe", ""},
		{6, "StartDate=2026-03-10&EndDate=2000-01-01", ""},
		{7, "", "CallbackUrl=https%3A%2F%2Fx&TriggerValue=%2B30&UsageCategory=sms&Recurring=hourly"},
		{8, "", "SmsUrl=javascript%3Aalert(1)&VoiceCallerIdLookup=perhaps"},
		{10, "PhoneNumber=%5B", ""},
		{11, "EventType=a&ActorSid=b", ""},
		{11, "StartDate=2026-03-01T00:00:00Z&EndDate=notadate", ""},
		{12, "AccountSid=" + mainSID, ""},
		{13, "", "AccountSid=" + mainSID + "&KeyType=restricted&Policy=%7B"},
		{14, "LowRiskNumbersEnabled=yes&IsoCode=gb", ""},
		{15, "", "UpdateRequest=%5B%7B%22iso_code%22%3A%22ZZ%22%7D%5D"},
		{18, "", "Permissions=%7B%22country_code%22%3A%22PK%22%2C%22enabled%22%3Atrue%7D&Permissions=%5B"},
		{19, "", "Description=d&SinkType=webhook&SinkConfiguration=%7B%22destination%22%3A%22ftp%3A%2F%2Fx%22%7D"},
		{20, "", "Description=d&SinkSid=DG1&Types=%7B"},
		{21, "", "InboundRequestUrl=%00&UseInboundWebhookOnNumber=2"},
		{0, "FriendlyName=%FF%FE&Status=closed", ""},
		{1, "", "Status=closed"},
	}
	for _, s := range seeds {
		f.Add(s.route, s.query, s.body)
	}
	e, err := New(Options{World: testWorld(50), Seed: 1, Clock: NewFrozenClock(testNow)})
	if err != nil {
		f.Fatal(err)
	}
	h := e.Handler()
	f.Fuzz(func(t *testing.T, route uint8, query, body string) {
		rt := fuzzRoutes[int(route)%len(fuzzRoutes)]
		target := rt.path
		if query != "" {
			target += "?" + query
		}
		if strings.ContainsAny(target, " \r\n\t") || strings.Contains(query, "#") {
			return // not a request line a client could send
		}
		req, err := http.NewRequest(rt.method, "http://emulator"+target, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(mainSID, mainTok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s", rt.method, target, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			var e twilioError
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Code == 0 || e.Status != rec.Code || e.Message == "" {
				t.Fatalf("%s %s %q: error is not Twilio JSON: %d %s", rt.method, target, body, rec.Code, rec.Body)
			}
		} else if rec.Code != http.StatusNoContent && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s: invalid JSON: %s", rt.method, target, rec.Body)
		}
	})
}

// FuzzPageToken: decoding never panics, only tokens the emulator issued
// decode, and encoding round-trips.
func FuzzPageToken(f *testing.F) {
	for _, s := range []string{"", "PA", "PA0", encodeToken(0), encodeToken(12345), "PAffffffffffffffffff", "PA-1zz", "XX1234"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		pos, ok := decodeToken(tok)
		if !ok {
			return
		}
		if pos < 0 || encodeToken(pos) != tok {
			t.Fatalf("%q decoded to %d which encodes to %q", tok, pos, encodeToken(pos))
		}
	})
}

// FuzzFilterDate: date filters parse or fail cleanly, never panic.
func FuzzFilterDate(f *testing.F) {
	for _, s := range []string{"2026-03-10", "2026-03-10T12:00:00Z", "2026-03-10T12:00:00+05:30", "Tue, 10 Mar 2026 12:00:00 +0000", "-30days", "", "9999-99-99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, day, err := parseFilterDate(s)
		if err == nil && day && (tm.Hour() != 0 || tm.Minute() != 0) {
			t.Fatalf("%q: a day that does not start at midnight: %v", s, tm)
		}
		_, _ = usageDate(s, testNow)
	})
}

// FuzzFaultSpec: fault specs and admin fault bodies parse or fail cleanly,
// and whatever parses is a valid rule.
func FuzzFaultSpec(f *testing.F) {
	for _, s := range []string{"429,p=0.3,product=api,retry_after=1s", "latency,latency=5ms,jitter=1ms,dist=exp", "reset", "503,path=/**",
		"truncate,method=get,limit=2", `[{"kind":"status","status":429,"probability":0.5}]`, `{"specs":["slow,latency=1s"]}`, "", ",", "429,p=NaN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if r, err := ParseFaultSpec(s); err == nil {
			if err := r.validate(); err != nil {
				t.Fatalf("%q parsed to an invalid rule: %v", s, err)
			}
			_ = globMatch(r.Path, "/2010-04-01/Accounts/AC1/Messages.json")
		}
		if rules, err := parseAdminFaults([]byte(s)); err == nil {
			fs := &faultSet{}
			_ = fs.set(rules) // validates; must not panic
		}
	})
}
