package emulator

import (
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/atoguard/atoguard"
)

// snake turns a Twilio form parameter name into its JSON field name
// (VoiceFallbackUrl → voice_fallback_url).
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func hook(h atoguard.Webhooks, k string) any { return nullable(h[k]) }

func hookMethod(h atoguard.Webhooks, k string) string { return orDefault(h[k], "POST") }

func hookBool(h atoguard.Webhooks, k string) bool { b, _ := strconv.ParseBool(h[k]); return b }

// applyHooks copies the form parameters named in params into h and returns
// the {field: {previous, updated}} of what changed. Boolean fields must
// parse; URL fields must be empty or http(s).
func (c *call) applyHooks(h atoguard.Webhooks, params []string) (map[string]any, bool) {
	changes := map[string]any{}
	for _, p := range params {
		if !c.has(p) {
			continue
		}
		k, v := snake(p), c.v(p)
		switch {
		case strings.HasSuffix(p, "Method") && v != "" && v != "GET" && v != "POST":
			c.badParam("Invalid " + p + ": " + v)
			return nil, false
		case strings.HasSuffix(p, "Url") || strings.HasSuffix(p, "Callback"):
			if v != "" && !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
				c.fail(http.StatusBadRequest, 21502, p+" is not a valid URL: "+v)
				return nil, false
			}
		case p == "VoiceCallerIdLookup" || p == "PublicApplicationConnectEnabled" || p == "UseInboundWebhookOnNumber":
			b, err := strconv.ParseBool(v)
			if err != nil {
				c.badParam("Invalid " + p + ": " + v)
				return nil, false
			}
			v = strconv.FormatBool(b)
		}
		if h[k] != v {
			changes[k] = change{nullable(h[k]), nullable(v)}
			if v == "" {
				delete(h, k)
			} else {
				h[k] = v
			}
		}
	}
	return changes, true
}

// ---- Incoming phone numbers ----

var numberHookParams = []string{
	"VoiceUrl", "VoiceMethod", "VoiceFallbackUrl", "VoiceFallbackMethod", "VoiceApplicationSid",
	"VoiceCallerIdLookup", "VoiceReceiveMode", "SmsUrl", "SmsMethod", "SmsFallbackUrl", "SmsFallbackMethod",
	"SmsApplicationSid", "StatusCallback", "StatusCallbackMethod", "TrunkSid",
}

func numberJSON(p *phoneNumber) map[string]any {
	h := p.Webhooks
	return map[string]any{
		"account_sid": p.AccountSID, "address_sid": nil, "address_requirements": "none", "api_version": "2010-04-01",
		"beta": false, "capabilities": map[string]any{"voice": true, "sms": true, "mms": true, "fax": false},
		"date_created": fmt2822(p.created), "date_updated": fmt2822(p.updated),
		"friendly_name": p.FriendlyName, "identity_sid": nil, "phone_number": p.PhoneNumber.PhoneNumber,
		"origin": "twilio", "sid": p.SID,
		"sms_application_sid": hook(h, "sms_application_sid"), "sms_fallback_method": hookMethod(h, "sms_fallback_method"),
		"sms_fallback_url": hook(h, "sms_fallback_url"), "sms_method": hookMethod(h, "sms_method"), "sms_url": hook(h, "sms_url"),
		"status_callback": hook(h, "status_callback"), "status_callback_method": hookMethod(h, "status_callback_method"),
		"trunk_sid":          hook(h, "trunk_sid"),
		"uri":                "/2010-04-01/Accounts/" + p.AccountSID + "/IncomingPhoneNumbers/" + p.SID + ".json",
		"voice_receive_mode": orDefault(h["voice_receive_mode"], "voice"), "voice_application_sid": hook(h, "voice_application_sid"),
		"voice_caller_id_lookup": hookBool(h, "voice_caller_id_lookup"), "voice_fallback_method": hookMethod(h, "voice_fallback_method"),
		"voice_fallback_url": hook(h, "voice_fallback_url"), "voice_method": hookMethod(h, "voice_method"), "voice_url": hook(h, "voice_url"),
		"emergency_status": "Inactive", "emergency_address_sid": nil, "emergency_address_status": "unregistered",
		"bundle_sid": nil, "status": "in-use", "type": "local",
	}
}

