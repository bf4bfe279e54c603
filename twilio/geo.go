package twilio

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"strings"

	"github.com/atoguard/atoguard"
)

// ---- Voice dialing permissions (voice v1; the authenticated account) ----

type wireVoiceCountry struct {
	ISOCode           string   `json:"iso_code"`
	Name              string   `json:"name"`
	LowRisk           flexBool `json:"low_risk_numbers_enabled"`
	HighRiskSpecial   flexBool `json:"high_risk_special_numbers_enabled"`
	HighRiskTollFraud flexBool `json:"high_risk_tollfraud_numbers_enabled"`
}

// ListVoiceCountries lists the Voice dialing permission of every country.
func (c *Client) ListVoiceCountries(ctx context.Context) iter.Seq2[atoguard.VoicePermission, error] {
	return list(c, ctx, &request{op: "twilio.list_voice_countries", product: ProductVoice, path: "/v1/DialingPermissions/Countries"},
		"content", func(w *wireVoiceCountry) (atoguard.VoicePermission, bool) {
			return atoguard.VoicePermission{ISOCode: w.ISOCode, Name: w.Name, LowRiskEnabled: bool(w.LowRisk),
				HighRiskSpecialEnabled: bool(w.HighRiskSpecial), HighRiskTollFraud: bool(w.HighRiskTollFraud)}, true
		})
}

// BulkUpdateVoiceCountries sets the permissions of the given countries in
// one request and returns Twilio's update_count. Setting absolute state is
// safe to retry.
func (c *Client) BulkUpdateVoiceCountries(ctx context.Context, perms []atoguard.VoicePermission) (int, error) {
	const op = "twilio.bulk_update_voice_countries"
	if len(perms) == 0 {
		return 0, atoguard.Errorf(atoguard.EINVALID, op, "no countries to update")
	}
	type item struct {
		ISOCode           string `json:"iso_code"`
		LowRisk           string `json:"low_risk_numbers_enabled"`
		HighRiskSpecial   string `json:"high_risk_special_numbers_enabled"`
		HighRiskTollFraud string `json:"high_risk_tollfraud_numbers_enabled"`
	}
	items := make([]item, 0, len(perms))
	for _, p := range perms {
		if !isISO(p.ISOCode) {
			return 0, atoguard.Errorf(atoguard.EINVALID, op, "bad ISO country code %q", p.ISOCode)
		}
		// Twilio's example sends string booleans.
		items = append(items, item{strings.ToUpper(p.ISOCode), formatBool(p.LowRiskEnabled), formatBool(p.HighRiskSpecialEnabled), formatBool(p.HighRiskTollFraud)})
	}
	b, err := json.Marshal(items)
	if err != nil {
		return 0, atoguard.Errorf(atoguard.EINTERNAL, op, "encode: %v", err)
	}
	var w struct {
		UpdateCount inum `json:"update_count"`
	}
	if err := c.post(ctx, op, ProductVoice, "/v1/DialingPermissions/BulkCountryUpdates", url.Values{"UpdateRequest": {string(b)}}, true, &w); err != nil {
		return 0, err
	}
	return int(w.UpdateCount), nil
}

// ListHighRiskSpecialPrefixes lists a country's high-risk special prefixes.
func (c *Client) ListHighRiskSpecialPrefixes(ctx context.Context, iso string) iter.Seq2[string, error] {
	const op = "twilio.list_high_risk_special_prefixes"
	if !isISO(iso) {
		return errSeq[string](atoguard.Errorf(atoguard.EINVALID, op, "bad ISO country code %q", iso))
	}
	return list(c, ctx, &request{op: op, product: ProductVoice, path: "/v1/DialingPermissions/Countries/" + strings.ToUpper(iso) + "/HighRiskSpecialPrefixes"},
		"content", func(w *struct {
			Prefix string `json:"prefix"`
		}) (string, bool) {
			return w.Prefix, true
		})
}

// isISO reports a two-letter country code.
func isISO(s string) bool {
	if len(s) != 2 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') {
			return false
		}
	}
	return true
}

