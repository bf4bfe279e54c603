package scan

// issue18Cases are the classes issue 18 found missed or mispaired on code
// nobody here wrote, each with an example of our own.
func issue18Cases() []detectCase {
	return []detectCase{
		{"value on the line after a ?? fallback",
			"const client = twilio(\n  process.env.TW_SID ?? '{SID}',\n  process.env.TWILIO_AUTH_TOKEN ??\n    '{TOK3}',\n);\n",
			[]want{authTok(sid1, tok3)}, false},
		{"value on the line after an open call",
			"const sid = '{SID}';\nconst authToken = String(\n  '{TOK3}'\n);\n", []want{authTok(sid1, tok3)}, false},
		{"CI variables in object form",
			"variables:\n  TWILIO_ACCOUNT_SID:\n    value: \"{SID}\"\n    description: \"main account\"\n  TWILIO_AUTH_TOKEN:\n    description: \"rotate monthly\"\n    value: \"{TOK3}\"\n",
			[]want{authTok(sid1, tok3)}, false},
		{"xml element name then other attributes",
			"<resources>\n  <string name=\"twilio_account_sid\" translatable=\"false\">{SID}</string>\n  <string name=\"twilio_auth_token\" tools:ignore=\"MissingTranslation\">{TOK3}</string>\n</resources>\n",
			[]want{authTok(sid1, tok3)}, false},
		{"semicolon-delimited rows",
			"name;value;note\nTWILIO_ACCOUNT_SID;{SID};prod\nTWILIO_AUTH_TOKEN;{TOK3};rotated 2024\n",
			[]want{authTok(sid1, tok3)}, false},
		{"unqualified token belongs to the unqualified sid",
			"TWILIO_ACCOUNT_SID={SID}\nTWILIO_SUBACCOUNT_SID={SID2}\nTWILIO_AUTH_TOKEN={TOK3}\n",
			[]want{authTok(sid1, tok3), bare(sid2)}, false},
		{"placeholder sid in a trailing comment",
			"$sid = \"{SID}\"; // was \"ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\"\n$token = \"{TOK3}\"; // was \"your_auth_token\"\n",
			[]want{authTok(sid1, tok3)}, false},
		{"unquoted positional arguments",
			"./notify.sh {SID} {TOK3} +15005550006 \"deploy done\"\n", []want{authTok(sid1, tok3)}, false},
		{"same stem sid and key",
			"var goodSid = \"{SID}\";\nvar goodKey = \"{TOK3}\";\n", []want{authTok(sid1, tok3)}, false},
		{"public test pair named validSid and validKey",
			"validSid := \"{SID}\"\nvalidKey := \"{TOK}\"\n", []want{authTok(sid1, tok1)}, false},
		// Twilio's own examples are examples.
		{"docs example key response", "{\n  \"sid\": \"SK8c2d6e4f1a3b5c7d9e0f2a4b6c8d0e1f\",\n  \"friendly_name\": \"User Joey\",\n  \"secret\": \"{SEC}\"\n}\n", nil, false},
		{"docs example key response, placeholders included", "{\n  \"sid\": \"SK8c2d6e4f1a3b5c7d9e0f2a4b6c8d0e1f\",\n  \"friendly_name\": \"User Joey\",\n  \"secret\": \"{SEC}\"\n}\n",
			[]want{{rule: RuleAPIKey, key: "SK8c2d6e4f1a3b5c7d9e0f2a4b6c8d0e1f", secret: sec1, placeholder: true}}, true},
		{"sdk fixture key sid", "keySid = \"SKb5aed9ca12bf5890f37930e63cad6d38\"\nsecret = \"{SEC}\"\n", nil, false},
		// What must stay unpaired.
		{"unquoted hex columns in a log are not a command line",
			"2024-05-01 sid={SID} request {UUID} done\n", []want{bare(sid1)}, false},
		{"different stems do not pair", "var goodSid = \"{SID}\";\nvar badKey = \"{TOK3}\";\n", []want{bare(sid1)}, false},
	}
}
