package twilio

import (
	"context"
	"iter"
	"net/url"
	"time"

	"github.com/atoguard/atoguard"
)

// wireMessage is the 2010 Message resource (only the fields atoguard uses).
type wireMessage struct {
	SID                 string `json:"sid"`
	AccountSID          string `json:"account_sid"`
	MessagingServiceSID string `json:"messaging_service_sid"`
	From                string `json:"from"`
	To                  string `json:"to"`
	Body                string `json:"body"`
	Direction           string `json:"direction"`
	Status              string `json:"status"`
	NumSegments         inum   `json:"num_segments"`
	Price               num    `json:"price"`
	PriceUnit           string `json:"price_unit"`
	ErrorCode           inum   `json:"error_code"`
	DateCreated         ts     `json:"date_created"`
	DateSent            ts     `json:"date_sent"`
}

func (w *wireMessage) message() atoguard.Message {
	return atoguard.Message{SID: w.SID, AccountSID: w.AccountSID, MessagingServiceSID: w.MessagingServiceSID,
		From: w.From, To: w.To, Body: w.Body, Direction: w.Direction, Status: w.Status,
		NumSegments: int(w.NumSegments), Price: absPrice(w.Price), PriceUnit: w.PriceUnit, ErrorCode: int(w.ErrorCode),
		DateCreated: w.DateCreated.Time(), DateSent: w.DateSent.Time()}
}

// MessageFilter narrows ListMessages.
type MessageFilter = atoguard.MessageFilter

// ListMessages lists an account's messages, newest first. Twilio's date
// filters (DateSent>, DateSent<) may only have day precision, so the range is
// also applied here; messages without date_sent fall back to date_created.
func (c *Client) ListMessages(ctx context.Context, accountSID string, f MessageFilter) iter.Seq2[atoguard.Message, error] {
	const op = "twilio.list_messages"
	if err := needSID(op, "account SID", accountSID); err != nil {
		return errSeq[atoguard.Message](err)
	}
	q := url.Values{}
	if f.To != "" {
		q.Set("To", f.To)
	}
	if f.From != "" {
		q.Set("From", f.From)
	}
	if !f.SentAfter.IsZero() {
		q.Set("DateSent>", f.SentAfter.UTC().Truncate(time.Second).Format(time.RFC3339))
	}
	if !f.SentBefore.IsZero() {
		q.Set("DateSent<", ceilSecond(f.SentBefore).Format(time.RFC3339))
	}
	decode := func(body []byte) ([]atoguard.Message, string, error) {
		msgs, next, err := decodeMessagesPage(body, make([]atoguard.Message, 0, c.sh.opts.PageSize))
		if err != nil || (f.SentAfter.IsZero() && f.SentBefore.IsZero()) {
			return msgs, next, err
		}
		kept := msgs[:0]
		for _, m := range msgs {
			when := m.DateSent
			if when.IsZero() {
				when = m.DateCreated
			}
			if inRange(when, f.SentAfter, f.SentBefore) {
				kept = append(kept, m)
			}
		}
		return kept, next, nil
	}
	return listPages(c, ctx, &request{op: op, product: ProductAPI, path: "/2010-04-01/Accounts/" + accountSID + "/Messages.json", query: q}, decode)
}

func ceilSecond(t time.Time) time.Time {
	u := t.UTC()
	if tr := u.Truncate(time.Second); !tr.Equal(u) {
		return tr.Add(time.Second)
	}
	return u
}

// inRange reports after <= t < before with zero bounds open.
func inRange(t, after, before time.Time) bool {
	if !after.IsZero() && t.Before(after) {
		return false
	}
	if !before.IsZero() && !t.Before(before) {
		return false
	}
	return true
}

// CreateMessage sends a message (drills and tests). Not retried after it may
// have been applied: a retry could send it twice.
func (c *Client) CreateMessage(ctx context.Context, accountSID, from, to, body string) (atoguard.Message, error) {
	const op = "twilio.create_message"
	if err := needSID(op, "account SID", accountSID); err != nil {
		return atoguard.Message{}, err
	}
	form := url.Values{"To": {to}, "Body": {body}}
	if from != "" {
		form.Set("From", from)
	}
	var w wireMessage
	if err := c.post(ctx, op, ProductAPI, "/2010-04-01/Accounts/"+accountSID+"/Messages.json", form, false, &w); err != nil {
		return atoguard.Message{}, err
	}
	return w.message(), nil
}

// wireCall is the 2010 Call resource.
type wireCall struct {
	SID         string `json:"sid"`
	AccountSID  string `json:"account_sid"`
	From        string `json:"from"`
	To          string `json:"to"`
	Direction   string `json:"direction"`
	Status      string `json:"status"`
	StartTime   ts     `json:"start_time"`
	EndTime     ts     `json:"end_time"`
	Duration    inum   `json:"duration"`
	Price       num    `json:"price"`
	PriceUnit   string `json:"price_unit"`
	DateCreated ts     `json:"date_created"`
}

func (w *wireCall) call() atoguard.Call {
	return atoguard.Call{SID: w.SID, AccountSID: w.AccountSID, From: w.From, To: w.To, Direction: w.Direction,
		Status: w.Status, StartTime: w.StartTime.Time(), EndTime: w.EndTime.Time(), Duration: int(w.Duration),
		Price: absPrice(w.Price), PriceUnit: w.PriceUnit}
}

// CallFilter narrows ListCalls.
type CallFilter = atoguard.CallFilter

// ListCalls lists an account's calls; the start-time range is also applied
// client-side (Twilio's filters may have day precision).
func (c *Client) ListCalls(ctx context.Context, accountSID string, f CallFilter) iter.Seq2[atoguard.Call, error] {
	const op = "twilio.list_calls"
	if err := needSID(op, "account SID", accountSID); err != nil {
		return errSeq[atoguard.Call](err)
	}
	q := url.Values{}
	if f.To != "" {
		q.Set("To", f.To)
	}
	if f.From != "" {
		q.Set("From", f.From)
	}
	if f.Status != "" {
		q.Set("Status", f.Status)
	}
	if !f.StartedAfter.IsZero() {
		q.Set("StartTime>", f.StartedAfter.UTC().Truncate(time.Second).Format(time.RFC3339))
	}
	if !f.StartedBefore.IsZero() {
		q.Set("StartTime<", ceilSecond(f.StartedBefore).Format(time.RFC3339))
	}
	decode := func(body []byte) ([]atoguard.Call, string, error) {
		recs, next, err := decodeCallsPage(body, make([]callRec, 0, c.sh.opts.PageSize))
		if err != nil {
			return nil, next, err
		}
		calls := make([]atoguard.Call, 0, len(recs))
		for _, r := range recs {
			when := r.call.StartTime
			if when.IsZero() {
				when = r.created
			}
			if inRange(when, f.StartedAfter, f.StartedBefore) {
				calls = append(calls, r.call)
			}
		}
		return calls, next, nil
	}
	return listPages(c, ctx, &request{op: op, product: ProductAPI, path: "/2010-04-01/Accounts/" + accountSID + "/Calls.json", query: q}, decode)
}
