package emulator

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

var (
	sinkTypes    = []string{"kinesis", "webhook", "segment", "email"}
	sinkStatuses = []string{"initialized", "validating", "active", "failed"}
)

func sinkJSON(s *sink) map[string]any {
	var cfg any
	_ = json.Unmarshal([]byte(s.config), &cfg)
	u := "https://events.twilio.com/v1/Sinks/" + s.sid
	return map[string]any{
		"date_created": fmtISO(s.created), "date_updated": fmtISO(s.updated), "description": s.description,
		"sid": s.sid, "sink_configuration": cfg, "sink_type": s.sinkType, "status": s.status, "url": u,
		"links": map[string]any{"sink_test": u + "/Test", "sink_validate": u + "/Validate"},
	}
}

func (c *call) inUse(s *sink) bool {
	return slices.ContainsFunc(c.acct.subs, func(sb *subscription) bool { return sb.sinkSID == s.sid })
}

func (c *call) createSink() {
	desc, typ, cfg := c.v("Description"), c.v("SinkType"), c.v("SinkConfiguration")
	var conf map[string]any
	switch {
	case desc == "" || typ == "" || cfg == "":
		c.badParam("Description, SinkType and SinkConfiguration are required")
		return
	case !contains(sinkTypes, typ):
		c.badParam("Invalid SinkType: " + typ)
		return
	case json.Unmarshal([]byte(cfg), &conf) != nil:
		c.badParam("SinkConfiguration must be a JSON object")
		return
	}
	if typ == "webhook" {
		dest, _ := conf["destination"].(string)
		if u, err := url.Parse(dest); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			c.badParam("A webhook sink needs an http(s) destination")
			return
		}
	}
	s := &sink{sid: c.st.newSID("DG"), description: desc, sinkType: typ, config: cfg, status: "initialized", created: c.now, updated: c.now}
	c.acct.sinks = append(c.acct.sinks, s)
	c.record(c.acct, "event-streams-sink.created", s.sid, "event-streams-sink", "Event Streams sink created",
		map[string]any{"sink_type": change{nil, typ}})
	c.json(http.StatusCreated, sinkJSON(s))
}

func (c *call) listSinks() {
	pr, ok := c.paging()
	if !ok {
		return
	}
	inUse, ok := c.boolFilter("InUse")
	if !ok {
		return
	}
	if st := c.v("Status"); st != "" && !contains(sinkStatuses, st) {
		c.badParam("Invalid Status: " + st)
		return
	}
	list := slices.DeleteFunc(slices.Clone(c.acct.sinks), func(s *sink) bool {
		return (inUse != nil && c.inUse(s) != *inUse) || (c.v("Status") != "" && s.status != c.v("Status"))
	})
	page, next := pageSlice(c, list, pr)
	c.writeV1List("sinks", marshalAll(page, func(s *sink) any { return sinkJSON(s) }), pr, next)
}

func (c *call) findSink(sid string) (int, *sink) {
	for i, s := range c.acct.sinks {
		if s.sid == sid {
			return i, s
		}
	}
	return -1, nil
}

func (c *call) sinkParam() (int, *sink) {
	i, s := c.findSink(c.params["Sid"])
	if s == nil {
		c.notFound()
	}
	return i, s
}

func (c *call) fetchSink() {
	if _, s := c.sinkParam(); s != nil {
		c.json(http.StatusOK, sinkJSON(s))
	}
}

func (c *call) deleteSink() {
	i, s := c.sinkParam()
	if s == nil {
		return
	}
	if c.inUse(s) {
		c.badParam("The sink is used by a subscription; delete the subscription first")
		return
	}
	c.acct.sinks = slices.Delete(c.acct.sinks, i, i+1)
	c.record(c.acct, "event-streams-sink.deleted", s.sid, "event-streams-sink", "Event Streams sink deleted", nil)
	c.noContent()
}

