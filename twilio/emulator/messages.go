package emulator

import (
	"encoding/hex"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/atoguard/atoguard"
)

// listMessages serves GET Messages.json: newest first, filters To, From,
// DateSent, DateSent< and DateSent>.
func (c *call) listMessages() {
	pr, ok := c.paging()
	if !ok {
		return
	}
	from, to, ok := c.dateRange("DateSent")
	if !ok {
		return
	}
	ms := &c.acct.msgs
	lo, hi := ms.bounds(from, to)
	var match func(int) bool
	toID, fromID := uint32(0), uint32(0)
	var empty bool
	if c.has("To") {
		id, ok := ms.strs.lookup(c.v("To"))
		toID, empty = id, empty || !ok
	}
	if c.has("From") {
		id, ok := ms.strs.lookup(c.v("From"))
		fromID, empty = id, empty || !ok
	}
	switch {
	case empty:
		lo, hi = 0, 0
	case c.has("To") || c.has("From"):
		recs := ms.recs
		wantTo, wantFrom := c.has("To"), c.has("From")
		match = func(i int) bool {
			r := &recs[i]
			return (!wantTo || r.to == toID) && (!wantFrom || r.from == fromID)
		}
	}
	idx, next, ok := pageDesc(len(ms.recs), lo, hi, pr, match)
	if !ok {
		c.fail(http.StatusBadRequest, 21481, "Invalid PageToken")
		return
	}
	acct := c.acct.SID
	c.write2010ListFunc("messages", len(idx), pr, next, func(b []byte) []byte {
		for n, i := range idx {
			if n > 0 {
				b = append(b, ',')
			}
			b = ms.appendJSON(b, &ms.recs[i], acct)
		}
		return b
	})
}

// createMessage serves POST Messages.json. The message is stored as sent,
// priced by destination; the response shows it queued, as Twilio does.
func (c *call) createMessage() {
	a := c.acct
	to, from, svc, body := c.v("To"), c.v("From"), c.v("MessagingServiceSid"), c.v("Body")
	switch {
	case a.Status != "active":
		c.fail(http.StatusForbidden, 10001, "Account is not active")
		return
	case to == "":
		c.fail(http.StatusBadRequest, 21604, "A 'To' phone number is required.")
		return
	case from == "" && svc == "":
		c.fail(http.StatusBadRequest, 21603, "A 'From' phone number is required.")
		return
	case body == "" && !c.has("MediaUrl") && !c.has("ContentSid"):
		c.fail(http.StatusBadRequest, 21602, "Message body is required.")
		return
	case !strings.HasPrefix(to, "+") || len(to) < 8 || len(to) > 16:
		c.fail(http.StatusBadRequest, 21211, "Invalid 'To' Phone Number: "+to)
		return
	case utf8.RuneCountInString(body) > 1600:
		c.fail(http.StatusBadRequest, 21617, "The concatenated message body exceeds the 1600 character limit.")
		return
	}
	if svc != "" && from == "" {
		from = firstNumber(a)
	}
	if cc, ok := countryOfNumber(to); ok {
		if p := a.sms[cc.iso]; p != nil && !p.Enabled {
			c.fail(http.StatusBadRequest, 21408, "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: "+to)
			return
		}
	}
	segs := (utf8.RuneCountInString(body) + 152) / 153
	m := atoguard.Message{
		SID: c.st.newSID("SM"), AccountSID: a.SID, MessagingServiceSID: svc,
		From: from, To: to, Body: body, Direction: "outbound-api", Status: "sent",
		NumSegments: max(1, segs), Price: smsPrice(to) * float64(max(1, segs)), PriceUnit: "USD",
		DateCreated: c.now, DateSent: c.now,
	}
	a.msgs.insert(&m)
	data := map[string]any{
		"accountSid": a.SID, "messageSid": m.SID, "from": m.From, "to": m.To,
		"messagingServiceSid": m.MessagingServiceSID, "numSegments": m.NumSegments,
		"timestamp": c.now.Format(time.RFC3339),
	}
	fireTriggers(a, c.now, func() string { return c.st.newSID("") })
	source := "/2010-04-01/Accounts/" + a.SID + "/Messages/" + m.SID + ".json"
	for _, st := range []string{"queued", "sent"} {
		d := maps.Clone(data)
		d["messageStatus"] = st
		c.publish("com.twilio.messaging.message."+st, source, "Messaging.MessageStatus/1", d)
	}
	// The response is the message as just accepted: queued, unpriced.
	view := m
	view.Status, view.Price, view.DateSent = "queued", 0, view.DateSent.AddDate(-3000, 0, 0)
	var r msgStore
	r.strs = newInterner()
	r.add(&view)
	r.recs[0].sent, r.recs[0].price = 0, noPrice
	c.raw(http.StatusCreated, r.appendJSON(nil, &r.recs[0], a.SID))
}

