package emulator

func moreRoutes() []*route {
	const acct = "/2010-04-01/Accounts/{AccountSid}"
	usage := func(sub string) func(*call) { return func(c *call) { c.listUsage(sub) } }
	rs := []*route{
		{product: "api", method: "GET", pattern: acct + "/Calls.json", perm: "/twilio/voice/calls/read", h: (*call).listCalls},
		{product: "api", method: "GET", pattern: acct + "/Calls/{Sid}.json", perm: "/twilio/voice/calls/read", h: (*call).fetchCall},
		{product: "api", method: "POST", pattern: acct + "/Calls/{Sid}.json", perm: "/twilio/voice/calls/update", h: (*call).updateCall},

		{product: "api", method: "GET", pattern: acct + "/Usage/Records.json", perm: "/twilio/usage/records/read", h: usage("")},
		{product: "api", method: "GET", pattern: acct + "/Usage/Triggers.json", perm: "/twilio/usage/triggers/read", h: (*call).listTriggers},
		{product: "api", method: "POST", pattern: acct + "/Usage/Triggers.json", perm: "/twilio/usage/triggers/create", h: (*call).createTrigger},
		{product: "api", method: "GET", pattern: acct + "/Usage/Triggers/{Sid}.json", perm: "/twilio/usage/triggers/read", h: (*call).fetchTrigger},
		{product: "api", method: "POST", pattern: acct + "/Usage/Triggers/{Sid}.json", perm: "/twilio/usage/triggers/update", h: (*call).updateTrigger},
		{product: "api", method: "DELETE", pattern: acct + "/Usage/Triggers/{Sid}.json", perm: "/twilio/usage/triggers/delete", h: (*call).deleteTrigger},

		{product: "api", method: "GET", pattern: acct + "/IncomingPhoneNumbers.json", perm: "/twilio/phone-numbers/incoming/read", h: (*call).listNumbers},
		{product: "api", method: "GET", pattern: acct + "/IncomingPhoneNumbers/{Sid}.json", perm: "/twilio/phone-numbers/incoming/read", h: (*call).fetchNumber},
		{product: "api", method: "POST", pattern: acct + "/IncomingPhoneNumbers/{Sid}.json", perm: "/twilio/phone-numbers/incoming/update", h: (*call).updateNumber},

		{product: "api", method: "GET", pattern: acct + "/Applications.json", perm: "/twilio/voice/applications/read", h: (*call).listApps},
		{product: "api", method: "POST", pattern: acct + "/Applications.json", perm: "/twilio/voice/applications/create", h: (*call).createApp},
		{product: "api", method: "GET", pattern: acct + "/Applications/{Sid}.json", perm: "/twilio/voice/applications/read", h: (*call).fetchApp},
		{product: "api", method: "POST", pattern: acct + "/Applications/{Sid}.json", perm: "/twilio/voice/applications/update", h: (*call).updateApp},
		{product: "api", method: "DELETE", pattern: acct + "/Applications/{Sid}.json", perm: "/twilio/voice/applications/delete", h: (*call).deleteApp},

		{product: "api", method: "GET", pattern: acct + "/OutgoingCallerIds.json", perm: "/twilio/voice/caller-ids/read", h: (*call).listCallerIDs},
		{product: "api", method: "GET", pattern: acct + "/OutgoingCallerIds/{Sid}.json", perm: "/twilio/voice/caller-ids/read", h: (*call).fetchCallerID},
		{product: "api", method: "DELETE", pattern: acct + "/OutgoingCallerIds/{Sid}.json", perm: "/twilio/voice/caller-ids/delete", h: (*call).deleteCallerID},

		{product: "messaging", method: "GET", pattern: "/v1/Services", perm: "/twilio/messaging/services/read", h: (*call).listServices},
		{product: "messaging", method: "GET", pattern: "/v1/Services/{Sid}", perm: "/twilio/messaging/services/read", h: (*call).fetchService},
		{product: "messaging", method: "POST", pattern: "/v1/Services/{Sid}", perm: "/twilio/messaging/services/update", h: (*call).updateService},

		{product: "voice", method: "GET", pattern: "/v1/DialingPermissions/Countries", perm: "/twilio/voice/dialing-permissions/read", h: (*call).listVoiceCountries},
		{product: "voice", method: "GET", pattern: "/v1/DialingPermissions/Countries/{IsoCode}", perm: "/twilio/voice/dialing-permissions/read", h: (*call).fetchVoiceCountry},
		{product: "voice", method: "GET", pattern: "/v1/DialingPermissions/Countries/{IsoCode}/HighRiskSpecialPrefixes", perm: "/twilio/voice/dialing-permissions/read", h: (*call).listHighRiskPrefixes},
		{product: "voice", method: "POST", pattern: "/v1/DialingPermissions/BulkCountryUpdates", perm: "/twilio/voice/dialing-permissions/update", h: (*call).bulkCountryUpdate},
		{product: "voice", method: "GET", pattern: "/v1/Settings", perm: "/twilio/voice/dialing-permissions/read", h: (*call).fetchVoiceSettings},
		{product: "voice", method: "POST", pattern: "/v1/Settings", perm: "/twilio/voice/dialing-permissions/update", h: (*call).updateVoiceSettings},

		{product: "accounts", method: "GET", pattern: "/v1/Messaging/GeoPermissions", perm: "/twilio/messaging/geo-permissions/read", h: (*call).fetchSMSGeo},
		{product: "accounts", method: "PATCH", pattern: "/v1/Messaging/GeoPermissions", perm: "/twilio/messaging/geo-permissions/update", h: (*call).updateSMSGeo},

		{product: "events", method: "GET", pattern: "/v1/Sinks", perm: "/twilio/events/sinks/read", h: (*call).listSinks},
		{product: "events", method: "POST", pattern: "/v1/Sinks", perm: "/twilio/events/sinks/create", h: (*call).createSink},
		{product: "events", method: "GET", pattern: "/v1/Sinks/{Sid}", perm: "/twilio/events/sinks/read", h: (*call).fetchSink},
		{product: "events", method: "DELETE", pattern: "/v1/Sinks/{Sid}", perm: "/twilio/events/sinks/delete", h: (*call).deleteSink},
		{product: "events", method: "POST", pattern: "/v1/Sinks/{Sid}/Test", perm: "/twilio/events/sinks/update", h: (*call).testSink},
		{product: "events", method: "POST", pattern: "/v1/Sinks/{Sid}/Validate", perm: "/twilio/events/sinks/update", h: (*call).validateSink},
		{product: "events", method: "GET", pattern: "/v1/Subscriptions", perm: "/twilio/events/subscriptions/read", h: (*call).listSubscriptions},
		{product: "events", method: "POST", pattern: "/v1/Subscriptions", perm: "/twilio/events/subscriptions/create", h: (*call).createSubscription},
		{product: "events", method: "GET", pattern: "/v1/Subscriptions/{Sid}", perm: "/twilio/events/subscriptions/read", h: (*call).fetchSubscription},
		{product: "events", method: "DELETE", pattern: "/v1/Subscriptions/{Sid}", perm: "/twilio/events/subscriptions/delete", h: (*call).deleteSubscription},
	}
	for _, sub := range []string{"AllTime", "Daily", "Monthly", "Yearly", "Today", "Yesterday", "ThisMonth", "LastMonth"} {
		rs = append(rs, &route{product: "api", method: "GET", pattern: acct + "/Usage/Records/" + sub + ".json",
			perm: "/twilio/usage/records/read", h: usage(sub)})
	}
	return rs
}
