package emulator

import "strings"

// Route describes one emulated operation (for tests and documentation).
type Route struct {
	Product string // first host label: api, accounts, iam, monitor, voice, messaging, events
	Method  string
	Pattern string // product path with {Params}, as in Twilio's OpenAPI specs
}

// Routes lists every emulated operation.
func (e *Emulator) Routes() []Route {
	var out []Route
	for _, rt := range e.routes() {
		out = append(out, Route{Product: rt.product, Method: rt.method, Pattern: rt.pattern})
	}
	return out
}

func (e *Emulator) routes() []*route {
	e.rtOnce.Do(func() { e.rts = buildRoutes() })
	return e.rts
}

func buildRoutes() []*route {
	const (
		acct = "/2010-04-01/Accounts/{AccountSid}"
	)
	rs := []*route{
		// Accounts and credentials.
		{product: "api", method: "GET", pattern: "/2010-04-01/Accounts.json", access: accessAdmin, h: (*call).listAccounts},
		{product: "api", method: "POST", pattern: "/2010-04-01/Accounts.json", access: accessAdmin, h: (*call).createSubaccount},
		{product: "api", method: "GET", pattern: "/2010-04-01/Accounts/{Sid}.json", access: accessAdmin, h: (*call).fetchAccount},
		{product: "api", method: "POST", pattern: "/2010-04-01/Accounts/{Sid}.json", access: accessAdmin, h: (*call).updateAccount},
		{product: "api", method: "GET", pattern: acct + "/Keys.json", access: accessAdmin, h: (*call).listKeys2010},
		{product: "api", method: "POST", pattern: acct + "/Keys.json", access: accessAdmin, h: (*call).createKey2010},
		{product: "api", method: "GET", pattern: acct + "/Keys/{Sid}.json", access: accessAdmin, h: (*call).fetchKey2010},
		{product: "api", method: "POST", pattern: acct + "/Keys/{Sid}.json", access: accessAdmin, h: (*call).updateKey},
		{product: "api", method: "DELETE", pattern: acct + "/Keys/{Sid}.json", access: accessAdmin, h: (*call).deleteKey},
		{product: "accounts", method: "POST", pattern: "/v1/AuthTokens/Secondary", access: accessAdmin, h: (*call).createSecondaryToken},
		{product: "accounts", method: "DELETE", pattern: "/v1/AuthTokens/Secondary", access: accessAdmin, h: (*call).deleteSecondaryToken},
		{product: "accounts", method: "POST", pattern: "/v1/AuthTokens/Promote", access: accessAdmin, h: (*call).promoteToken},
		{product: "iam", method: "GET", pattern: "/v1/Keys", access: accessAdmin, h: (*call).listKeysIAM},
		{product: "iam", method: "POST", pattern: "/v1/Keys", access: accessAdmin, h: (*call).createKeyIAM},
		{product: "iam", method: "GET", pattern: "/v1/Keys/{Sid}", access: accessAdmin, h: (*call).fetchKeyIAM},
		{product: "iam", method: "POST", pattern: "/v1/Keys/{Sid}", access: accessAdmin, h: (*call).updateKey},
		{product: "iam", method: "DELETE", pattern: "/v1/Keys/{Sid}", access: accessAdmin, h: (*call).deleteKey},

		// Traffic.
		{product: "api", method: "GET", pattern: acct + "/Messages.json", access: accessAny, perm: "/twilio/messaging/messages/read", h: (*call).listMessages},
		{product: "api", method: "POST", pattern: acct + "/Messages.json", perm: "/twilio/messaging/messages/create", h: (*call).createMessage},
		{product: "api", method: "GET", pattern: acct + "/Messages/{Sid}.json", perm: "/twilio/messaging/messages/read", h: (*call).fetchMessage},
		{product: "api", method: "POST", pattern: acct + "/Messages/{Sid}.json", perm: "/twilio/messaging/messages/update", h: (*call).updateMessage},
		{product: "api", method: "DELETE", pattern: acct + "/Messages/{Sid}.json", perm: "/twilio/messaging/messages/delete", h: (*call).deleteMessage},

		// Monitor.
		{product: "monitor", method: "GET", pattern: "/v1/Events", perm: "/twilio/monitor/events/read", h: (*call).listEvents},
		{product: "monitor", method: "GET", pattern: "/v1/Events/{Sid}", perm: "/twilio/monitor/events/read", h: (*call).fetchEvent},
	}
	rs = append(rs, moreRoutes()...)
	for _, rt := range rs {
		rt.segs = strings.Split(strings.TrimPrefix(rt.pattern, "/"), "/")
	}
	return rs
}