func (c *call) listNumbers() {
	pr, ok := c.paging()
	if !ok {
		return
	}
	list := slices.DeleteFunc(slices.Clone(c.acct.numbers), func(p *phoneNumber) bool {
		if c.has("FriendlyName") && p.FriendlyName != c.v("FriendlyName") {
			return true
		}
		if pat := c.v("PhoneNumber"); pat != "" {
			// Twilio matches a pattern with * wildcards anywhere in the number.
			if ok, err := path.Match("*"+strings.Trim(pat, "*")+"*", p.PhoneNumber.PhoneNumber); err != nil || !ok {
				return true
			}
		}
		return false
	})
	page, next := pageSlice(c, list, pr)
	c.write2010List("incoming_phone_numbers", marshalAll(page, func(p *phoneNumber) any { return numberJSON(p) }), pr, next)
}

func (c *call) findNumber() (int, *phoneNumber) {
	for i, p := range c.acct.numbers {
		if p.SID == c.params["Sid"] {
			return i, p
		}
	}
	c.notFound()
	return -1, nil
}

func (c *call) fetchNumber() {
	if _, p := c.findNumber(); p != nil {
		c.json(http.StatusOK, numberJSON(p))
	}
}

// updateNumber changes webhook fields, the friendly name or the owning
// account (AccountSid moves the number between a parent and its subaccounts).
func (c *call) updateNumber() {
	i, p := c.findNumber()
	if p == nil {
		return
	}
	if m := c.v("VoiceReceiveMode"); m != "" && m != "voice" && m != "fax" {
		c.badParam("Invalid VoiceReceiveMode: " + m)
		return
	}
	var dest *account
	if sid := c.v("AccountSid"); sid != "" && sid != p.AccountSID {
		dest = c.st.accounts[sid]
		if dest == nil || (dest.OwnerSID != c.p.acct.SID && dest != c.p.acct) || c.p.key != nil {
			c.fail(http.StatusBadRequest, 21453, "AccountSid is not the account or one of its subaccounts: "+sid)
			return
		}
	}
	changes, ok := c.applyHooks(p.Webhooks, numberHookParams)
	if !ok {
		return
	}
	if c.has("FriendlyName") && c.v("FriendlyName") != p.FriendlyName {
		changes["friendly_name"] = change{p.FriendlyName, c.v("FriendlyName")}
		p.FriendlyName = c.v("FriendlyName")
	}
	if dest != nil {
		changes["account_sid"] = change{p.AccountSID, dest.SID}
		c.acct.numbers = slices.Delete(c.acct.numbers, i, i+1)
		p.AccountSID = dest.SID
		dest.numbers = append(dest.numbers, p)
	}
	if len(changes) > 0 {
		p.updated = c.now
		c.record(c.acct, "phone-number.updated", p.SID, "phone-number", "Phone number "+p.PhoneNumber.PhoneNumber+" updated", changes)
	}
	c.json(http.StatusOK, numberJSON(p))
}

// ---- Applications ----

var appHookParams = []string{
	"VoiceUrl", "VoiceMethod", "VoiceFallbackUrl", "VoiceFallbackMethod", "StatusCallback", "StatusCallbackMethod",
	"VoiceCallerIdLookup", "SmsUrl", "SmsMethod", "SmsFallbackUrl", "SmsFallbackMethod", "SmsStatusCallback",
	"MessageStatusCallback", "PublicApplicationConnectEnabled",
}

func appJSON(a *application) map[string]any {
	h := a.Webhooks
	return map[string]any{
		"account_sid": a.AccountSID, "api_version": "2010-04-01",
		"date_created": fmt2822(a.created), "date_updated": fmt2822(a.updated), "friendly_name": a.FriendlyName,
		"message_status_callback": hook(h, "message_status_callback"), "sid": a.SID,
		"sms_fallback_method": hookMethod(h, "sms_fallback_method"), "sms_fallback_url": hook(h, "sms_fallback_url"),
		"sms_method": hookMethod(h, "sms_method"), "sms_status_callback": hook(h, "sms_status_callback"), "sms_url": hook(h, "sms_url"),
		"status_callback": hook(h, "status_callback"), "status_callback_method": hookMethod(h, "status_callback_method"),
		"uri":                    "/2010-04-01/Accounts/" + a.AccountSID + "/Applications/" + a.SID + ".json",
		"voice_caller_id_lookup": hookBool(h, "voice_caller_id_lookup"),
		"voice_fallback_method":  hookMethod(h, "voice_fallback_method"), "voice_fallback_url": hook(h, "voice_fallback_url"),
		"voice_method": hookMethod(h, "voice_method"), "voice_url": hook(h, "voice_url"),
		"public_application_connect_enabled": hookBool(h, "public_application_connect_enabled"),
	}
}

