package scan

// sendGridCases are the detector cases of sendgrid-api-key.
func sendGridCases() []detectCase {
	return []detectCase{
		// --- SendGrid ---
		{"sendgrid", "SENDGRID_API_KEY={SG}\n", []want{{rule: RuleSendGrid, secret: sgKey}}, false},
		{"sendgrid in code", "sg = SendGridAPIClient('{SG}')", []want{{rule: RuleSendGrid, secret: sgKey}}, false},
		{"sendgrid short", "SG.aB3dE5fG7hI9jK1lM3nO5p.qR7sT9uV1wX3yZ5aB7cD9eF1gH3iJ5kL7mN9oP1qR3\n", nil, false},
		{"sendgrid long", "{SG}x\n", nil, false},
		{"sendgrid placeholder", "SENDGRID_API_KEY=SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", nil, false},
	}
}
