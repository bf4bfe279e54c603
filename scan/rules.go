package scan

import atoguard "github.com/atoguard/atoguard"

// Rule identifiers, as they appear in findings, JSON and SARIF.
const (
	RuleAuthToken  = "twilio-auth-token"
	RuleAPIKey     = "twilio-api-key"
	RuleAccountSID = "twilio-account-sid"
	RuleSendGrid   = "sendgrid-api-key"
	// RuleLoneAuthToken is an auth token named as one whose Account SID is
	// not in the same file (it comes from the environment or another file).
	RuleLoneAuthToken = "twilio-auth-token-unpaired"
)

// Rule describes one detector for people and for SARIF's rule metadata.
type Rule struct {
	ID       string
	Name     string // short title
	Severity atoguard.Severity
	Short    string // one line
	Help     string // what it matches and what to do
	HelpURI  string
}

// Rules returns the detectors' descriptions in a stable order.
func Rules() []Rule {
	return []Rule{
		{
			ID: RuleAuthToken, Name: "Twilio auth token", Severity: atoguard.SeverityCritical,
			Short: "Twilio Account SID together with its auth token",
			Help: "An Account SID (AC + 32 hex) paired with a 32-hex auth token by context: key names " +
				"(auth_token, TWILIO_AUTH_TOKEN, token, secret, password), positional constructor arguments, " +
				"URL userinfo, curl -u, or an HTTP Basic header. Anyone holding both controls the account. " +
				"Rotate the auth token now (atoguard respond), remove it from the code and its history, " +
				"and load it from a secret store or the environment instead.",
			HelpURI: "https://www.twilio.com/docs/iam/credentials/api",
		},
		{
			ID: RuleAPIKey, Name: "Twilio API key", Severity: atoguard.SeverityCritical,
			Short: "Twilio API key SID together with its secret",
			Help: "An API key SID (SK + 32 hex) paired with its 32-character secret by context. " +
				"Delete the key in the Console or with atoguard respond, remove it from the code and its " +
				"history, and issue a new key stored outside the code.",
			HelpURI: "https://www.twilio.com/docs/iam/api-keys",
		},
		{
			ID: RuleLoneAuthToken, Name: "Twilio auth token without its Account SID", Severity: atoguard.SeverityHigh,
			Short: "auth token without its Account SID in this file",
			Help: "A 32-hex value under a name that says it is a Twilio auth token (TWILIO_AUTH_TOKEN, or " +
				"auth_token in a file that mentions Twilio), with no Account SID beside it: the SID is " +
				"usually in the environment or another file, and is easy to find. Rotate the auth token, " +
				"remove it from the code and its history, and load it from a secret store.",
			HelpURI: "https://www.twilio.com/docs/iam/credentials/api",
		},
		{
			ID: RuleAccountSID, Name: "Twilio Account SID", Severity: atoguard.SeverityLow,
			Short: "Twilio Account SID with no credential beside it",
			Help: "An Account SID (AC + 32 hex) is an identifier, not a secret, but it tells attackers which " +
				"account to target and is what atoguard exposure searches public code for. Keep it in " +
				"configuration rather than code.",
			HelpURI: "https://www.twilio.com/docs/glossary/what-is-a-sid",
		},
		{
			ID: RuleSendGrid, Name: "SendGrid API key", Severity: atoguard.SeverityHigh,
			Short: "SendGrid API key (SG.…)",
			Help: "A SendGrid API key (SG. + 22 + . + 43 characters). Delete it in SendGrid's settings, " +
				"remove it from the code and its history, and create a new one with the least scopes.",
			HelpURI: "https://www.twilio.com/docs/sendgrid/ui/account-and-settings/api-keys",
		},
	}
}

// RuleByID returns the rule with that id.
func RuleByID(id string) (Rule, bool) {
	for _, r := range Rules() {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// severity is Rules()[…].Severity without building the list (hot path).
func severity(rule string) atoguard.Severity {
	switch rule {
	case RuleAuthToken, RuleAPIKey:
		return atoguard.SeverityCritical
	case RuleSendGrid, RuleLoneAuthToken:
		return atoguard.SeverityHigh
	}
	return atoguard.SeverityLow
}