func firstNumber(a *account) string {
	if len(a.numbers) > 0 {
		return a.numbers[0].PhoneNumber.PhoneNumber
	}
	return ""
}

// findMessage locates a stored message by SID (a linear scan over packed
// SIDs: fetches and deletes are rare next to lists).
func (c *call) findMessage() int {
	ms := &c.acct.msgs
	sid := c.params["Sid"]
	var want [16]byte
	packed := false
	if len(sid) == 34 && validSID(sid, sid[:2]) {
		if _, err := hex.Decode(want[:], []byte(sid[2:])); err == nil && hex.EncodeToString(want[:]) == sid[2:] {
			packed = true
		}
	}
	pfx, known := ms.strs.lookup(sid[:min(2, len(sid))])
	full, fullKnown := ms.strs.lookup(sid)
	for i := range ms.recs {
		r := &ms.recs[i]
		if (packed && known && r.sidPfx == pfx && r.sid == want) || (fullKnown && r.sidPfx == full) {
			return i
		}
	}
	c.notFound()
	return -1
}

func (c *call) fetchMessage() {
	if i := c.findMessage(); i >= 0 {
		c.raw(http.StatusOK, c.acct.msgs.appendJSON(nil, &c.acct.msgs.recs[i], c.acct.SID))
	}
}

// updateMessage redacts a message's body (Body="") — evidence an attacker
// may erase, so it leaves a message-body.deleted event.
func (c *call) updateMessage() {
	i := c.findMessage()
	if i < 0 {
		return
	}
	ms := &c.acct.msgs
	r := &ms.recs[i]
	if c.has("Body") {
		if c.v("Body") != "" {
			c.fail(http.StatusBadRequest, 20001, "Body can only be set to the empty string (redaction)")
			return
		}
		if r.body != 0 {
			r.body = 0
			c.record(c.acct, "message-body.deleted", ms.sid(r), "message", "Message body redacted", nil)
		}
	}
	if st := c.v("Status"); st != "" && st != "canceled" {
		c.badParam("Invalid Status: " + st)
		return
	} else if st == "canceled" {
		if msgStatuses[r.status] != "scheduled" {
			c.fail(http.StatusBadRequest, 30409, "Only scheduled messages can be canceled")
			return
		}
		r.status = indexOf(msgStatuses[:], "canceled", r.status)
	}
	c.raw(http.StatusOK, ms.appendJSON(nil, r, c.acct.SID))
}

// deleteMessage removes a message (positions after it shift, so page tokens
// issued before may skip or repeat one message, as a live Twilio list can).
func (c *call) deleteMessage() {
	i := c.findMessage()
	if i < 0 {
		return
	}
	ms := &c.acct.msgs
	sid := ms.sid(&ms.recs[i])
	ms.recs = slices.Delete(ms.recs, i, i+1)
	c.record(c.acct, "message.deleted", sid, "message", "Message deleted", nil)
	c.noContent()
}