func (c *call) listApps() {
	pr, ok := c.paging()
	if !ok {
		return
	}
	list := slices.DeleteFunc(slices.Clone(c.acct.apps), func(a *application) bool {
		return c.has("FriendlyName") && a.FriendlyName != c.v("FriendlyName")
	})
	page, next := pageSlice(c, list, pr)
	c.write2010List("applications", marshalAll(page, func(a *application) any { return appJSON(a) }), pr, next)
}

func (c *call) findApp() (int, *application) {
	for i, a := range c.acct.apps {
		if a.SID == c.params["Sid"] {
			return i, a
		}
	}
	c.notFound()
	return -1, nil
}

func (c *call) fetchApp() {
	if _, a := c.findApp(); a != nil {
		c.json(http.StatusOK, appJSON(a))
	}
}

func (c *call) createApp() {
	a := &application{created: c.now, updated: c.now}
	a.SID, a.AccountSID, a.FriendlyName, a.Webhooks = c.st.newSID("AP"), c.acct.SID, c.v("FriendlyName"), atoguard.Webhooks{}
	changes, ok := c.applyHooks(a.Webhooks, appHookParams)
	if !ok {
		return
	}
	c.acct.apps = append(c.acct.apps, a)
	c.record(c.acct, "application.created", a.SID, "application", "Application created", changes)
	c.json(http.StatusCreated, appJSON(a))
}

func (c *call) updateApp() {
	_, a := c.findApp()
	if a == nil {
		return
	}
	changes, ok := c.applyHooks(a.Webhooks, appHookParams)
	if !ok {
		return
	}
	if c.has("FriendlyName") && c.v("FriendlyName") != a.FriendlyName {
		changes["friendly_name"] = change{a.FriendlyName, c.v("FriendlyName")}
		a.FriendlyName = c.v("FriendlyName")
	}
	if len(changes) > 0 {
		a.updated = c.now
		c.record(c.acct, "application.updated", a.SID, "application", "Application updated", changes)
	}
	c.json(http.StatusOK, appJSON(a))
}

func (c *call) deleteApp() {
	i, a := c.findApp()
	if a == nil {
		return
	}
	c.acct.apps = slices.Delete(c.acct.apps, i, i+1)
	c.record(c.acct, "application.deleted", a.SID, "application", "Application deleted", nil)
	c.noContent()
}

// ---- Messaging Services (messaging v1) ----

var serviceHookParams = []string{"InboundRequestUrl", "InboundMethod", "FallbackUrl", "FallbackMethod", "StatusCallback", "UseInboundWebhookOnNumber"}

func serviceJSON(s *messagingService) map[string]any {
	h := s.Webhooks
	u := "https://messaging.twilio.com/v1/Services/" + s.SID
	return map[string]any{
		"sid": s.SID, "account_sid": s.AccountSID, "friendly_name": s.FriendlyName,
		"date_created": fmtISO(s.created), "date_updated": fmtISO(s.updated),
		"inbound_request_url": hook(h, "inbound_request_url"), "inbound_method": hookMethod(h, "inbound_method"),
		"fallback_url": hook(h, "fallback_url"), "fallback_method": hookMethod(h, "fallback_method"),
		"status_callback": hook(h, "status_callback"), "sticky_sender": true, "mms_converter": true,
		"smart_encoding": true, "scan_message_content": "inherit", "fallback_to_long_code": true,
		"area_code_geomatch": true, "synchronous_validation": false, "validity_period": 14400,
		"url": u, "usecase": "notifications", "us_app_to_person_registered": false,
		"use_inbound_webhook_on_number": hookBool(h, "use_inbound_webhook_on_number"),
		"links": map[string]any{
			"phone_numbers": u + "/PhoneNumbers", "short_codes": u + "/ShortCodes", "alpha_senders": u + "/AlphaSenders",
		},
	}
}

func (c *call) listServices() {
	pr, ok := c.paging()
	if !ok {
		return
	}
	page, next := pageSlice(c, c.acct.services, pr)
	c.writeV1List("services", marshalAll(page, func(s *messagingService) any { return serviceJSON(s) }), pr, next)
}

func (c *call) findService() *messagingService {
	for _, s := range c.acct.services {
		if s.SID == c.params["Sid"] {
			return s
		}
	}
	c.notFound()
	return nil
}

func (c *call) fetchService() {
	if s := c.findService(); s != nil {
		c.json(http.StatusOK, serviceJSON(s))
	}
}

