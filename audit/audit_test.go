package audit

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
)

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

const (
	mainSID = "AC00000000000000000000000000000001"
	subSID  = "AC00000000000000000000000000000002"
)

// clean is a well-kept account: HTTPS webhooks on the customer's domain,
// daily triggers, one fresh key, Voice and SMS for the US only.
func clean(sid, owner string) Account {
	hooks := func(base string) atoguard.Webhooks {
		return atoguard.Webhooks{"voice_url": base + "/voice", "voice_method": "POST", "sms_url": base + "/sms",
			"status_callback": base + "/status", "sms_fallback_url": "https://fallback.example.com/sms"}
	}
	yes := true
	a := Account{
		Account: atoguard.Account{SID: sid, OwnerSID: owner, Status: "active"},
		Config: &atoguard.Configuration{
			AccountSID: sid,
			PhoneNumbers: []atoguard.PhoneNumber{
				{SID: "PN01", PhoneNumber: "+14155550101", Webhooks: hooks("https://api.example.com/twilio")},
				{SID: "PN02", PhoneNumber: "+14155550102", Webhooks: hooks("https://api.example.com/twilio")},
			},
			Applications:      []atoguard.Application{{SID: "AP01", Webhooks: hooks("https://ivr.example.com")}},
			MessagingServices: []atoguard.MessagingService{{SID: "MG01", Webhooks: atoguard.Webhooks{"inbound_request_url": "https://api.example.com/in", "use_inbound_webhook_on_number": "false"}}},
			APIKeys:           []atoguard.APIKey{{SID: "SK01", FriendlyName: "prod", DateCreated: now.AddDate(0, 0, -10)}},
			CallerIDs:         []atoguard.CallerID{{SID: "PN10", PhoneNumber: "+14155550199"}},
			UsageTriggers: []atoguard.UsageTrigger{
				{SID: "UT1", UsageCategory: "totalprice", TriggerBy: "price", TriggerValue: 50, Recurring: "daily", CallbackURL: "https://ops.example.com/alert"},
				{SID: "UT2", UsageCategory: "sms", TriggerBy: "count", TriggerValue: 5000, Recurring: "daily", CallbackURL: "https://ops.example.com/alert"},
				{SID: "UT3", UsageCategory: "calls", TriggerBy: "count", TriggerValue: 500, Recurring: "daily", CallbackURL: "https://atoguard.invalid/usage-trigger"},
			},
			VoicePermissions: []atoguard.VoicePermission{{ISOCode: "US", LowRiskEnabled: true}, {ISOCode: "SO"}, {ISOCode: "GB"}},
			SMSPermissions:   []atoguard.SMSPermission{{CountryCode: "US", Enabled: true}, {CountryCode: "UZ", HighRisk: true}, {CountryCode: "GB"}},
		},
		Destinations: map[string]int{"US": 30},
	}
	if owner != sid {
		a.VoiceInheritance = &yes
	} else {
		a.SinksKnown = true
		a.Sinks = []atoguard.EventSink{{SID: "DG01", Status: "active"}}
	}
	return a
}

func ids(r Result) []string {
	var out []string
	for _, f := range r.Findings {
		if !slices.Contains(out, f.ID) {
			out = append(out, f.ID)
		}
	}
	slices.Sort(out)
	return out
}

