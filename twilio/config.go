package twilio

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"strings"

	"github.com/atoguard/atoguard"
)

// Webhook fields captured per resource, in Twilio's snake_case. Snapshots
// keep them all (empty when unset) so a restore can clear what an attacker
// added as well as reset what they changed.
func phoneNumberFields() []string {
	return []string{"voice_url", "voice_method", "voice_fallback_url", "voice_fallback_method", "voice_application_sid",
		"voice_caller_id_lookup", "voice_receive_mode", "sms_url", "sms_method", "sms_fallback_url", "sms_fallback_method",
		"sms_application_sid", "status_callback", "status_callback_method", "trunk_sid"}
}

func applicationFields() []string {
	return []string{"voice_url", "voice_method", "voice_fallback_url", "voice_fallback_method", "status_callback",
		"status_callback_method", "sms_url", "sms_method", "sms_fallback_url", "sms_fallback_method", "sms_status_callback",
		"message_status_callback", "public_application_connect_enabled"}
}

func messagingServiceFields() []string {
	return []string{"inbound_request_url", "inbound_method", "fallback_url", "fallback_method", "status_callback",
		"use_inbound_webhook_on_number"}
}

// wireWebhooked decodes any resource with sid/account_sid/friendly_name and
// arbitrary webhook fields.
type wireWebhooked map[string]json.RawMessage

func (w wireWebhooked) str(k string) string {
	raw, ok := w[k]
	if !ok || len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return ""
	}
	return string(raw) // true/false, numbers
}

func (w wireWebhooked) hooks(fields []string) atoguard.Webhooks {
	h := make(atoguard.Webhooks, len(fields))
	for _, f := range fields {
		h[f] = w.str(f)
	}
	return h
}

// camel turns a snake_case field into Twilio's form parameter name:
// voice_fallback_url → VoiceFallbackUrl.
func camel(s string) string {
	var b strings.Builder
	for _, part := range strings.Split(s, "_") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]))
		b.WriteString(part[1:])
	}
	return b.String()
}

// webhookForm builds the update form. Empty values clear URL and SID fields;
// for methods, booleans and enums an empty value means "leave as is" since
// Twilio rejects an empty one.
func webhookForm(op string, allowed []string, wh atoguard.Webhooks) (url.Values, error) {
	if len(wh) == 0 {
		return nil, atoguard.Errorf(atoguard.EINVALID, op, "no webhook fields to update")
	}
	ok := make(map[string]bool, len(allowed))
	for _, f := range allowed {
		ok[f] = true
	}
	form := url.Values{}
	for k, v := range wh {
		if !ok[k] {
			return nil, atoguard.Errorf(atoguard.EINVALID, op, "unknown webhook field %q", k)
		}
		if v == "" && !clearable(k) {
			continue
		}
		form.Set(camel(k), v)
	}
	if len(form) == 0 {
		return nil, atoguard.Errorf(atoguard.EINVALID, op, "no webhook fields to update")
	}
	return form, nil
}

func clearable(field string) bool {
	return strings.HasSuffix(field, "_url") || strings.HasSuffix(field, "_sid") ||
		strings.HasSuffix(field, "status_callback") || field == "status_callback"
}

// ---- incoming phone numbers ----

func (w wireWebhooked) phoneNumber(accountSID string) atoguard.PhoneNumber {
	acct := w.str("account_sid")
	if acct == "" {
		acct = accountSID
	}
	return atoguard.PhoneNumber{SID: w.str("sid"), AccountSID: acct, PhoneNumber: w.str("phone_number"),
		FriendlyName: w.str("friendly_name"), Webhooks: w.hooks(phoneNumberFields())}
}

// ListIncomingPhoneNumbers lists an account's phone numbers with their webhooks.
func (c *Client) ListIncomingPhoneNumbers(ctx context.Context, accountSID string) iter.Seq2[atoguard.PhoneNumber, error] {
	const op = "twilio.list_incoming_phone_numbers"
	if err := needSID(op, "account SID", accountSID); err != nil {
		return errSeq[atoguard.PhoneNumber](err)
	}
	return list(c, ctx, &request{op: op, product: ProductAPI, path: "/2010-04-01/Accounts/" + accountSID + "/IncomingPhoneNumbers.json"},
		"incoming_phone_numbers", func(w *wireWebhooked) (atoguard.PhoneNumber, bool) { return w.phoneNumber(accountSID), true })
}

// UpdateIncomingPhoneNumber sets webhook fields (snake_case keys) of a number.
func (c *Client) UpdateIncomingPhoneNumber(ctx context.Context, accountSID, pnSID string, wh atoguard.Webhooks) (atoguard.PhoneNumber, error) {
	const op = "twilio.update_incoming_phone_number"
	if err := needSID(op, "account SID", accountSID); err != nil {
		return atoguard.PhoneNumber{}, err
	}
	if err := needSID(op, "phone number SID", pnSID); err != nil {
		return atoguard.PhoneNumber{}, err
	}
	form, err := webhookForm(op, phoneNumberFields(), wh)
	if err != nil {
		return atoguard.PhoneNumber{}, err
	}
	var w wireWebhooked
	if err := c.post(ctx, op, ProductAPI, "/2010-04-01/Accounts/"+accountSID+"/IncomingPhoneNumbers/"+pnSID+".json", form, true, &w); err != nil {
		return atoguard.PhoneNumber{}, err
	}
	return w.phoneNumber(accountSID), nil
}

