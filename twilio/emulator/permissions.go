package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// ---- Voice dialing permissions (voice v1) ----

func (c *call) voiceCountryJSON(p *voicePerm) map[string]any {
	ct, _ := countryByISO(p.ISOCode)
	codes := make([]string, 0, len(ct.codes))
	for _, cc := range ct.codes {
		codes = append(codes, "+"+cc)
	}
	u := "https://voice.twilio.com/v1/DialingPermissions/Countries/" + p.ISOCode
	return map[string]any{
		"iso_code": p.ISOCode, "name": orDefault(p.Name, ct.name), "continent": ct.continent, "country_codes": codes,
		"low_risk_numbers_enabled":            p.LowRiskEnabled,
		"high_risk_special_numbers_enabled":   p.HighRiskSpecialEnabled,
		"high_risk_tollfraud_numbers_enabled": p.HighRiskTollFraud,
		"url":                                 u,
		"links":                               map[string]any{"highrisk_special_prefixes": u + "/HighRiskSpecialPrefixes"},
	}
}

func (c *call) boolFilter(name string) (*bool, bool) {
	if !c.has(name) {
		return nil, true
	}
	b, err := strconv.ParseBool(c.v(name))
	if err != nil {
		c.badParam("Invalid " + name + ": " + c.v(name))
		return nil, false
	}
	return &b, true
}

func (c *call) listVoiceCountries() {
	pr, ok := c.paging()
	if !ok {
		return
	}
	low, ok1 := c.boolFilter("LowRiskNumbersEnabled")
	special, ok2 := c.boolFilter("HighRiskSpecialNumbersEnabled")
	toll, ok3 := c.boolFilter("HighRiskTollfraudNumbersEnabled")
	if !ok1 || !ok2 || !ok3 {
		return
	}
	iso, continent := strings.ToUpper(c.v("IsoCode")), strings.ToUpper(c.v("Continent"))
	code := strings.TrimPrefix(c.v("CountryCode"), "+")
	var list []*voicePerm
	for _, k := range sortedKeys(c.acct.voice) {
		p := c.acct.voice[k]
		ct, _ := countryByISO(k)
		switch {
		case iso != "" && k != iso,
			continent != "" && ct.continent != continent,
			code != "" && !slices.Contains(ct.codes, code),
			low != nil && p.LowRiskEnabled != *low,
			special != nil && p.HighRiskSpecialEnabled != *special,
			toll != nil && p.HighRiskTollFraud != *toll:
			continue
		}
		list = append(list, p)
	}
	page, next := pageSlice(c, list, pr)
	c.writeV1List("content", marshalAll(page, func(p *voicePerm) any { return c.voiceCountryJSON(p) }), pr, next)
}

func (c *call) findVoiceCountry() *voicePerm {
	p := c.acct.voice[strings.ToUpper(c.params["IsoCode"])]
	if p == nil {
		c.notFound()
	}
	return p
}

func (c *call) fetchVoiceCountry() {
	if p := c.findVoiceCountry(); p != nil {
		c.json(http.StatusOK, c.voiceCountryJSON(p))
	}
}

// listHighRiskPrefixes: a few fabricated premium-rate prefixes per country.
func (c *call) listHighRiskPrefixes() {
	p := c.findVoiceCountry()
	if p == nil {
		return
	}
	pr, ok := c.paging()
	if !ok {
		return
	}
	ct, _ := countryByISO(p.ISOCode)
	var prefixes []string
	for _, cc := range ct.codes {
		prefixes = append(prefixes, "+"+cc+"70", "+"+cc+"90", "+"+cc+"900")
	}
	page, next := pageSlice(c, prefixes, pr)
	c.writeV1List("content", marshalAll(page, func(s string) any { return map[string]any{"prefix": s} }), pr, next)
}

// flexBool reads a JSON boolean given as true or "true".
type flexBool struct {
	set bool
	v   bool
}

func (f *flexBool) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		v, err := strconv.ParseBool(s)
		f.set, f.v = err == nil, v
		return err
	}
	err := json.Unmarshal(b, &f.v)
	f.set = err == nil
	return err
}

