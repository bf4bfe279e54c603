package scan

// loneTokenCases are the cases of twilio-auth-token-unpaired: an auth token
// named as one, whose Account SID is not in the file (issue 18).
func loneTokenCases() []detectCase {
	lone := func(tok string) want { return want{rule: RuleLoneAuthToken, secret: tok} }
	return []detectCase{
		// --- true positives ---
		{"lone twilio token in dotenv", "TWILIO_SID_FROM=vault\nTWILIO_AUTH_TOKEN={TOK3}\n", []want{lone(tok3)}, false},
		{"lone auth_token in a twilio client file",
			"from twilio.rest import Client\nsid = os.environ['ACCOUNT']\nauth_token = '{TOK3}'\nclient = Client(sid, auth_token)\n",
			[]want{lone(tok3)}, false},
		{"lone token json key", "{\"twilioAuthToken\": \"{TOK3}\", \"region\": \"ie1\"}\n", []want{lone(tok3)}, false},
		// --- false positives ---
		{"auth_token in a file that never says twilio", "gateway:\n  auth_token: {TOK3}\n", nil, false},
		{"another service's token", "STRIPE_AUTH_TOKEN={TOK3}\n", nil, false},
		{"token digest", "TWILIO_AUTH_TOKEN_SHA256={TOK3}\n", nil, false},
		{"csrf token", "from twilio.rest import Client\ncsrf_token = '{TOK3}'\n", nil, false},
		{"placeholder lone token hidden", "TWILIO_AUTH_TOKEN=0123456789abcdef0123456789abcdef\n", nil, false},
		{"paired token is not lone", "TWILIO_ACCOUNT_SID={SID}\nTWILIO_AUTH_TOKEN={TOK}\n", []want{authTok(sid1, tok1)}, false},
	}
}
