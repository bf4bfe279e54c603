package monitor

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/store"
)

// Event Streams types detection reads (Twilio's catalogue; the voice status
// callbacks were renamed in 2024, both spellings arrive).
const (
	typeMessagePrefix = "com.twilio.messaging.message."
	typeInbound       = "com.twilio.messaging.inbound-message.received"
	typeCallPrefix    = "com.twilio.voice.status-callback.call."
	typeCallPrefixOld = "com.twilio.voice.webhook.status-callback.call."
)

// MarkDirty queues detection for accounts whose data just arrived (the
// sink calls it after acknowledging a delivery).
func (e *Engine) MarkDirty(sids ...string) {
	for _, sid := range sids {
		if sid == "" {
			continue
		}
		select {
		case e.dirty <- sid:
		default: // detection is behind; it will read this account's data anyway
		}
	}
}

// streamActivity reads the account's messages and calls from its stored
// Event Streams events. seen is false when the account has none at all:
// then messages and calls are missing, not absent.
func (e *Engine) streamActivity(ctx context.Context, sid string, since time.Time) (msgs []atoguard.Message, calls []atoguard.Call, seen bool, err error) {
	evs, err := e.o.Store.StreamEvents(ctx, store.EventQuery{AccountSID: sid, Since: since})
	if err != nil {
		return nil, nil, false, err
	}
	msgs, calls, seen = StreamActivity(evs)
	return msgs, calls, seen, nil
}

// StreamActivity maps Event Streams events to the records detection reads:
// one message (or call) per SID, in its most advanced status, whatever the
// order the events arrived in. seen reports whether any event was a
// messaging or voice one.
func StreamActivity(evs []atoguard.StreamEvent) (msgs []atoguard.Message, calls []atoguard.Call, seen bool) {
	ms := map[string]*atoguard.Message{}
	cs := map[string]*atoguard.Call{}
	var morder, corder []string
	for _, ev := range evs {
		switch {
		case strings.HasPrefix(ev.Type, typeMessagePrefix) || ev.Type == typeInbound:
			seen = true
			m, ok := messageOf(ev)
			if !ok {
				continue
			}
			if old := ms[m.SID]; old == nil {
				ms[m.SID] = &m
				morder = append(morder, m.SID)
			} else {
				mergeMessage(old, m)
			}
		case strings.HasPrefix(ev.Type, typeCallPrefix) || strings.HasPrefix(ev.Type, typeCallPrefixOld):
			seen = true
			c, ok := callOf(ev)
			if !ok {
				continue
			}
			if old := cs[c.SID]; old == nil {
				cs[c.SID] = &c
				corder = append(corder, c.SID)
			} else {
				mergeCall(old, c)
			}
		}
	}
	for _, s := range morder {
		msgs = append(msgs, *ms[s])
	}
	for _, s := range corder {
		calls = append(calls, *cs[s])
	}
	return msgs, calls, seen
}