func TestChecks(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(m, s *Account, o *Options)
		want   []string // check IDs, exactly
		sev    atoguard.Severity
		step   string
	}{
		{name: "clean", mutate: func(m, s *Account, o *Options) {}},
		{name: "plain HTTP on the customer's host is a manual fix", mutate: func(m, s *Account, o *Options) {
			m.Config.PhoneNumbers[0].Webhooks["status_callback"] = "http://api.example.com/twilio/status"
		}, want: []string{CheckWebhookPlainHTTP}, sev: atoguard.SeverityHigh, step: ""},
		{name: "IP literal over HTTP", mutate: func(m, s *Account, o *Options) {
			m.Config.PhoneNumbers[1].Webhooks["sms_url"] = "http://185.220.101.4:8080/sms"
		}, want: []string{CheckWebhookIPLiteral, CheckWebhookPlainHTTP}, sev: atoguard.SeverityHigh, step: "webhooks"},
		{name: "IPv6 literal", mutate: func(m, s *Account, o *Options) {
			m.Config.Applications[0].Webhooks["voice_url"] = "https://[2001:db8::1]/v"
		}, want: []string{CheckWebhookIPLiteral}, sev: atoguard.SeverityHigh, step: "webhooks"},
		{name: "ngrok tunnel", mutate: func(m, s *Account, o *Options) {
			m.Config.PhoneNumbers[0].Webhooks["voice_url"] = "https://ab12-1-2-3-4.ngrok-free.app/voice"
		}, want: []string{CheckWebhookTunnel}, sev: atoguard.SeverityHigh, step: "webhooks"},
		{name: "trycloudflare tunnel", mutate: func(m, s *Account, o *Options) {
			m.Config.MessagingServices[0].Webhooks["inbound_request_url"] = "https://odd-words-here.trycloudflare.com/in"
		}, want: []string{CheckWebhookTunnel}, sev: atoguard.SeverityHigh, step: "webhooks"},
		{name: "serveo and localtunnel", mutate: func(m, s *Account, o *Options) {
			m.Config.PhoneNumbers[0].Webhooks["voice_url"] = "https://x.serveo.net/v"
			m.Config.PhoneNumbers[1].Webhooks["voice_url"] = "https://y.loca.lt/v"
		}, want: []string{CheckWebhookTunnel}, sev: atoguard.SeverityHigh, step: "webhooks"},
		{name: "outlier domain against the majority", mutate: func(m, s *Account, o *Options) {
			m.Config.PhoneNumbers[0].Webhooks["sms_url"] = "https://collector.evil-hooks.net/sms"
		}, want: []string{CheckWebhookForeignHost}, sev: atoguard.SeverityMedium, step: "webhooks"},
		{name: "trigger callback on an outlier domain", mutate: func(m, s *Account, o *Options) {
			m.Config.UsageTriggers[0].CallbackURL = "https://attacker.example.net/cb"
		}, want: []string{CheckWebhookForeignHost}, sev: atoguard.SeverityMedium, step: "webhooks"},
		{name: "allowlist: a host outside it", mutate: func(m, s *Account, o *Options) {
			o.AllowWebhookHosts = []string{"api.example.com", "fallback.example.com", "ivr.example.com"}
		}, want: []string{CheckWebhookForeignHost}, sev: atoguard.SeverityMedium, step: "webhooks"}, // ops.example.com
		{name: "allowlist: a domain covers its subdomains", mutate: func(m, s *Account, o *Options) {
			o.AllowWebhookHosts = []string{"https://example.com"}
		}},
		{name: "Twilio-hosted webhooks of the family are trusted", mutate: func(m, s *Account, o *Options) {
			m.Config.PhoneNumbers[0].Webhooks["voice_url"] = "https://webhooks.twilio.com/v1/Accounts/" + subSID + "/Flows/FW00000000000000000000000000000001"
			m.Config.PhoneNumbers[1].Webhooks["voice_url"] = "https://handler.twilio.com/twiml/EH00000000000000000000000000000001"
			o.AllowWebhookHosts = []string{"example.com"}
		}},
		{name: "a Studio flow of another account", mutate: func(m, s *Account, o *Options) {
			m.Config.PhoneNumbers[0].Webhooks["voice_url"] = "https://webhooks.twilio.com/v1/Accounts/ACdeadbeefdeadbeefdeadbeefdeadbeef/Flows/FW00000000000000000000000000000001"
		}, want: []string{CheckWebhookForeignHost}, sev: atoguard.SeverityHigh, step: "webhooks"},
		{name: "no majority domain", mutate: func(m, s *Account, o *Options) {
			s.Config = nil // no family majority to fall back on either
			for i, host := range []string{"https://hooks.other.org/x", "https://hooks.third.net/x"} {
				for f := range m.Config.PhoneNumbers[i].Webhooks {
					if strings.HasSuffix(f, "_url") || f == "status_callback" {
						m.Config.PhoneNumbers[i].Webhooks[f] = host
					}
				}
			}
		}, want: []string{CheckWebhookMixedDomains}, sev: atoguard.SeverityLow, step: ""},
		{name: "the family's majority decides for an account without one", mutate: func(m, s *Account, o *Options) {
			for i, host := range []string{"https://hooks.other.org/x", "https://hooks.third.net/x"} {
				for f := range m.Config.PhoneNumbers[i].Webhooks {
					if strings.HasSuffix(f, "_url") || f == "status_callback" {
						m.Config.PhoneNumbers[i].Webhooks[f] = host
					}
				}
			}
		}, want: []string{CheckWebhookForeignHost}, sev: atoguard.SeverityMedium, step: "webhooks"},
		{name: "voice country outside the traffic", mutate: func(m, s *Account, o *Options) {
			m.Config.VoicePermissions[2].LowRiskEnabled = true
		}, want: []string{CheckVoiceCountries}, sev: atoguard.SeverityMedium, step: "geo-permissions"},
		{name: "a burst of traffic does not make a country expected", mutate: func(m, s *Account, o *Options) {
			m.Config.VoicePermissions[1].LowRiskEnabled = true
			m.Destinations["SO"] = 1
		}, want: []string{CheckVoiceCountries}, sev: atoguard.SeverityMedium, step: "geo-permissions"},
		{name: "a habit does", mutate: func(m, s *Account, o *Options) {
			m.Config.VoicePermissions[2].LowRiskEnabled = true
			m.Destinations["GB"] = 5
		}},
		{name: "the flag overrides the traffic", mutate: func(m, s *Account, o *Options) {
			o.AllowCountries = []string{"us", "gb"}
			m.Config.VoicePermissions[2].LowRiskEnabled = true
			m.Config.SMSPermissions[2].Enabled = true
		}},
		{name: "voice high-risk special", mutate: func(m, s *Account, o *Options) {
			m.Config.VoicePermissions[0].HighRiskSpecialEnabled = true
		}, want: []string{CheckVoiceHighRisk}, sev: atoguard.SeverityHigh, step: "geo-permissions"},
		{name: "voice toll-fraud numbers", mutate: func(m, s *Account, o *Options) {
			m.Config.VoicePermissions[1].HighRiskTollFraud = true
		}, want: []string{CheckVoiceCountries, CheckVoiceHighRisk}, sev: atoguard.SeverityHigh, step: "geo-permissions"},
		{name: "sms country outside the traffic", mutate: func(m, s *Account, o *Options) {
			m.Config.SMSPermissions[2].Enabled = true
		}, want: []string{CheckSMSCountries}, sev: atoguard.SeverityMedium, step: "geo-permissions"},
		{name: "sms high-risk country", mutate: func(m, s *Account, o *Options) {
			m.Config.SMSPermissions[1].Enabled = true
		}, want: []string{CheckSMSHighRisk}, sev: atoguard.SeverityHigh, step: "geo-permissions"},
		{name: "no traffic read: countries unknown", mutate: func(m, s *Account, o *Options) {
			m.Destinations = nil
			m.Config.SMSPermissions[2].Enabled = true
		}, want: []string{CheckCountriesUnknown}, sev: atoguard.SeverityInfo, step: ""},
		{name: "subaccount stopped inheriting and opened Somalia", mutate: func(m, s *Account, o *Options) {
			no := false
			s.VoiceInheritance = &no
			s.Config.VoicePermissions[1].LowRiskEnabled = true
		}, want: []string{CheckVoiceCountries, CheckVoiceInheritanceOff}, sev: atoguard.SeverityHigh, step: "geo-permissions"},
		{name: "an inheriting subaccount's own Voice list is not in force", mutate: func(m, s *Account, o *Options) {
			s.Config.VoicePermissions[1].HighRiskTollFraud = true
		}},
		{name: "unknown inheritance: the subaccount's own list is judged", mutate: func(m, s *Account, o *Options) {
			s.VoiceInheritance = nil
			s.Config.VoicePermissions[1].HighRiskTollFraud = true
		}, want: []string{CheckVoiceCountries, CheckVoiceHighRisk}, sev: atoguard.SeverityHigh, step: "geo-permissions"},
		{name: "inheritance off within the family's countries is fine", mutate: func(m, s *Account, o *Options) {
			no := false
			s.VoiceInheritance = &no
		}},
		{name: "a subaccount's country is allowed on the main account", mutate: func(m, s *Account, o *Options) {
			s.Destinations["GB"] = 10
			s.Config.VoicePermissions[2].LowRiskEnabled = true
			m.Config.VoicePermissions[2].LowRiskEnabled = true
		}},
		{name: "deleted daily spend trigger", mutate: func(m, s *Account, o *Options) {
			m.Config.UsageTriggers = m.Config.UsageTriggers[1:]
		}, want: []string{CheckTriggerMissing}, sev: atoguard.SeverityMedium, step: "usage-triggers"},
		{name: "monthly trigger does not count", mutate: func(m, s *Account, o *Options) {
			m.Config.UsageTriggers[1].Recurring = "monthly"
		}, want: []string{CheckTriggerMissing}, sev: atoguard.SeverityLow, step: "usage-triggers"},
		{name: "sms-outbound counts as sms", mutate: func(m, s *Account, o *Options) {
			m.Config.UsageTriggers[1].UsageCategory = "sms-outbound"
		}},
		{name: "old key", mutate: func(m, s *Account, o *Options) {
			m.Config.APIKeys[0].DateCreated = now.AddDate(0, 0, -91)
		}, want: []string{CheckKeyAge}, sev: atoguard.SeverityMedium, step: "delete-keys"},
		{name: "key age policy", mutate: func(m, s *Account, o *Options) {
			m.Config.APIKeys[0].DateCreated = now.AddDate(0, 0, -91)
			o.MaxKeyAge = 180 * 24 * time.Hour
		}},
		{name: "too many keys", mutate: func(m, s *Account, o *Options) {
			m.Config.APIKeys = append(m.Config.APIKeys, atoguard.APIKey{SID: "SK02", DateCreated: now}, atoguard.APIKey{SID: "SK03", DateCreated: now})
		}, want: []string{CheckKeyCount}, sev: atoguard.SeverityLow, step: "delete-keys"},
		{name: "unknown caller ID", mutate: func(m, s *Account, o *Options) {
			o.CallerIDAllowlist = []string{"+14155550100"}
		}, want: []string{CheckCallerIDUnknown}, sev: atoguard.SeverityMedium, step: "caller-ids"},
		{name: "caller ID allowed by SID", mutate: func(m, s *Account, o *Options) {
			o.CallerIDAllowlist = []string{"PN10"}
		}},
		{name: "no event sink", mutate: func(m, s *Account, o *Options) {
			m.Sinks = nil
		}, want: []string{CheckEventSinkAbsent}, sev: atoguard.SeverityInfo, step: "event-sink"},
		{name: "sink never validated", mutate: func(m, s *Account, o *Options) {
			m.Sinks[0].Status = "initialized"
		}, want: []string{CheckEventSinkInactive}, sev: atoguard.SeverityLow, step: "event-sink"},
		{name: "partial configuration", mutate: func(m, s *Account, o *Options) {
			m.Error = "sms permissions: 403"
		}, want: []string{CheckConfigurationPartial}, sev: atoguard.SeverityInfo, step: ""},
		{name: "suspended accounts are not checked", mutate: func(m, s *Account, o *Options) {
			s.Account.Status = "suspended"
			s.Config.VoicePermissions[0].HighRiskTollFraud = true
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, s := clean(mainSID, mainSID), clean(subSID, mainSID)
			o := Options{Now: now}
			tt.mutate(&m, &s, &o)
			res := Run([]Account{m, s}, o)
			if got := ids(res); !slices.Equal(got, tt.want) {
				t.Fatalf("checks %v, want %v\n%+v", got, tt.want, res.Findings)
			}
			if len(tt.want) == 0 {
				if res.Score != 100 {
					t.Errorf("score %d with no findings", res.Score)
				}
				return
			}
			if res.Findings[0].Severity != tt.sev {
				t.Errorf("worst severity %s, want %s", res.Findings[0].Severity, tt.sev)
			}
			if res.Findings[0].Step != tt.step {
				t.Errorf("step %q, want %q", res.Findings[0].Step, tt.step)
			}
			for _, f := range res.Findings {
				if f.AccountSID == "" || f.Resource == "" || f.Summary == "" || f.Fix == "" {
					t.Errorf("incomplete finding %+v", f)
				}
				if f.Step != "" && !strings.Contains(f.Fix, "--only "+f.Step) {
					t.Errorf("fix %q does not run step %s", f.Fix, f.Step)
				}
				if f.Severity.Rank() > 0 && res.Score >= 100 {
					t.Errorf("score %d despite %s", res.Score, f.Severity)
				}
			}
		})
	}
}