// testSink sends the test CloudEvent to a webhook sink's destination (in the
// background, as Twilio does) and waits for Validate with its test_id.
func (c *call) testSink() {
	_, s := c.sinkParam()
	if s == nil {
		return
	}
	b := make([]byte, 16)
	for i := range b {
		b[i] = byte(c.st.rng.Uint32())
	}
	h := hex.EncodeToString(b)
	s.testID = h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
	s.status, s.updated = "validating", c.now
	if s.sinkType == "webhook" {
		var conf struct {
			Destination string `json:"destination"`
			Batch       bool   `json:"batch_events"`
		}
		_ = json.Unmarshal([]byte(s.config), &conf)
		var ev any = map[string]any{
			"specversion": "1.0", "type": "com.twilio.eventstreams.test-event", "source": "Sink",
			"id": s.testID, "dataschema": "https://events-schemas.twilio.com/EventStreams.TestSink/1",
			"datacontenttype": "application/json", "time": c.now.Format(time.RFC3339),
			"data": map[string]any{"test_id": s.testID},
		}
		if conf.Batch {
			ev = []any{ev}
		}
		go deliver(conf.Destination, c.acct.token, ev)
	}
	c.json(http.StatusCreated, map[string]any{"result": "submitted"})
}

// deliver POSTs one CloudEvent, signed like Twilio's JSON webhooks: the URL
// gets bodySHA256=<hex sha256 of the body> and X-Twilio-Signature is the
// base64 HMAC-SHA1 of that URL with the account's auth token.
func deliver(dest, token string, ev any) {
	body, _ := json.Marshal(ev)
	sum := sha256.Sum256(body)
	sep := "?"
	if strings.Contains(dest, "?") {
		sep = "&"
	}
	u := dest + sep + "bodySHA256=" + hex.EncodeToString(sum[:])
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(u))
	req, err := http.NewRequest(http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Twilio-Signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	req.Header.Set("User-Agent", "TwilioProxy/1.1 (atoguard emulator)")
	client := &http.Client{Timeout: 5 * time.Second}
	if res, err := client.Do(req); err == nil {
		_ = res.Body.Close()
	}
}

func (c *call) validateSink() {
	_, s := c.sinkParam()
	if s == nil {
		return
	}
	id := c.v("TestId")
	if id == "" {
		c.badParam("Required parameter TestId missing.")
		return
	}
	if s.testID == "" || id != s.testID {
		c.badParam("TestId does not match the last test event sent to this sink")
		return
	}
	s.status, s.updated = "active", c.now
	c.json(http.StatusCreated, map[string]any{"result": "valid"})
}

// ---- Subscriptions ----

func subscriptionJSON(sb *subscription, acct string) map[string]any {
	u := "https://events.twilio.com/v1/Subscriptions/" + sb.sid
	return map[string]any{
		"account_sid": acct, "sid": sb.sid, "date_created": fmtISO(sb.created), "date_updated": fmtISO(sb.updated),
		"description": sb.description, "sink_sid": sb.sinkSID, "url": u,
		"links": map[string]any{"subscribed_events": u + "/SubscribedEvents"},
	}
}

func (c *call) createSubscription() {
	desc, sinkSID, raw := c.v("Description"), c.v("SinkSid"), c.r.Form["Types"]
	if desc == "" || sinkSID == "" || len(raw) == 0 {
		c.badParam("Description, SinkSid and Types are required")
		return
	}
	_, s := c.findSink(sinkSID)
	switch {
	case s == nil:
		c.badParam("Unknown SinkSid: " + sinkSID)
		return
	case s.status != "active":
		c.badParam("The sink is not active: test and validate it first")
		return
	}
	var types []subscribedType
	for _, t := range raw {
		var st struct {
			Type          string `json:"type"`
			SchemaVersion *int   `json:"schema_version"`
		}
		if err := json.Unmarshal([]byte(t), &st); err != nil || !strings.HasPrefix(st.Type, "com.twilio.") {
			c.badParam("Each Types value must be a JSON object {\"type\":\"com.twilio.…\",\"schema_version\":N}")
			return
		}
		v := 1
		if st.SchemaVersion != nil {
			v = *st.SchemaVersion
		}
		types = append(types, subscribedType{Type: st.Type, SchemaVersion: v})
	}
	sb := &subscription{sid: c.st.newSID("DF"), description: desc, sinkSID: sinkSID, types: types, created: c.now, updated: c.now}
	c.acct.subs = append(c.acct.subs, sb)
	c.record(c.acct, "event-streams-subscription.created", sb.sid, "event-streams-subscription",
		"Event Streams subscription created", map[string]any{"types": change{nil, strconv.Itoa(len(types)) + " types"}})
	c.json(http.StatusCreated, subscriptionJSON(sb, c.acct.SID))
}

