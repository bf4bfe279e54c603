package scan

// apiKeyCases are the detector cases of twilio-api-key: an API key SID with its secret.
func apiKeyCases() []detectCase {
	return []detectCase{
		// --- API keys ---
		{"api key dotenv", "TWILIO_ACCOUNT_SID={SID}\nTWILIO_API_KEY={SK}\nTWILIO_API_SECRET={SEC}\n", []want{apiKey(sid1, sk1, sec1)}, false},
		{"api key positional", `client = Client("{SK}", "{SEC}", "{SID}")`, []want{apiKey(sid1, sk1, sec1)}, false},
		{"api key node", "const client = twilio('{SK}', '{SEC}', { accountSid: '{SID}' });", []want{apiKey(sid1, sk1, sec1)}, false},
		{"api key curl", "curl -u {SK}:{SEC} https://api.twilio.com/2010-04-01/Accounts.json", []want{apiKey("", sk1, sec1)}, false},
		{"api key basic header", "Authorization: Basic " + basic(sk1, sec1), []want{apiKey("", sk1, sec1)}, false},
		{"api key yaml", "twilio:\n  api_key_sid: {SK}\n  api_key_secret: {SEC}\n", []want{apiKey("", sk1, sec1)}, false},
		{"api key and auth token", "TWILIO_ACCOUNT_SID={SID}\nTWILIO_AUTH_TOKEN={TOK}\nTWILIO_API_KEY={SK}\nTWILIO_API_SECRET={SEC}\n", []want{authTok(sid1, tok1), apiKey(sid1, sk1, sec1)}, false},
		{"api key without secret", "TWILIO_API_KEY={SK}\n", nil, false},
	}
}