func (c *call) updateService() {
	s := c.findService()
	if s == nil {
		return
	}
	changes, ok := c.applyHooks(s.Webhooks, serviceHookParams)
	if !ok {
		return
	}
	if c.has("FriendlyName") && c.v("FriendlyName") != s.FriendlyName {
		changes["friendly_name"] = change{s.FriendlyName, c.v("FriendlyName")}
		s.FriendlyName = c.v("FriendlyName")
	}
	if len(changes) > 0 {
		s.updated = c.now
		c.record(c.acct, "messaging-service.updated", s.SID, "messaging-service", "Messaging Service updated", changes)
	}
	c.json(http.StatusOK, serviceJSON(s))
}

// ---- Outgoing caller IDs ----

func callerIDJSON(ci *callerID) map[string]any {
	return map[string]any{
		"sid": ci.SID, "account_sid": ci.AccountSID, "friendly_name": ci.FriendlyName, "phone_number": ci.PhoneNumber,
		"date_created": fmt2822(ci.DateCreated), "date_updated": fmt2822(ci.updated),
		"uri": "/2010-04-01/Accounts/" + ci.AccountSID + "/OutgoingCallerIds/" + ci.SID + ".json",
	}
}

func (c *call) listCallerIDs() {
	pr, ok := c.paging()
	if !ok {
		return
	}
	list := slices.DeleteFunc(slices.Clone(c.acct.callerIDs), func(ci *callerID) bool {
		return (c.has("PhoneNumber") && ci.PhoneNumber != c.v("PhoneNumber")) ||
			(c.has("FriendlyName") && ci.FriendlyName != c.v("FriendlyName"))
	})
	page, next := pageSlice(c, list, pr)
	c.write2010List("outgoing_caller_ids", marshalAll(page, func(ci *callerID) any { return callerIDJSON(ci) }), pr, next)
}

func (c *call) findCallerID() (int, *callerID) {
	for i, ci := range c.acct.callerIDs {
		if ci.SID == c.params["Sid"] {
			return i, ci
		}
	}
	c.notFound()
	return -1, nil
}

func (c *call) fetchCallerID() {
	if _, ci := c.findCallerID(); ci != nil {
		c.json(http.StatusOK, callerIDJSON(ci))
	}
}

func (c *call) deleteCallerID() {
	i, ci := c.findCallerID()
	if ci == nil {
		return
	}
	c.acct.callerIDs = slices.Delete(c.acct.callerIDs, i, i+1)
	c.record(c.acct, "caller-id.deleted", ci.SID, "caller-id", "Caller ID "+ci.PhoneNumber+" deleted", nil)
	c.noContent()
}

// ---- Usage triggers ----

var (
	triggerRecurring = []string{"daily", "monthly", "yearly", "alltime"}
	triggerBy        = []string{"count", "usage", "price"}
)

func (c *call) triggerJSON(t *usageTrigger) map[string]any {
	var recurring any
	if t.Recurring != "" {
		recurring = t.Recurring
	}
	base := "/2010-04-01/Accounts/" + t.AccountSID + "/Usage"
	return map[string]any{
		"account_sid": t.AccountSID, "api_version": "2010-04-01", "callback_method": t.callbackMethod,
		"callback_url": t.CallbackURL, "current_value": fmtNum(c.currentUsage(t)),
		"date_created": fmt2822(t.created), "date_fired": fmt2822(t.fired), "date_updated": fmt2822(t.updated),
		"friendly_name": t.FriendlyName, "recurring": recurring, "sid": t.SID, "trigger_by": t.TriggerBy,
		"trigger_value": fmtNum(t.TriggerValue), "uri": base + "/Triggers/" + t.SID + ".json",
		"usage_category": t.UsageCategory, "usage_record_uri": base + "/Records.json?Category=" + t.UsageCategory,
	}
}

func (c *call) listTriggers() {
	pr, ok := c.paging()
	if !ok {
		return
	}
	list := slices.DeleteFunc(slices.Clone(c.acct.triggers), func(t *usageTrigger) bool {
		return (c.has("Recurring") && t.Recurring != c.v("Recurring")) ||
			(c.has("TriggerBy") && t.TriggerBy != c.v("TriggerBy")) ||
			(c.has("UsageCategory") && t.UsageCategory != c.v("UsageCategory"))
	})
	page, next := pageSlice(c, list, pr)
	c.write2010List("usage_triggers", marshalAll(page, func(t *usageTrigger) any { return c.triggerJSON(t) }), pr, next)
}

