package atoguard

import "time"

// Configuration is the security-relevant configuration of one account: what
// `investigate --snapshot` saves and `respond` restores or tightens.
type Configuration struct {
	AccountSID        string             `json:"account_sid"`
	TakenAt           time.Time          `json:"taken_at"`
	PhoneNumbers      []PhoneNumber      `json:"phone_numbers"`
	Applications      []Application      `json:"applications"`
	MessagingServices []MessagingService `json:"messaging_services"`
	APIKeys           []APIKey           `json:"api_keys"`
	CallerIDs         []CallerID         `json:"caller_ids"`
	UsageTriggers     []UsageTrigger     `json:"usage_triggers"`
	VoicePermissions  []VoicePermission  `json:"voice_permissions"`
	SMSPermissions    []SMSPermission    `json:"sms_permissions"`
}

// Webhooks maps a webhook field name in Twilio's snake_case (voice_url,
// sms_url, status_callback, …) to its URL or method. Keeping it a map lets
// snapshots and restores carry every field Twilio has without a struct per
// resource.
type Webhooks map[string]string

// PhoneNumber is an incoming phone number (PN…) and its webhook fields.
type PhoneNumber struct {
	SID          string   `json:"sid"`
	AccountSID   string   `json:"account_sid"`
	PhoneNumber  string   `json:"phone_number"`
	FriendlyName string   `json:"friendly_name"`
	Webhooks     Webhooks `json:"webhooks"`
}

// Application is a TwiML application (AP…) and its webhook fields.
type Application struct {
	SID          string   `json:"sid"`
	AccountSID   string   `json:"account_sid"`
	FriendlyName string   `json:"friendly_name"`
	Webhooks     Webhooks `json:"webhooks"`
}

// MessagingService is a Messaging Service (MG…) and its webhook fields.
type MessagingService struct {
	SID          string   `json:"sid"`
	AccountSID   string   `json:"account_sid"`
	FriendlyName string   `json:"friendly_name"`
	Webhooks     Webhooks `json:"webhooks"`
}

// APIKey is an API key (SK…); the secret is never known after creation.
type APIKey struct {
	SID          string    `json:"sid"`
	AccountSID   string    `json:"account_sid"`
	FriendlyName string    `json:"friendly_name"`
	DateCreated  time.Time `json:"date_created"`
}

// CallerID is a verified outgoing caller ID (PN…).
type CallerID struct {
	SID          string    `json:"sid"`
	AccountSID   string    `json:"account_sid"`
	PhoneNumber  string    `json:"phone_number"`
	FriendlyName string    `json:"friendly_name"`
	DateCreated  time.Time `json:"date_created"`
}

// UsageTrigger is a usage trigger (UT…).
type UsageTrigger struct {
	SID           string  `json:"sid"`
	AccountSID    string  `json:"account_sid"`
	FriendlyName  string  `json:"friendly_name"`
	UsageCategory string  `json:"usage_category"`
	TriggerBy     string  `json:"trigger_by"` // count | usage | price
	TriggerValue  float64 `json:"trigger_value"`
	Recurring     string  `json:"recurring"` // daily | monthly | yearly | alltime | ""
	CallbackURL   string  `json:"callback_url"`
}

// VoicePermission is one country's Voice dialing permission.
type VoicePermission struct {
	ISOCode                string `json:"iso_code"`
	Name                   string `json:"name"`
	LowRiskEnabled         bool   `json:"low_risk_numbers_enabled"`
	HighRiskSpecialEnabled bool   `json:"high_risk_special_numbers_enabled"`
	HighRiskTollFraud      bool   `json:"high_risk_tollfraud_numbers_enabled"`
}

// SMSPermission is one country's SMS geo permission.
type SMSPermission struct {
	CountryCode string `json:"country_code"`
	Enabled     bool   `json:"enabled"`
	HighRisk    bool   `json:"high_risk"` // only the Console may change it (error 30649)
}

// VoiceSettings are an account's Voice dialing permission settings.
type VoiceSettings struct {
	// Inheritance: a subaccount follows its parent's dialing permissions.
	Inheritance bool `json:"dialing_permissions_inheritance"`
}