// ---- applications ----

func (w wireWebhooked) application(accountSID string) atoguard.Application {
	acct := w.str("account_sid")
	if acct == "" {
		acct = accountSID
	}
	return atoguard.Application{SID: w.str("sid"), AccountSID: acct, FriendlyName: w.str("friendly_name"),
		Webhooks: w.hooks(applicationFields())}
}

// ListApplications lists an account's TwiML applications.
func (c *Client) ListApplications(ctx context.Context, accountSID string) iter.Seq2[atoguard.Application, error] {
	const op = "twilio.list_applications"
	if err := needSID(op, "account SID", accountSID); err != nil {
		return errSeq[atoguard.Application](err)
	}
	return list(c, ctx, &request{op: op, product: ProductAPI, path: "/2010-04-01/Accounts/" + accountSID + "/Applications.json"},
		"applications", func(w *wireWebhooked) (atoguard.Application, bool) { return w.application(accountSID), true })
}

// UpdateApplication sets webhook fields of an application.
func (c *Client) UpdateApplication(ctx context.Context, accountSID, apSID string, wh atoguard.Webhooks) (atoguard.Application, error) {
	const op = "twilio.update_application"
	if err := needSID(op, "account SID", accountSID); err != nil {
		return atoguard.Application{}, err
	}
	if err := needSID(op, "application SID", apSID); err != nil {
		return atoguard.Application{}, err
	}
	form, err := webhookForm(op, applicationFields(), wh)
	if err != nil {
		return atoguard.Application{}, err
	}
	var w wireWebhooked
	if err := c.post(ctx, op, ProductAPI, "/2010-04-01/Accounts/"+accountSID+"/Applications/"+apSID+".json", form, true, &w); err != nil {
		return atoguard.Application{}, err
	}
	return w.application(accountSID), nil
}

// ---- messaging services (messaging v1; the authenticated account) ----

func (w wireWebhooked) messagingService(accountSID string) atoguard.MessagingService {
	acct := w.str("account_sid")
	if acct == "" {
		acct = accountSID
	}
	return atoguard.MessagingService{SID: w.str("sid"), AccountSID: acct, FriendlyName: w.str("friendly_name"),
		Webhooks: w.hooks(messagingServiceFields())}
}

// ListMessagingServices lists the authenticated account's Messaging Services.
func (c *Client) ListMessagingServices(ctx context.Context) iter.Seq2[atoguard.MessagingService, error] {
	acct := c.cred.AccountSID
	return list(c, ctx, &request{op: "twilio.list_messaging_services", product: ProductMessaging, path: "/v1/Services"},
		"services", func(w *wireWebhooked) (atoguard.MessagingService, bool) { return w.messagingService(acct), true })
}

// UpdateMessagingService sets webhook fields of a Messaging Service.
func (c *Client) UpdateMessagingService(ctx context.Context, mgSID string, wh atoguard.Webhooks) (atoguard.MessagingService, error) {
	const op = "twilio.update_messaging_service"
	if err := needSID(op, "messaging service SID", mgSID); err != nil {
		return atoguard.MessagingService{}, err
	}
	form, err := webhookForm(op, messagingServiceFields(), wh)
	if err != nil {
		return atoguard.MessagingService{}, err
	}
	var w wireWebhooked
	if err := c.post(ctx, op, ProductMessaging, "/v1/Services/"+mgSID, form, true, &w); err != nil {
		return atoguard.MessagingService{}, err
	}
	return w.messagingService(c.cred.AccountSID), nil
}

// ---- outgoing caller IDs ----

type wireCallerID struct {
	SID          string `json:"sid"`
	AccountSID   string `json:"account_sid"`
	PhoneNumber  string `json:"phone_number"`
	FriendlyName string `json:"friendly_name"`
	DateCreated  ts     `json:"date_created"`
}

// ListCallerIDs lists an account's verified outgoing caller IDs.
func (c *Client) ListCallerIDs(ctx context.Context, accountSID string) iter.Seq2[atoguard.CallerID, error] {
	const op = "twilio.list_caller_ids"
	if err := needSID(op, "account SID", accountSID); err != nil {
		return errSeq[atoguard.CallerID](err)
	}
	return list(c, ctx, &request{op: op, product: ProductAPI, path: "/2010-04-01/Accounts/" + accountSID + "/OutgoingCallerIds.json"},
		"outgoing_caller_ids", func(w *wireCallerID) (atoguard.CallerID, bool) {
			acct := w.AccountSID
			if acct == "" {
				acct = accountSID
			}
			return atoguard.CallerID{SID: w.SID, AccountSID: acct, PhoneNumber: w.PhoneNumber, FriendlyName: w.FriendlyName,
				DateCreated: w.DateCreated.Time()}, true
		})
}

// DeleteCallerID removes a verified caller ID.
func (c *Client) DeleteCallerID(ctx context.Context, accountSID, sid string) error {
	const op = "twilio.delete_caller_id"
	if err := needSID(op, "account SID", accountSID); err != nil {
		return err
	}
	if err := needSID(op, "caller ID SID", sid); err != nil {
		return err
	}
	return c.del(ctx, op, ProductAPI, "/2010-04-01/Accounts/"+accountSID+"/OutgoingCallerIds/"+sid+".json")
}