func TestFixCarriesTheAllowlist(t *testing.T) {
	m := clean(mainSID, mainSID)
	m.Config.VoicePermissions[2].LowRiskEnabled = true
	res := Run([]Account{m}, Options{Now: now})
	if len(res.Findings) != 1 || !strings.Contains(res.Findings[0].Fix, "--allow-countries US") || !strings.Contains(res.Findings[0].Fix, "--accounts "+mainSID) {
		t.Fatalf("%+v", res.Findings)
	}
	if !slices.Equal(res.Accounts[0].AllowCountries, []string{"US"}) || !slices.Equal(res.Accounts[0].WebhookDomains, []string{"example.com"}) {
		t.Errorf("summary %+v", res.Accounts[0])
	}
}

func TestWebhookGroupedPerResourceAndHost(t *testing.T) {
	m := clean(mainSID, mainSID)
	m.Config.PhoneNumbers[0].Webhooks["voice_url"] = "https://a.ngrok.io/voice"
	m.Config.PhoneNumbers[0].Webhooks["sms_url"] = "https://a.ngrok.io/sms"
	res := Run([]Account{m}, Options{Now: now})
	if len(res.Findings) != 1 {
		t.Fatalf("%d findings, want one per number and host: %+v", len(res.Findings), res.Findings)
	}
	f := res.Findings[0]
	if f.Resource != "PN01" || !strings.Contains(f.Summary, "sms_url, voice_url") || f.GuidanceStep != 10 {
		t.Errorf("%+v", f)
	}
}

