package atoguard

// Signal ids: the detectors (detect) raise them and the emulator's scenarios
// (twilio/emulator/scenario) promise them, from this one list. See
// docs/detection.md for what each means.
const (
	// Differences from a known-good snapshot (investigate --against).
	IDConfigWebhookChanged  = "config.webhook-changed"
	IDConfigAPIKeyCreated   = "config.api-key-created"
	IDConfigCallerIDAdded   = "config.caller-id-added"
	IDConfigTriggerDeleted  = "config.usage-trigger-deleted"
	IDConfigGeoWidened      = "config.geo-permissions-widened"
	IDConfigSubaccountAdded = "config.subaccount-created"
	IDConfigPhoneNumberMove = "config.phone-number-added"
	// Where traffic goes.
	IDNewCountry        = "destination.new-country"
	IDHighRisk          = "destination.high-risk"
	IDSequentialNumbers = "destination.sequential-numbers"
	IDShortCalls        = "destination.short-calls"
	// Account changes (Monitor events).
	IDPasswordChanged     = "event.password-changed"
	IDEmailChanged        = "event.email-changed"
	IDNewSessionIP        = "event.new-session-ip"
	IDAPIKeyCreated       = "event.api-key-created"
	IDAuthTokenChanged    = "event.auth-token-changed"
	IDWebhookChanged      = "event.webhook-changed"
	IDGeoWidened          = "event.geo-permissions-widened"
	IDUsageTriggerDeleted = "event.usage-trigger-deleted"
	IDCallerIDAdded       = "event.caller-id-added"
	IDSubaccountCreated   = "event.subaccount-created"
	IDEvidenceDeleted     = "event.evidence-deleted"
	IDUserAdded           = "event.user-added"
	// Message content.
	IDBrandImpersonation = "phishing.brand-impersonation"
	IDTemplateBlast      = "phishing.template-blast"
	// Volume, cost and failures.
	IDVolumeSpike  = "traffic.volume-spike"
	IDCostSpike    = "traffic.cost-spike"
	IDFailureSpike = "traffic.failure-spike"
)
