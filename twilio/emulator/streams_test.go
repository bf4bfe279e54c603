package emulator

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

type delivery struct {
	body     []byte
	validSig bool
}

// TestEventStreamsDelivery: a validated webhook sink with a subscription
// receives signed CloudEvents for messages sent through the API.
func TestEventStreamsDelivery(t *testing.T) {
	got := make(chan delivery, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		full := "http://" + r.Host + r.URL.RequestURI()
		mac := hmac.New(sha1.New, []byte(mainTok))
		mac.Write([]byte(full))
		sum := sha256.Sum256(body)
		valid := hmac.Equal([]byte(base64.StdEncoding.EncodeToString(mac.Sum(nil))), []byte(r.Header.Get("X-Twilio-Signature"))) &&
			r.URL.Query().Get("bodySHA256") == hex.EncodeToString(sum[:])
		got <- delivery{body, valid}
	}))
	defer hook.Close()
	wait := func() delivery {
		t.Helper()
		select {
		case d := <-got:
			return d
		case <-time.After(5 * time.Second):
			t.Fatal("no delivery")
		}
		return delivery{}
	}

	te := newEnv(t, testWorld(1))
	do := func(method, path string, form url.Values) resp { return te.do(method, path, mainSID, mainTok, form) }
	sk := do("POST", "/events/v1/Sinks", url.Values{"Description": {"d"}, "SinkType": {"webhook"},
		"SinkConfiguration": {`{"destination":"` + hook.URL + `/ev","method":"POST","batch_events":true}`}})
	sink := sk.json["sid"].(string)
	// A subscription needs an active sink.
	types := `{"type":"com.twilio.messaging.message.sent","schema_version":1}`
	if r := do("POST", "/events/v1/Subscriptions", url.Values{"Description": {"d"}, "SinkSid": {sink}, "Types": {types}}); r.status != 400 {
		t.Fatalf("subscription on an unvalidated sink: %d", r.status)
	}
	do("POST", "/events/v1/Sinks/"+sink+"/Test", url.Values{})
	test := wait()
	if !test.validSig {
		t.Fatal("test event signature invalid")
	}
	var tev []map[string]any
	if err := json.Unmarshal(test.body, &tev); err != nil || len(tev) != 1 || tev[0]["type"] != "com.twilio.eventstreams.test-event" {
		t.Fatalf("batched test event: %v %s", err, test.body)
	}
	id := tev[0]["data"].(map[string]any)["test_id"].(string)
	if r := do("POST", "/events/v1/Sinks/"+sink+"/Validate", url.Values{"TestId": {"wrong"}}); r.status != 400 {
		t.Fatalf("wrong test id: %d", r.status)
	}
	if r := do("POST", "/events/v1/Sinks/"+sink+"/Validate", url.Values{"TestId": {id}}); r.status != 201 {
		t.Fatalf("validate: %d %s", r.status, r.body)
	}
	if r := do("POST", "/events/v1/Subscriptions", url.Values{"Description": {"d"}, "SinkSid": {sink}, "Types": {types}}); r.status != 201 {
		t.Fatalf("subscribe: %d %s", r.status, r.body)
	}
	if r := do("DELETE", "/events/v1/Sinks/"+sink, nil); r.status != 400 {
		t.Fatalf("deleting a sink in use: %d", r.status)
	}
	m := do("POST", "/api/2010-04-01/Accounts/"+mainSID+"/Messages.json", url.Values{"To": {"+14155550142"}, "From": {"+15005550006"}, "Body": {"x"}})
	d := wait()
	var evs []map[string]any
	if err := json.Unmarshal(d.body, &evs); err != nil || len(evs) != 1 || !d.validSig {
		t.Fatalf("message event: %v valid=%v %s", err, d.validSig, d.body)
	}
	data := evs[0]["data"].(map[string]any)
	if evs[0]["type"] != "com.twilio.messaging.message.sent" || data["messageSid"] != m.json["sid"] || data["to"] != "+14155550142" {
		t.Fatalf("event: %v", evs[0])
	}
	select {
	case extra := <-got:
		t.Fatalf("event for an unsubscribed type: %s", extra.body)
	case <-time.After(100 * time.Millisecond):
	}
}

// TestUsageTriggerFires: a trigger fires once per period when traffic
// reaches its value, with Twilio's signed callback parameters.
func TestUsageTriggerFires(t *testing.T) {
	type callback struct {
		form     url.Values
		validSig bool
	}
	got := make(chan callback, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mac := hmac.New(sha1.New, []byte(mainTok))
		mac.Write([]byte("http://" + r.Host + r.URL.RequestURI()))
		for _, k := range sortedKeys(r.PostForm) {
			mac.Write([]byte(k + r.PostForm.Get(k)))
		}
		got <- callback{r.PostForm, base64.StdEncoding.EncodeToString(mac.Sum(nil)) == r.Header.Get("X-Twilio-Signature")}
	}))
	defer hook.Close()
	te := newEnv(t, testWorld(3)) // 3 messages today
	api := "/api/2010-04-01/Accounts/" + mainSID
	ut := te.do("POST", api+"/Usage/Triggers.json", mainSID, mainTok, url.Values{"CallbackUrl": {hook.URL + "/cap"},
		"TriggerValue": {"+2"}, "UsageCategory": {"sms"}, "TriggerBy": {"count"}, "Recurring": {"daily"}})
	if ut.status != 201 || ut.json["trigger_value"] != "5" {
		t.Fatalf("create: %d %s", ut.status, ut.body)
	}
	send := func() {
		t.Helper()
		if r := te.do("POST", api+"/Messages.json", mainSID, mainTok, url.Values{"To": {"+14155550111"}, "From": {"+15005550006"}, "Body": {"x"}}); r.status != 201 {
			t.Fatalf("send: %d", r.status)
		}
	}
	expect := func(want bool) {
		t.Helper()
		select {
		case cb := <-got:
			if !want {
				t.Fatalf("unexpected callback %v", cb.form)
			}
			if !cb.validSig || cb.form.Get("UsageTriggerSid") != ut.json["sid"] || cb.form.Get("CurrentValue") != "5" || cb.form.Get("TriggerValue") != "5" {
				t.Fatalf("callback %v (signature valid %v)", cb.form, cb.validSig)
			}
		case <-time.After(time.Duration(map[bool]int{true: 5000, false: 150}[want]) * time.Millisecond):
			if want {
				t.Fatal("trigger did not fire")
			}
		}
	}
	send()
	expect(false) // 4 < 5
	send()
	expect(true) // 5
	send()
	expect(false) // once per day
	if r := te.do("GET", api+"/Usage/Triggers/"+ut.json["sid"].(string)+".json", mainSID, mainTok, nil); r.json["date_fired"] == nil {
		t.Fatalf("date_fired not set: %s", r.body)
	}
	te.e.Clock().Advance(24 * time.Hour) // a new day: counts restart
	for range 4 {
		send()
	}
	expect(false)
	send()
	expect(true)
}