// VoiceSettings are the account's Voice dialing permission settings.
type VoiceSettings = atoguard.VoiceSettings

// GetVoiceSettings reads the authenticated account's Voice settings.
func (c *Client) GetVoiceSettings(ctx context.Context) (VoiceSettings, error) {
	var w struct {
		Inheritance flexBool `json:"dialing_permissions_inheritance"`
	}
	if err := c.get(ctx, "twilio.get_voice_settings", ProductVoice, "/v1/Settings", nil, &w); err != nil {
		return VoiceSettings{}, err
	}
	return VoiceSettings{Inheritance: bool(w.Inheritance)}, nil
}

// SetVoiceInheritance sets whether the (sub)account inherits its parent's
// dialing permissions; call it with the subaccount's own credentials.
func (c *Client) SetVoiceInheritance(ctx context.Context, inherit bool) error {
	return c.post(ctx, "twilio.set_voice_inheritance", ProductVoice, "/v1/Settings",
		url.Values{"DialingPermissionsInheritance": {formatBool(inherit)}}, true, nil)
}

// ---- SMS geo permissions (accounts v1; the authenticated account) ----

type wireSMSPermission struct {
	CountryCode   string   `json:"country_code"`
	Type          string   `json:"type"`
	Enabled       flexBool `json:"enabled"`
	Message       string   `json:"message"`
	ErrorCode     inum     `json:"error_code"`
	ErrorMessages []string `json:"error_messages"`
}

// ListSMSPermissions reads the SMS geo permission of every country.
func (c *Client) ListSMSPermissions(ctx context.Context) ([]atoguard.SMSPermission, error) {
	var w struct {
		Permissions []wireSMSPermission `json:"permissions"`
	}
	if err := c.get(ctx, "twilio.list_sms_permissions", ProductAccounts, "/v1/Messaging/GeoPermissions", nil, &w); err != nil {
		return nil, err
	}
	out := make([]atoguard.SMSPermission, 0, len(w.Permissions))
	for _, p := range w.Permissions {
		out = append(out, atoguard.SMSPermission{CountryCode: p.CountryCode, Enabled: bool(p.Enabled),
			HighRisk: strings.Contains(strings.ToLower(p.Message), "high risk")})
	}
	return out, nil
}

// UpdateSMSPermissions sets the SMS geo permission of the given countries.
func (c *Client) UpdateSMSPermissions(ctx context.Context, perms []atoguard.SMSPermission) ([]atoguard.SMSPermissionResult, error) {
	const op = "twilio.update_sms_permissions"
	if len(perms) == 0 {
		return nil, atoguard.Errorf(atoguard.EINVALID, op, "no countries to update")
	}
	form := url.Values{}
	for _, p := range perms {
		if !isISO(p.CountryCode) {
			return nil, atoguard.Errorf(atoguard.EINVALID, op, "bad ISO country code %q", p.CountryCode)
		}
		b, _ := json.Marshal(struct {
			CountryCode string `json:"country_code"`
			Type        string `json:"type"`
			Enabled     bool   `json:"enabled"`
		}{strings.ToUpper(p.CountryCode), "country", p.Enabled})
		form.Add("Permissions", string(b))
	}
	resp, err := c.do(ctx, &request{op: op, method: "PATCH", product: ProductAccounts, path: "/v1/Messaging/GeoPermissions", form: form, retrySafe: true})
	if err != nil {
		return nil, err
	}
	var w struct {
		Permissions []wireSMSPermission `json:"permissions"`
	}
	if err := decodeJSON(op, resp, &w); err != nil {
		return nil, err
	}
	out := make([]atoguard.SMSPermissionResult, 0, len(w.Permissions))
	for _, p := range w.Permissions {
		out = append(out, atoguard.SMSPermissionResult{CountryCode: p.CountryCode, Enabled: bool(p.Enabled), ErrorCode: int(p.ErrorCode), ErrorMessages: p.ErrorMessages})
	}
	return out, nil
}