func TestAccountSIDIn(t *testing.T) {
	const sid = "AC0123456789abcdef0123456789abcdef"
	for path, want := range map[string]string{
		"/v1/Accounts/" + sid + "/Flows/FW1": sid,
		"/x/" + sid:                          sid,
		"/ACME/AC123/" + sid + "0":           "", // 33 hex digits: not a SID
		"/twiml/EH0123":                      "",
	} {
		if got := accountSIDIn(path); got != want {
			t.Errorf("%s: %q, want %q", path, got, want)
		}
	}
}

func TestScore(t *testing.T) {
	f := func(id string, s atoguard.Severity) Finding { return Finding{ID: id, Severity: s} }
	tests := []struct {
		name string
		in   []Finding
		want int
	}{
		{"none", nil, 100},
		{"info is free", []Finding{f("a", atoguard.SeverityInfo)}, 100},
		{"one high", []Finding{f("a", atoguard.SeverityHigh)}, 80},
		{"one medium one low", []Finding{f("a", atoguard.SeverityMedium), f("b", atoguard.SeverityLow)}, 88},
		{"repeats cost a quarter", []Finding{f("a", atoguard.SeverityHigh), f("a", atoguard.SeverityHigh)}, 75},
		{"worst counts in full whatever the order", []Finding{f("a", atoguard.SeverityLow), f("a", atoguard.SeverityHigh)}, 79},
		{"one check costs at most twice its weight", slices.Repeat([]Finding{f("a", atoguard.SeverityMedium)}, 50), 84},
		{"floor at zero", []Finding{f("a", atoguard.SeverityCritical), f("b", atoguard.SeverityCritical), f("c", atoguard.SeverityCritical)}, 0},
	}
	for _, tt := range tests {
		if got := Score(tt.in); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestDestinations(t *testing.T) {
	day := func(d int) time.Time { return now.AddDate(0, 0, -d) }
	msgs := []atoguard.Message{
		{To: "+14155550100", Direction: "outbound-api", DateSent: day(1)},
		{To: "+14155550101", Direction: "outbound-api", DateSent: day(1)},
		{To: "+14155550102", Direction: "outbound-api", DateCreated: day(2)},
		{To: "+447700900123", Direction: "inbound", DateSent: day(1)},       // inbound: not a destination
		{To: "+447700900123", Direction: "outbound-api", DateSent: day(40)}, // before the window
		{To: "whatsapp:+998901234567", Direction: "outbound-api", DateSent: day(3)},
		{To: "MyBrand", Direction: "outbound-api", DateSent: day(3)},
	}
	calls := []atoguard.Call{{To: "+252612345678", Direction: "outbound-api", StartTime: day(4)}}
	got := Destinations(msgs, calls, now.AddDate(0, 0, -30))
	want := map[string]int{"US": 2, "UZ": 1, "SO": 1}
	if len(got) != len(want) {
		t.Fatalf("%v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %d days, want %d (%v)", k, got[k], v, got)
		}
	}
}

func FuzzWebhookURL(f *testing.F) {
	for _, s := range []string{"https://api.example.com/x", "http://1.2.3.4:80/", "https://[::1]/", "https://a.ngrok.io", "://", "http://%zz", "https://co.uk/", "https://xn--80ak6aa92e.com/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		m := clean(mainSID, mainSID)
		m.Config.PhoneNumbers[0].Webhooks["voice_url"] = raw
		res := Run([]Account{m}, Options{Now: now, AllowWebhookHosts: []string{raw}})
		if res.Score < 0 || res.Score > 100 {
			t.Fatalf("score %d", res.Score)
		}
	})
}
