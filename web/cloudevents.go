package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/atoguard/atoguard"
)

// TestEventType is the event Twilio sends when a sink is tested.
const TestEventType = "com.twilio.eventstreams.test-event"

// ParseEvents reads an Event Streams delivery: one CloudEvent or a JSON
// array of them. It is lenient where Twilio's own examples vary
// (datacontenttype, data given as a JSON string, a missing specversion) and
// strict where storage depends on it: every event is a JSON object with a
// string id and type. Each event's Raw is its bytes exactly as received.
func ParseEvents(body []byte, receivedAt time.Time) ([]atoguard.StreamEvent, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, errors.New("empty body")
	}
	var raws []json.RawMessage
	if body[0] == '[' {
		if err := json.Unmarshal(body, &raws); err != nil {
			return nil, fmt.Errorf("batch: %w", err)
		}
		if len(raws) == 0 {
			return nil, errors.New("empty batch")
		}
	} else {
		if !json.Valid(body) {
			return nil, errors.New("not valid JSON")
		}
		raws = []json.RawMessage{body}
	}
	out := make([]atoguard.StreamEvent, 0, len(raws))
	for i, raw := range raws {
		e, err := parseEvent(raw)
		if err != nil {
			return nil, fmt.Errorf("event %d: %w", i, err)
		}
		e.ReceivedAt = receivedAt
		out = append(out, e)
	}
	return out, nil
}

type wireCloudEvent struct {
	SpecVersion any             `json:"specversion"`
	ID          any             `json:"id"`
	Type        any             `json:"type"`
	Source      any             `json:"source"`
	Time        any             `json:"time"`
	Data        json.RawMessage `json:"data"`
}

func parseEvent(raw json.RawMessage) (atoguard.StreamEvent, error) {
	var w wireCloudEvent
	if err := json.Unmarshal(raw, &w); err != nil {
		return atoguard.StreamEvent{}, errors.New("not a JSON object")
	}
	id, _ := w.ID.(string)
	typ, _ := w.Type.(string)
	if id == "" || typ == "" {
		return atoguard.StreamEvent{}, errors.New(`a CloudEvent needs a string "id" and "type"`)
	}
	if v, ok := w.SpecVersion.(string); w.SpecVersion != nil && (!ok || len(v) == 0 || v[0] != '1') {
		return atoguard.StreamEvent{}, fmt.Errorf("specversion %v: want 1.x", w.SpecVersion)
	}
	src, _ := w.Source.(string)
	e := atoguard.StreamEvent{ID: id, Type: typ, Source: src, Raw: append([]byte(nil), raw...)}
	if s, ok := w.Time.(string); ok {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			e.Time = t.UTC()
		}
	}
	e.AccountSID = accountOf(w.Data, src)
	return e, nil
}

var accountSIDRe = regexp.MustCompile(`AC[0-9a-fA-F]{32}`)

// accountOf finds the account an event belongs to: data's account SID
// (Twilio's schemas spell it three ways), else one in the source.
func accountOf(data json.RawMessage, source string) string {
	var s string
	if json.Unmarshal(data, &s) == nil { // data sent as a JSON string
		data = json.RawMessage(s)
	}
	var m map[string]any
	if json.Unmarshal(data, &m) == nil {
		for _, k := range []string{"accountSid", "account_sid", "AccountSid"} {
			if v, ok := m[k].(string); ok && accountSIDRe.MatchString(v) && len(v) == 34 {
				return v
			}
		}
	}
	return accountSIDRe.FindString(source)
}