func (c *call) findTrigger() (int, *usageTrigger) {
	for i, t := range c.acct.triggers {
		if t.SID == c.params["Sid"] {
			return i, t
		}
	}
	c.notFound()
	return -1, nil
}

func (c *call) fetchTrigger() {
	if _, t := c.findTrigger(); t != nil {
		c.json(http.StatusOK, c.triggerJSON(t))
	}
}

func (c *call) createTrigger() {
	cb, val, cat := c.v("CallbackUrl"), c.v("TriggerValue"), c.v("UsageCategory")
	switch {
	case cb == "" || val == "" || cat == "":
		c.badParam("CallbackUrl, TriggerValue and UsageCategory are required")
		return
	case !strings.HasPrefix(cb, "http://") && !strings.HasPrefix(cb, "https://"):
		c.fail(http.StatusBadRequest, 21502, "CallbackUrl is not a valid URL: "+cb)
		return
	case c.has("Recurring") && !contains(triggerRecurring, c.v("Recurring")):
		c.badParam("Invalid Recurring: " + c.v("Recurring"))
		return
	case c.has("TriggerBy") && !contains(triggerBy, c.v("TriggerBy")):
		c.badParam("Invalid TriggerBy: " + c.v("TriggerBy"))
		return
	case c.has("CallbackMethod") && c.v("CallbackMethod") != "GET" && c.v("CallbackMethod") != "POST":
		c.badParam("Invalid CallbackMethod: " + c.v("CallbackMethod"))
		return
	}
	t := &usageTrigger{callbackMethod: orDefault(c.v("CallbackMethod"), "POST"), created: c.now, updated: c.now}
	t.SID, t.AccountSID, t.FriendlyName = c.st.newSID("UT"), c.acct.SID, c.v("FriendlyName")
	t.UsageCategory, t.Recurring, t.TriggerBy, t.CallbackURL = cat, c.v("Recurring"), orDefault(c.v("TriggerBy"), "usage"), cb
	// "+30" is relative to the current value.
	v, err := strconv.ParseFloat(strings.TrimPrefix(val, "+"), 64)
	if err != nil || v < 0 {
		c.badParam("Invalid TriggerValue: " + val)
		return
	}
	if strings.HasPrefix(val, "+") {
		v += c.currentUsage(t)
	}
	t.TriggerValue = v
	c.acct.triggers = append(c.acct.triggers, t)
	c.record(c.acct, "usage-trigger.created", t.SID, "usage-trigger", "Usage trigger created", map[string]any{
		"usage_category": change{nil, cat}, "trigger_value": change{nil, fmtNum(v)}, "recurring": change{nil, nullable(t.Recurring)},
	})
	c.json(http.StatusCreated, c.triggerJSON(t))
}

func (c *call) updateTrigger() {
	_, t := c.findTrigger()
	if t == nil {
		return
	}
	changes := map[string]any{}
	if c.has("CallbackUrl") && c.v("CallbackUrl") != t.CallbackURL {
		v := c.v("CallbackUrl")
		if !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
			c.fail(http.StatusBadRequest, 21502, "CallbackUrl is not a valid URL: "+v)
			return
		}
		changes["callback_url"] = change{t.CallbackURL, v}
		t.CallbackURL = v
	}
	if c.has("CallbackMethod") && c.v("CallbackMethod") != t.callbackMethod {
		v := c.v("CallbackMethod")
		if v != "GET" && v != "POST" {
			c.badParam("Invalid CallbackMethod: " + v)
			return
		}
		changes["callback_method"] = change{t.callbackMethod, v}
		t.callbackMethod = v
	}
	if c.has("FriendlyName") && c.v("FriendlyName") != t.FriendlyName {
		changes["friendly_name"] = change{t.FriendlyName, c.v("FriendlyName")}
		t.FriendlyName = c.v("FriendlyName")
	}
	if len(changes) > 0 {
		t.updated = c.now
		c.record(c.acct, "usage-trigger.updated", t.SID, "usage-trigger", "Usage trigger updated", changes)
	}
	c.json(http.StatusOK, c.triggerJSON(t))
}

func (c *call) deleteTrigger() {
	i, t := c.findTrigger()
	if t == nil {
		return
	}
	c.acct.triggers = slices.Delete(c.acct.triggers, i, i+1)
	c.record(c.acct, "usage-trigger.deleted", t.SID, "usage-trigger", "Usage trigger deleted", nil)
	c.noContent()
}