// eventData is the CloudEvent's data object (sent as an object or as a
// JSON string).
func eventData(raw []byte) map[string]any {
	var w struct {
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal(raw, &w) != nil {
		return nil
	}
	var s string
	if json.Unmarshal(w.Data, &s) == nil {
		w.Data = json.RawMessage(s)
	}
	var m map[string]any
	_ = json.Unmarshal(w.Data, &m)
	return m
}

// field returns the first of keys present as text (Twilio's schemas spell
// fields camelCase, snake_case or as status-callback parameters).
func field(m map[string]any, keys ...string) string {
	for _, k := range keys {
		switch v := m[k].(type) {
		case string:
			if v != "" {
				return v
			}
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
	}
	return ""
}

func eventTime(m map[string]any, ev atoguard.StreamEvent) time.Time {
	for _, k := range []string{"timestamp", "Timestamp", "dateCreated"} {
		if t, err := time.Parse(time.RFC3339Nano, field(m, k)); err == nil {
			return t.UTC()
		}
	}
	if !ev.Time.IsZero() {
		return ev.Time
	}
	return ev.ReceivedAt.UTC()
}

func messageOf(ev atoguard.StreamEvent) (atoguard.Message, bool) {
	d := eventData(ev.Raw)
	sid := field(d, "messageSid", "message_sid", "MessageSid")
	if sid == "" {
		return atoguard.Message{}, false
	}
	at := eventTime(d, ev)
	m := atoguard.Message{
		SID: sid, AccountSID: ev.AccountSID, MessagingServiceSID: field(d, "messagingServiceSid", "MessagingServiceSid"),
		From: field(d, "from", "From"), To: field(d, "to", "To"), Body: field(d, "body", "Body"),
		Direction: "outbound-api", Status: field(d, "messageStatus", "MessageStatus"), DateCreated: at, DateSent: at,
	}
	if ev.Type == typeInbound {
		m.Direction, m.Status = "inbound", "received"
	} else if m.Status == "" {
		m.Status = strings.TrimPrefix(ev.Type, typeMessagePrefix)
	}
	m.NumSegments, _ = strconv.Atoi(field(d, "numSegments", "NumSegments"))
	m.NumSegments = max(1, m.NumSegments)
	m.ErrorCode, _ = strconv.Atoi(field(d, "errorCode", "ErrorCode"))
	return m, true
}

// messageRank orders statuses so a late "sent" never undoes "undelivered".
var messageRank = map[string]int{"accepted": 1, "scheduled": 1, "queued": 2, "sending": 3, "sent": 4, "received": 5,
	"delivered": 5, "undelivered": 6, "failed": 6, "read": 6, "canceled": 6}

func mergeMessage(old *atoguard.Message, m atoguard.Message) {
	if messageRank[m.Status] > messageRank[old.Status] {
		old.Status = m.Status
	}
	old.ErrorCode = max(old.ErrorCode, m.ErrorCode)
	if m.DateCreated.Before(old.DateCreated) {
		old.DateCreated, old.DateSent = m.DateCreated, m.DateSent
	}
	old.Body = cmpOr(old.Body, m.Body)
	old.From, old.To = cmpOr(old.From, m.From), cmpOr(old.To, m.To)
}

func callOf(ev atoguard.StreamEvent) (atoguard.Call, bool) {
	d := eventData(ev.Raw)
	if p, ok := d["request"].(map[string]any); ok { // status callbacks nest the parameters
		if q, ok := p["parameters"].(map[string]any); ok {
			d = q
		}
	}
	sid := field(d, "CallSid", "callSid", "call_sid")
	if sid == "" {
		return atoguard.Call{}, false
	}
	at := eventTime(d, ev)
	c := atoguard.Call{
		SID: sid, AccountSID: ev.AccountSID, From: field(d, "From", "from"), To: field(d, "To", "to"),
		Direction: cmpOr(field(d, "Direction", "direction"), "outbound-api"), Status: field(d, "CallStatus", "callStatus"),
		StartTime: at, EndTime: at,
	}
	if c.Status == "" {
		c.Status = strings.TrimPrefix(strings.TrimPrefix(ev.Type, typeCallPrefix), typeCallPrefixOld)
	}
	c.Duration, _ = strconv.Atoi(field(d, "CallDuration", "callDuration", "Duration"))
	c.StartTime = at.Add(-time.Duration(c.Duration) * time.Second)
	return c, true
}

var callRank = map[string]int{"queued": 1, "initiated": 1, "ringing": 2, "answered": 3, "in-progress": 3,
	"completed": 4, "busy": 4, "failed": 4, "no-answer": 4, "canceled": 4}

func mergeCall(old *atoguard.Call, c atoguard.Call) {
	if callRank[c.Status] >= callRank[old.Status] {
		old.Status, old.EndTime = c.Status, c.EndTime
		if c.Duration > 0 {
			old.Duration, old.StartTime = c.Duration, c.StartTime
		}
	}
	old.From, old.To = cmpOr(old.From, c.From), cmpOr(old.To, c.To)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
