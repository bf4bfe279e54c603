package scan

// accountSIDCases are the detector cases of twilio-account-sid: bare Account SIDs, and the placeholders that are not reported as leaks.
func accountSIDCases() []detectCase {
	return []detectCase{
		// --- bare Account SIDs ---
		{"bare sid", "TWILIO_ACCOUNT_SID={SID}\n", []want{bare(sid1)}, false},
		{"sid with env token", "client = Client(\"{SID}\", os.environ[\"TWILIO_AUTH_TOKEN\"])\n", []want{bare(sid1)}, false},
		{"sid in url path", "GET /2010-04-01/Accounts/{SID}/Calls.json\n", []want{bare(sid1)}, false},
		{"sid repeated once", "{SID}\n{SID}\n{SID}\n", []want{bare(sid1)}, false},
		// --- placeholders ---
		{"doc placeholder hidden", "client = Client(\"ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\", \"your_auth_token\")\n", nil, false},
		{"doc placeholder shown", "client = Client(\"ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\", \"your_auth_token\")\n",
			[]want{{rule: RuleAuthToken, account: "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", secret: "your_auth_token", placeholder: true}}, true},
		{"lowercase x placeholder shown", "account_sid = 'ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'\n",
			[]want{{rule: RuleAccountSID, account: "ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", placeholder: true}}, true},
		{"zeros hidden", "TWILIO_ACCOUNT_SID=AC00000000000000000000000000000000\nTWILIO_AUTH_TOKEN=00000000000000000000000000000000\n", nil, false},
		{"zeros shown", "TWILIO_ACCOUNT_SID=AC00000000000000000000000000000000\nTWILIO_AUTH_TOKEN=00000000000000000000000000000000\n",
			[]want{{rule: RuleAuthToken, account: "AC00000000000000000000000000000000", secret: "00000000000000000000000000000000", placeholder: true}}, true},
		{"aaaa sid hidden", "sid: ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", nil, false},
		{"real sid placeholder token", "account_sid = '{SID}'\nauth_token = 'your_auth_token'\n", []want{bare(sid1)}, false},
		{"real sid sequential token", "account_sid = '{SID}'\nauth_token = '0123456789abcdef0123456789abcdef'\n", []want{bare(sid1)}, false},
		{"placeholder api key", "TWILIO_API_KEY=SKXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\nTWILIO_API_SECRET=XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\n", nil, false},
		{"openapi example sid hidden", `"account_sid": {"type": "string", "example": "{SID}"}`, nil, false},
		{"openapi example sid shown", `"account_sid": {"type": "string", "example": "{SID}"}`, []want{{rule: RuleAccountSID, account: sid1, placeholder: true}}, true},
		{"md5 of nothing sid", "sid = 'ACd41d8cd98f00b204e9800998ecf8427e'\n", nil, false},
		{"one placeholder token for two sids", "{\"account_sid\": \"ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\", \"owner_sid\": \"ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\", \"auth_token\": \"auth_token\"}",
			[]want{{rule: RuleAccountSID, account: "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", placeholder: true},
				{rule: RuleAuthToken, account: "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", secret: "auth_token", placeholder: true}}, true},
	}
}