func (c *call) listSubscriptions() {
	pr, ok := c.paging()
	if !ok {
		return
	}
	list := slices.DeleteFunc(slices.Clone(c.acct.subs), func(sb *subscription) bool {
		return c.has("SinkSid") && sb.sinkSID != c.v("SinkSid")
	})
	page, next := pageSlice(c, list, pr)
	c.writeV1List("subscriptions", marshalAll(page, func(sb *subscription) any { return subscriptionJSON(sb, c.acct.SID) }), pr, next)
}

func (c *call) findSubscription() (int, *subscription) {
	for i, sb := range c.acct.subs {
		if sb.sid == c.params["Sid"] {
			return i, sb
		}
	}
	c.notFound()
	return -1, nil
}

func (c *call) fetchSubscription() {
	if _, sb := c.findSubscription(); sb != nil {
		c.json(http.StatusOK, subscriptionJSON(sb, c.acct.SID))
	}
}

func (c *call) deleteSubscription() {
	i, sb := c.findSubscription()
	if sb == nil {
		return
	}
	c.acct.subs = slices.Delete(c.acct.subs, i, i+1)
	c.record(c.acct, "event-streams-subscription.deleted", sb.sid, "event-streams-subscription",
		fmt.Sprintf("Event Streams subscription deleted (%d types)", len(sb.types)), nil)
	c.noContent()
}

// publish delivers a CloudEvent of type typ to every active webhook sink of
// the account with a subscription to it, in the background, retried and
// possibly duplicated or reordered as StreamOptions say. A sink with
// batch_events gets a JSON array.
func (c *call) publish(typ, source, schema string, data map[string]any) {
	for _, sb := range c.acct.subs {
		if !slices.ContainsFunc(sb.types, func(t subscribedType) bool { return t.Type == typ }) {
			continue
		}
		_, s := c.findSink(sb.sinkSID)
		if s == nil || s.status != "active" || s.sinkType != "webhook" {
			continue
		}
		var conf struct {
			Destination string `json:"destination"`
			Batch       bool   `json:"batch_events"`
		}
		_ = json.Unmarshal([]byte(s.config), &conf)
		id := c.st.newSID("EZ")
		ev := map[string]any{
			"specversion": "1.0", "type": typ, "source": source, "id": id,
			"dataschema":      "https://events-schemas.twilio.com/" + schema,
			"datacontenttype": "application/json", "time": c.now.Format(time.RFC3339), "data": data,
		}
		c.e.streams.enqueue(conf.Destination, c.acct.token, conf.Batch, []map[string]any{ev})
	}
}

// deliverForm sends a form webhook (usage trigger callbacks) signed as
// Twilio signs them: base64 HMAC-SHA1 of the URL followed by every
// parameter name and value in name order (the URL alone for GET).
func deliverForm(dest, method, token string, form url.Values) {
	mac := hmac.New(sha1.New, []byte(token))
	var req *http.Request
	var err error
	if method == http.MethodGet {
		u := dest
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + form.Encode()
		mac.Write([]byte(u))
		req, err = http.NewRequest(http.MethodGet, u, nil)
	} else {
		mac.Write([]byte(dest))
		for _, k := range sortedKeys(form) {
			for _, v := range form[k] {
				mac.Write([]byte(k + v))
			}
		}
		req, err = http.NewRequest(http.MethodPost, dest, strings.NewReader(form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		return
	}
	req.Header.Set("X-Twilio-Signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	req.Header.Set("User-Agent", "TwilioProxy/1.1 (atoguard emulator)")
	client := &http.Client{Timeout: 5 * time.Second}
	if res, err := client.Do(req); err == nil {
		_ = res.Body.Close()
	}
}
