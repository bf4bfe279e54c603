package alert

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
)

// Headers of the generic webhook. The signature is
// "v1=" + hex(HMAC-SHA256(secret, timestamp + "." + body)), timestamp being
// the X-Atoguard-Timestamp value (Unix seconds): a receiver recomputes it,
// compares in constant time and rejects timestamps older than a few minutes
// (replays).
const (
	HeaderTimestamp = "X-Atoguard-Timestamp"
	HeaderSignature = "X-Atoguard-Signature"
)

// text is the one-line human form of an alert.
func text(a atoguard.Alert) string {
	state := strings.ToUpper(string(a.Severity))
	if a.State == atoguard.AlertResolved {
		state = "RESOLVED"
	}
	return fmt.Sprintf("[atoguard %s] %s", state, atoguard.Clip(atoguard.Printable(a.Title), 300))
}

// respondOf reads the respond command from an alert's detail.
func respondOf(a atoguard.Alert) string {
	var d struct{ Respond string }
	_ = json.Unmarshal(a.Detail, &d)
	return d.Respond
}

func postJSON(ctx context.Context, hc *http.Client, channel, url string, body []byte, header http.Header) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return &PermanentError{fmt.Errorf("%s: %v", channel, err)}
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", channel, err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	return statusError(channel, res)
}

func client(hc *http.Client) *http.Client {
	if hc != nil {
		return hc
	}
	return &http.Client{Timeout: 15 * time.Second}
}

// Slack posts to an incoming webhook ({"text": …}, Slack's mrkdwn).
type Slack struct {
	URL  atoguard.Secret // the webhook URL is itself a credential
	HTTP *http.Client
}

func (s *Slack) Name() string { return "slack" }

func (s *Slack) Send(ctx context.Context, a atoguard.Alert) error {
	msg := slackEscape(text(a))
	if r := respondOf(a); r != "" && a.State != atoguard.AlertResolved {
		msg += "\nContain it: `" + r + "`"
	}
	body, _ := json.Marshal(map[string]string{"text": msg})
	return postJSON(ctx, client(s.HTTP), "slack", s.URL.Reveal(), body, nil)
}

// slackEscape escapes the three characters Slack gives meaning to.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// PagerDutyURL is the Events API v2 endpoint.
const PagerDutyURL = "https://events.pagerduty.com/v2/enqueue"

// PagerDuty sends Events API v2 trigger and resolve events; the alert key is
// the dedup key, so PagerDuty folds repeats into one incident.
type PagerDuty struct {
	RoutingKey atoguard.Secret
	URL        string // default PagerDutyURL
	HTTP       *http.Client
}

func (p *PagerDuty) Name() string { return "pagerduty" }

func (p *PagerDuty) Send(ctx context.Context, a atoguard.Alert) error {
	ev := map[string]any{"routing_key": p.RoutingKey.Reveal(), "dedup_key": a.Key, "event_action": "trigger"}
	if a.State == atoguard.AlertResolved {
		ev["event_action"] = "resolve"
	} else {
		ev["payload"] = map[string]any{
			"summary": atoguard.Clip(atoguard.Printable(a.Title), 1024), "source": a.AccountSID,
			"severity": pagerDutySeverity(a.Severity), "component": "twilio", "class": "account-takeover",
			"custom_details": json.RawMessage(cmpJSON(a.Detail)),
		}
	}
	body, _ := json.Marshal(ev)
	url := p.URL
	if url == "" {
		url = PagerDutyURL
	}
	return postJSON(ctx, client(p.HTTP), "pagerduty", url, body, nil)
}

func cmpJSON(b []byte) []byte {
	if len(b) == 0 {
		return []byte("{}")
	}
	return b
}

// pagerDutySeverity maps to PagerDuty's critical, error, warning, info.
func pagerDutySeverity(s atoguard.Severity) string {
	switch s {
	case atoguard.SeverityCritical:
		return "critical"
	case atoguard.SeverityHigh:
		return "error"
	case atoguard.SeverityMedium:
		return "warning"
	}
	return "info"
}

// Webhook posts the alert's JSON signed with HMAC-SHA256 (see HeaderSignature).
type Webhook struct {
	URL    string
	Secret atoguard.Secret
	HTTP   *http.Client
	Now    func() time.Time // default time.Now
}

func (w *Webhook) Name() string { return "webhook" }

func (w *Webhook) Send(ctx context.Context, a atoguard.Alert) error {
	body, err := json.Marshal(a)
	if err != nil {
		return &PermanentError{err}
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	ts := strconv.FormatInt(now().Unix(), 10)
	h := http.Header{}
	h.Set(HeaderTimestamp, ts)
	h.Set(HeaderSignature, WebhookSignature(w.Secret, ts, body))
	return postJSON(ctx, client(w.HTTP), "webhook", w.URL, body, h)
}

// WebhookSignature is the X-Atoguard-Signature value for a timestamp and body.
func WebhookSignature(secret atoguard.Secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret.Reveal()))
	m.Write([]byte(timestamp))
	m.Write([]byte("."))
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}