// bulkCountryUpdate applies UpdateRequest, a JSON array of
// {iso_code, low_risk_numbers_enabled, high_risk_special_numbers_enabled,
// high_risk_tollfraud_numbers_enabled}.
func (c *call) bulkCountryUpdate() {
	raw := c.v("UpdateRequest")
	var reqs []struct {
		ISO     string   `json:"iso_code"`
		Low     flexBool `json:"low_risk_numbers_enabled"`
		Special flexBool `json:"high_risk_special_numbers_enabled"`
		Toll    flexBool `json:"high_risk_tollfraud_numbers_enabled"`
	}
	if raw == "" {
		c.badParam("Required parameter UpdateRequest missing.")
		return
	}
	if err := json.Unmarshal([]byte(raw), &reqs); err != nil || len(reqs) == 0 {
		c.badParam("UpdateRequest must be a non-empty JSON array of country updates")
		return
	}
	for _, r := range reqs {
		if c.acct.voice[strings.ToUpper(r.ISO)] == nil {
			c.badParam("Unknown iso_code in UpdateRequest: " + r.ISO)
			return
		}
	}
	data := map[string]any{}
	for _, r := range reqs {
		p := c.acct.voice[strings.ToUpper(r.ISO)]
		ch := map[string]any{}
		set := func(name string, f flexBool, field *bool) {
			if f.set && f.v != *field {
				ch[name] = change{*field, f.v}
				*field = f.v
			}
		}
		set("low_risk_numbers_enabled", r.Low, &p.LowRiskEnabled)
		set("high_risk_special_numbers_enabled", r.Special, &p.HighRiskSpecialEnabled)
		set("high_risk_tollfraud_numbers_enabled", r.Toll, &p.HighRiskTollFraud)
		if len(ch) > 0 {
			data[p.ISOCode] = ch
		}
	}
	if len(data) > 0 {
		c.record(c.acct, "voice-geographic-permissions.updated", c.acct.SID, "voice-geographic-permissions",
			"Voice dialing permissions updated", data)
	}
	c.json(http.StatusCreated, map[string]any{"update_count": len(reqs), "update_request": "accepted"})
}

func (c *call) voiceSettingsJSON() map[string]any {
	return map[string]any{"dialing_permissions_inheritance": c.acct.voiceInherit, "url": "https://voice.twilio.com/v1/Settings"}
}

func (c *call) fetchVoiceSettings() { c.json(http.StatusOK, c.voiceSettingsJSON()) }

func (c *call) updateVoiceSettings() {
	if c.has("DialingPermissionsInheritance") {
		b, err := strconv.ParseBool(c.v("DialingPermissionsInheritance"))
		if err != nil {
			c.badParam("Invalid DialingPermissionsInheritance: " + c.v("DialingPermissionsInheritance"))
			return
		}
		if b != c.acct.voiceInherit {
			c.record(c.acct, "voice-geographic-permissions.updated", c.acct.SID, "voice-geographic-permissions",
				"Voice dialing permissions inheritance updated",
				map[string]any{"dialing_permissions_inheritance": change{c.acct.voiceInherit, b}})
			c.acct.voiceInherit = b
		}
	}
	c.json(http.StatusAccepted, c.voiceSettingsJSON())
}

// ---- SMS geo permissions (accounts v1) ----

func smsPermJSON(p *smsPerm) map[string]any {
	msg := ""
	if p.HighRisk {
		msg = "High Risk Country"
	}
	return map[string]any{"country_code": p.CountryCode, "type": "country", "enabled": p.Enabled, "prefix": nil, "message": msg}
}

func (c *call) fetchSMSGeo() {
	var want []string
	for _, cc := range strings.Split(c.v("CountryCode"), ",") {
		if cc = strings.ToUpper(strings.TrimSpace(cc)); cc != "" {
			want = append(want, cc)
		}
	}
	perms := []any{}
	for _, k := range sortedKeys(c.acct.sms) {
		if len(want) == 0 || slices.Contains(want, k) {
			perms = append(perms, smsPermJSON(c.acct.sms[k]))
		}
	}
	c.json(http.StatusOK, map[string]any{"permissions": perms})
}

// updateSMSGeo applies Permissions (each a JSON object); per-item failures
// (30649 for countries only the Console may change) come back in a 200.
func (c *call) updateSMSGeo() {
	items := c.r.Form["Permissions"]
	if len(items) == 0 {
		c.badParam("Required parameter Permissions missing.")
		return
	}
	results := []any{}
	data := map[string]any{}
	for _, raw := range items {
		var in struct {
			CountryCode string `json:"country_code"`
			Type        string `json:"type"`
			Enabled     *bool  `json:"enabled"`
		}
		res := map[string]any{"type": "country", "error_code": 0, "error_messages": []string{}}
		fail := func(code int, msg string) {
			res["error_code"], res["error_messages"] = code, []string{msg}
		}
		err := json.Unmarshal([]byte(raw), &in)
		cc := strings.ToUpper(in.CountryCode)
		res["country_code"] = cc
		p := c.acct.sms[cc]
		switch {
		case err != nil || in.Enabled == nil || (in.Type != "" && in.Type != "country"):
			fail(20001, "Invalid permission: want {\"country_code\",\"type\":\"country\",\"enabled\"}")
			res["enabled"] = false
		case p == nil:
			fail(20001, "Unknown country code "+in.CountryCode)
			res["enabled"] = false
		case smsUnsupported(cc):
			fail(21612, "Messaging to this country is not supported")
			res["enabled"] = p.Enabled
		case p.HighRisk && *in.Enabled != p.Enabled:
			fail(30649, "High risk country permission cannot be updated")
			res["enabled"] = p.Enabled
		default:
			if *in.Enabled != p.Enabled {
				data[cc] = change{p.Enabled, *in.Enabled}
				p.Enabled = *in.Enabled
			}
			res["enabled"] = p.Enabled
		}
		results = append(results, res)
	}
	if len(data) > 0 {
		c.record(c.acct, "sms-geographic-permissions.updated", c.acct.SID, "sms-geographic-permissions",
			"SMS geographic permissions updated", data)
	}
	c.json(http.StatusOK, map[string]any{"permissions": results})
}
