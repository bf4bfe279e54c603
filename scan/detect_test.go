package scan

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"

	atoguard "github.com/atoguard/atoguard"
)

// Public test values other scanners use (issue 3), and fabricated ones.
const (
	sid1 = "AC1b3f0bddbb6887d68d8454e66c749c6a"
	tok1 = "daf7b3d34b9787f1212316eea62ba186"
	sid2 = "AC598fdd1a56846658f660652ed4810395"
	tok2 = "ce2337ad21d390367e018828cef2b0ef"
	sk1  = "SK1fe059e17c773de4c071a57f9f975873"
	sec1 = "4BDNaWxPP5naXdt54Fb4KwAWkfNohej8"
	// Not a key: non-hex characters ("fake") in the SID part.
	nearMiss = "SKbddcfb88fake8f7c4d9aefake7de1fc5"
	md5Empty = "d41d8cd98f00b204e9800998ecf8427e"
	uuidHex  = "9f3c2b7ae41d4c6b8a1e5d7f2c9b0a63"
	gitHash  = "e83c5163316f89bfbde7d9ab23ca2e25604af290"
	tok3     = "7c2e9a41f0b35d86e1a4c7f92b60d358" // fabricated 32-hex
	sgKey    = "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"
)

// want is one expected finding, compared without positions.
type want struct {
	rule, account, key, secret string
	placeholder                bool
}

func (w want) String() string {
	return fmt.Sprintf("%s acct=%s key=%s secret=%q ph=%v", w.rule, w.account, w.key, w.secret, w.placeholder)
}

func authTok(sid, tok string) want { return want{rule: RuleAuthToken, account: sid, secret: tok} }
func bare(sid string) want         { return want{rule: RuleAccountSID, account: sid} }
func apiKey(acct, sk, sec string) want {
	return want{rule: RuleAPIKey, account: acct, key: sk, secret: sec}
}

func basic(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
}

// b64 is s in padded standard base64, as Kubernetes stores Secret data.
func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// expand fills {SID} {TOK} {SID2} {TOK2} {SK} {SEC} {TOK3} {MD5} {UUID} {GIT} {SG}.
func expand(s string) string {
	return strings.NewReplacer("{SID}", sid1, "{TOK}", tok1, "{SID2}", sid2, "{TOK2}", tok2,
		"{SK}", sk1, "{SEC}", sec1, "{TOK3}", tok3, "{MD5}", md5Empty, "{UUID}", uuidHex,
		"{GIT}", gitHash, "{SG}", sgKey, "{NEAR}", nearMiss,
		"{B64SID}", b64(sid1), "{B64TOK}", b64(tok1), "{B64SK}", b64(sk1), "{B64SEC}", b64(sec1), "{B64SID2}", b64(sid2),
		"{B64SIDNL}", b64(sid1+"\n"), "{B64TOKNL}", b64(tok1+"\n")).Replace(s)
}

type detectCase struct {
	name string
	in   string
	want []want
	ph   bool // IncludePlaceholders
}

func detectCases() []detectCase {
	// fill is n lines of unrelated settings (47 bytes each): 100 of them put
	// a token beyond pairRadius and maxStrongLines from its SID.
	fill := func(n int) string { return strings.Repeat("LOG_LEVEL=info  # verbosity of the worker logs\n", n) }
	return []detectCase{
		// --- auth token pairs by key name ---
		{"python kwargs", "account_sid = \"{SID}\"\nauth_token = \"{TOK}\"\n", []want{authTok(sid1, tok1)}, false},
		{"dotenv", "TWILIO_ACCOUNT_SID={SID}\nTWILIO_AUTH_TOKEN={TOK}\n", []want{authTok(sid1, tok1)}, false},
		{"shell export quoted", "export TWILIO_ACCOUNT_SID='{SID}'\nexport TWILIO_AUTH_TOKEN='{TOK}'\n", []want{authTok(sid1, tok1)}, false},
		{"token before sid", "TWILIO_AUTH_TOKEN={TOK}\nTWILIO_ACCOUNT_SID={SID}\n", []want{authTok(sid1, tok1)}, false},
		{"yaml", "twilio:\n  account_sid: {SID}\n  auth_token: {TOK}\n", []want{authTok(sid1, tok1)}, false},
		{"yaml nested credentials", "twilio:\n  account_sid: {SID}\n  credentials:\n    auth_token: \"{TOK}\"\n", []want{authTok(sid1, tok1)}, false},
		{"json camel", `{"accountSid": "{SID}", "authToken": "{TOK}"}`, []want{authTok(sid1, tok1)}, false},
		{"json multiline", "{\n  \"twilio\": {\n    \"sid\": \"{SID}\",\n    \"token\": \"{TOK}\"\n  }\n}\n", []want{authTok(sid1, tok1)}, false},
		{"toml", "[twilio]\naccount_sid = \"{SID}\"\nauth_token = \"{TOK}\"\n", []want{authTok(sid1, tok1)}, false},
		{"ini", "[Twilio]\nAccountSid={SID}\nAuthToken={TOK}\n", []want{authTok(sid1, tok1)}, false},
		{"properties", "twilio.account.sid={SID}\ntwilio.auth.token={TOK}\n", []want{authTok(sid1, tok1)}, false},
		{"php vars", "<?php\n$sid = \"{SID}\";\n$token = \"{TOK}\";\n$client = new Client($sid, $token);\n", []want{authTok(sid1, tok1)}, false},
		{"js object", "const config = { accountSid: '{SID}', authToken: '{TOK}' };", []want{authTok(sid1, tok1)}, false},
		{"java fields one line", `static final String ACCOUNT_SID = "{SID}"; static final String AUTH_TOKEN = "{TOK}";`, []want{authTok(sid1, tok1)}, false},
		{"go struct", "twilio.NewRestClientWithParams(twilio.ClientParams{\n\tUsername: \"{SID}\",\n\tPassword: \"{TOK}\",\n})", []want{authTok(sid1, tok1)}, false},
		{"named args password", `client = Client(username="{SID}", password="{TOK}")`, []want{authTok(sid1, tok1)}, false},
		{"docker compose list", "environment:\n  - TWILIO_ACCOUNT_SID={SID}\n  - TWILIO_AUTH_TOKEN={TOK}\n", []want{authTok(sid1, tok1)}, false},
		{"dockerfile ENV", "ENV TWILIO_ACCOUNT_SID {SID}\nENV TWILIO_AUTH_TOKEN {TOK}\n", []want{authTok(sid1, tok1)}, false},
		{"twilio cli flags", "twilio profiles:create --account-sid {SID} --auth-token {TOK}\n", []want{authTok(sid1, tok1)}, false},
		{"xml", "<accountSid>{SID}</accountSid>\n<authToken>{TOK}</authToken>\n", []want{authTok(sid1, tok1)}, false},
		{"plist key above string", "<dict>\n\t<key>TwilioAccountSID</key>\n\t<string>{SID}</string>\n\t<key>TwilioAuthToken</key>\n\t<string>{TOK}</string>\n</dict>\n", []want{authTok(sid1, tok1)}, false},
		{"plist key on same line", "<key>AccountSid</key><string>{SID}</string>\n<key>auth_token</key> <string>{TOK}</string>\n", []want{authTok(sid1, tok1)}, false},
		{"plist checksum key is not a token", "<key>TwilioAccountSID</key>\n<string>{SID}</string>\n<key>BuildChecksum</key>\n<string>{TOK}</string>\n", []want{bare(sid1)}, false},
		{"plist string without key", "<string>{SID}</string>\n<string>{TOK}</string>\n", []want{bare(sid1)}, false},
		{"wget http-user and http-password", "wget --http-user={SID} --http-password={TOK} https://api.twilio.com/2010-04-01/Accounts.json\n", []want{authTok(sid1, tok1)}, false},
		{"yaml str tag", "twilio:\n  sid: !!str {SID}\n  token: !!str {TOK}\n", []want{authTok(sid1, tok1)}, false},
		{"tkn abbreviation", "sid = '{SID}'\ntkn = '{TOK}'\n", []want{authTok(sid1, tok1)}, false},
		{"comment between positional args", "client = Client(\n    \"{SID}\",  # account\n    \"{TOK}\",  // token\n)\n", []want{authTok(sid1, tok1)}, false},
		{"comment with no newline is not skipped", "Client(\"{SID}\", # \"{TOK}\")", []want{bare(sid1)}, false},
		{"kubernetes secret data", "apiVersion: v1\nkind: Secret\ndata:\n  TWILIO_ACCOUNT_SID: {B64SID}\n  TWILIO_AUTH_TOKEN: {B64TOK}\n", []want{authTok(sid1, tok1)}, false},
		{"kubernetes secret token first", "data:\n  auth-token: {B64TOK}\n  account-sid: {B64SID}\n", []want{authTok(sid1, tok1)}, false},
		{"kubernetes secret api key", "data:\n  TWILIO_ACCOUNT_SID: {SID}\n  TWILIO_API_KEY: {B64SK}\n  TWILIO_API_SECRET: {B64SEC}\n", []want{apiKey(sid1, sk1, sec1)}, false},
		{"kubernetes documents keep their credentials", "data:\n  account-sid: {B64SID2}\n---\ndata:\n  account-sid: {B64SID}\n  auth-token: {B64TOK}\n", []want{bare(sid2), authTok(sid1, tok1)}, false},
		{"encoded SID alone is bare", "data:\n  TWILIO_ACCOUNT_SID: {B64SID}\n", []want{bare(sid1)}, false},
		{"encoded value under a checksum name is no token", "data:\n  TWILIO_ACCOUNT_SID: {B64SID}\n  checksum: {B64TOK}\n", []want{bare(sid1)}, false},
		{"encoded pair in key=value lines", "sid={B64SID}\ntoken={B64TOK}\n", []want{authTok(sid1, tok1)}, false},
		{"gh secret set --body", "gh secret set TWILIO_ACCOUNT_SID --body {SID}\ngh secret set TWILIO_AUTH_TOKEN --body \"{TOK}\"\n", []want{authTok(sid1, tok1)}, false},
		{"aws ssm --name path --value", "aws ssm put-parameter --name /notify/twilio/account_sid --value {SID}\naws ssm put-parameter --name /notify/twilio/auth_token --value {TOK} --type SecureString\n", []want{authTok(sid1, tok1)}, false},
		{"gh secret set -b", "gh secret set TWILIO_ACCOUNT_SID -b {SID}\ngh secret set TWILIO_AUTH_TOKEN -b {TOK}\n", []want{authTok(sid1, tok1)}, false},
		{"gh secret set with --repo before --body", "gh secret set TWILIO_ACCOUNT_SID --body {SID}\ngh secret set TWILIO_AUTH_TOKEN --repo acme/app --body {TOK}\n", []want{authTok(sid1, tok1)}, false},
		{"aws ssm --value before --name", "aws ssm put-parameter --name /n/twilio/account_sid --value {SID}\naws ssm put-parameter --value {TOK} --name /n/twilio/auth_token\n", []want{authTok(sid1, tok1)}, false},
		{"kubernetes secret made with echo | base64", "data:\n  TWILIO_ACCOUNT_SID: {B64SIDNL}\n  TWILIO_AUTH_TOKEN: {B64TOKNL}\n", []want{authTok(sid1, tok1)}, false},
		{"ssm parameter of another service", "aws ssm put-parameter --name /notify/twilio/account_sid --value {SID}\naws ssm put-parameter --name=/shop/db/password --value={TOK}\n", []want{bare(sid1)}, false},
		{"heroku app.json values", `{"env": {"TWILIO_ACCOUNT_SID": {"description": "Account SID", "value": "{SID}"}, "TWILIO_AUTH_TOKEN": {"description": "Auth token", "value": "{TOK}"}}}`, []want{authTok(sid1, tok1)}, false},
		{"json schema default", "{\n  \"account_sid\": {\"type\": \"string\", \"default\": \"{SID}\"},\n  \"auth_token\": {\"type\": \"string\", \"default\": \"{TOK}\"}\n}\n", []want{authTok(sid1, tok1)}, false},
		{"object named checksum holds no token", `{"TWILIO_ACCOUNT_SID": {"value": "{SID}"}, "checksum": {"value": "{TOK}"}}`, []want{bare(sid1)}, false},
		{"frontend env prefix", "REACT_APP_TWILIO_ACCOUNT_SID={SID}\nREACT_APP_TWILIO_AUTH_TOKEN={TOK}\n", []want{authTok(sid1, tok1)}, false},
		{"vite env prefix", "VITE_TWILIO_SID={SID}\nVITE_TWILIO_AUTH_TOKEN={TOK}\n", []want{authTok(sid1, tok1)}, false},
		{"company prefix with twilio", "ACME_TWILIO_SID={SID}\nACME_TWILIO_TOKEN={TOK}\n", []want{authTok(sid1, tok1)}, false},
		{"unknown prefix with auth token", "TWILIO_ACCOUNT_SID={SID}\nOTP_AUTH_TOKEN={TOK}\n", []want{authTok(sid1, tok1)}, false},
		{"sk inside a word is not an API key", "TWILIO_ACCOUNT_SID={SID}\nTASK_AUTH_TOKEN={TOK}\n", []want{authTok(sid1, tok1)}, false},
		{"camel-case Sk secret", "twilioSk = \"{SK}\"\ntwilioSkSecret = \"{SEC}\"\n", []want{apiKey("", sk1, sec1)}, false},
		{"unknown prefix with token only is not enough", "TWILIO_ACCOUNT_SID={SID}\nACME_TOKEN={TOK}\n", []want{bare(sid1)}, false},
		{"unknown prefix with secret only is not enough", "TWILIO_ACCOUNT_SID={SID}\nREFRESH_SECRET={TOK}\n", []want{bare(sid1)}, false},
		{"hash of a twilio token is no token", "TWILIO_ACCOUNT_SID={SID}\nTWILIO_AUTH_TOKEN_MD5={TOK}\n", []want{bare(sid1)}, false},
		{"sha256 of a twilio token is no token", "TWILIO_ACCOUNT_SID={SID}\nTWILIO_AUTH_TOKEN_SHA256={TOK}\n", []want{bare(sid1)}, false},
		{"fingerprint of a token is no token", "TWILIO_ACCOUNT_SID={SID}\ntwilioAuthTokenFingerprint = '{TOK}'\n", []want{bare(sid1)}, false},
		{"sha word first is no token", "TWILIO_ACCOUNT_SID={SID}\nSHA_TWILIO_AUTH_TOKEN={TOK}\n", []want{bare(sid1)}, false},
		{"shared is not sha", "TWILIO_ACCOUNT_SID={SID}\nSHARED_TWILIO_TOKEN={TOK}\n", []want{authTok(sid1, tok1)}, false},
		{"twilio token checksum is no token", "TWILIO_ACCOUNT_SID={SID}\ntwilio_token_checksum = '{TOK}'\n", []want{bare(sid1)}, false},
		{"another service's auth token", "TWILIO_ACCOUNT_SID={SID}\nSTRIPE_AUTH_TOKEN={TOK}\n", []want{bare(sid1)}, false},
		{"SK-named key secret", "TWILIO_SK={SK}\nTWILIO_SK_SECRET={SEC}\n", []want{apiKey("", sk1, sec1)}, false},
		{"signing key secret", "signing_key_sid = \"{SK}\"\nsigning_key_secret = \"{SEC}\"\n", []want{apiKey("", sk1, sec1)}, false},
		{"SK-named secret is not an auth token", "TWILIO_ACCOUNT_SID={SID}\nTWILIO_SK_SECRET={TOK}\n", []want{bare(sid1)}, false},
		{"signing secret is not a token", "TWILIO_ACCOUNT_SID={SID}\nSIGNING_SECRET={TOK}\n", []want{bare(sid1)}, false},
		{"framework app secret is not a token", "APP_SECRET={TOK}\nTWILIO_ACCOUNT_SID={SID}\n", []want{bare(sid1)}, false},
		{"appSecret is not a token", "{\"accountSid\": \"{SID}\", \"appSecret\": \"{TOK}\"}", []want{bare(sid1)}, false},
		{"twilio app secret still pairs", "TWILIO_ACCOUNT_SID={SID}\nTWILIO_APP_SECRET={TOK}\n", []want{authTok(sid1, tok1)}, false},
		{"os.environ subscript", "os.environ[\"TWILIO_ACCOUNT_SID\"] = \"{SID}\"\nos.environ[\"TWILIO_AUTH_TOKEN\"] = \"{TOK}\"\n", []want{authTok(sid1, tok1)}, false},
		{"setdefault call", "os.environ.setdefault('TWILIO_ACCOUNT_SID', '{SID}')\nos.environ.setdefault('TWILIO_AUTH_TOKEN', '{TOK}')\n", []want{authTok(sid1, tok1)}, false},
		{"secret key name", "TWILIO_SID={SID}\nTWILIO_SECRET={TOK}\n", []want{authTok(sid1, tok1)}, false},
		{"terraform", "provider \"twilio\" {\n  account_sid = \"{SID}\"\n  auth_token  = \"{TOK}\"\n}\n", []want{authTok(sid1, tok1)}, false},
		{"ruby config", "config.account_sid = '{SID}'\nconfig.auth_token = '{TOK}'\n", []want{authTok(sid1, tok1)}, false},
		{"second public pair", "ACCOUNT_SID = '{SID2}'\nAUTH_TOKEN = '{TOK2}'\n", []want{authTok(sid2, tok2)}, false},
		{"two accounts in order", "TWILIO_SID_PROD={SID}\nTWILIO_TOKEN_PROD={TOK}\nTWILIO_SID_DEV={SID2}\nTWILIO_TOKEN_DEV={TOK2}\n", []want{authTok(sid1, tok1), authTok(sid2, tok2)}, false},
		// Every SID first, then every token: the names' qualifiers pair them.
		{"two accounts, SIDs then tokens", "PROD_ACCOUNT_SID = \"{SID}\"\nDEV_ACCOUNT_SID = \"{SID2}\"\nPROD_AUTH_TOKEN = \"{TOK}\"\nDEV_AUTH_TOKEN = \"{TOK2}\"\n", []want{authTok(sid1, tok1), authTok(sid2, tok2)}, false},
		{"main and subaccount, SIDs then tokens", "TWILIO_ACCOUNT_SID={SID}\nTWILIO_SUBACCOUNT_SID={SID2}\nTWILIO_AUTH_TOKEN={TOK}\nTWILIO_SUBACCOUNT_AUTH_TOKEN={TOK2}\n", []want{authTok(sid1, tok1), authTok(sid2, tok2)}, false},
		{"production and staging yaml", "production_account_sid: {SID}\nstaging_account_sid: {SID2}\nstaging_auth_token: {TOK2}\nproduction_auth_token: {TOK}\n", []want{authTok(sid1, tok1), authTok(sid2, tok2)}, false},
		{"numbered, tokens reversed", "SID_1={SID}\nSID_2={SID2}\nTOKEN_2={TOK2}\nTOKEN_1={TOK}\n", []want{authTok(sid1, tok1), authTok(sid2, tok2)}, false},
		{"two API keys, SIDs then secrets", "PROD_API_KEY={SK}\nDEV_API_KEY=SK0a1b2c3d4e5f60718293a4b5c6d7e8f9\nPROD_API_SECRET={SEC}\nDEV_API_SECRET=Zr8Qm2Lx7Kp4Wn9Vb3Hd6Tj1Fs5Gc0Ye\n",
			[]want{apiKey("", sk1, sec1), apiKey("", "SK0a1b2c3d4e5f60718293a4b5c6d7e8f9", "Zr8Qm2Lx7Kp4Wn9Vb3Hd6Tj1Fs5Gc0Ye")}, false},
		{"qualifier does not force a pair", "PROD_ACCOUNT_SID={SID}\nDEV_ACCOUNT_SID={SID2}\nDEV_AUTH_TOKEN={TOK2}\n", []want{bare(sid1), authTok(sid2, tok2)}, false},
		{"qualifier does not make a hash a token", "PROD_ACCOUNT_SID={SID}\nDEV_ACCOUNT_SID={SID2}\nPROD_MD5={MD5}\nDEV_ETAG={UUID}\n", []want{bare(sid1), bare(sid2)}, false},
		// A lone Account SID takes a token named for Twilio or "auth token" far away.
		{"token 100 lines after the only SID", "TWILIO_ACCOUNT_SID={SID}\n" + fill(100) + "TWILIO_AUTH_TOKEN={TOK}\n", []want{authTok(sid1, tok1)}, false},
		{"token 100 lines before the only SID", "TWILIO_AUTH_TOKEN={TOK}\n" + fill(100) + "TWILIO_ACCOUNT_SID={SID}\n", []want{authTok(sid1, tok1)}, false},
		{"auth token name far from the only SID", "ACCOUNT_SID={SID}\n" + fill(100) + "AUTH_TOKEN={TOK}\n", []want{authTok(sid1, tok1)}, false},
		{"token 100 short lines after the only SID", "TWILIO_ACCOUNT_SID={SID}\n" + strings.Repeat("#\n", 100) + "TWILIO_AUTH_TOKEN={TOK}\n", []want{authTok(sid1, tok1)}, false},
		{"far token and the SID repeated in a URL", "TWILIO_ACCOUNT_SID={SID}\nCALLBACK=https://api.twilio.com/2010-04-01/Accounts/{SID}/Calls.json\n" + fill(100) + "TWILIO_AUTH_TOKEN={TOK}\n", []want{authTok(sid1, tok1)}, false},
		// The repeat nearer the token takes it: the allow comment on its line counts.
		{"far token taken by the nearer repeat of the SID", "TWILIO_ACCOUNT_SID={SID}\n" + fill(110) + "TWILIO_AUTH_TOKEN={TOK}\n" + fill(30) + "ACCOUNT_SID={SID}  # atoguard:allow\n", nil, false},
		{"far generic name", "TWILIO_ACCOUNT_SID={SID}\n" + fill(100) + "SECRET={TOK3}\nPASSWORD={TOK2}\n", []want{bare(sid1)}, false},
		{"far token between two SIDs", "TWILIO_ACCOUNT_SID={SID}\n" + fill(100) + "TWILIO_AUTH_TOKEN={TOK3}\n" + fill(100) + "OTHER_ACCOUNT_SID={SID2}\n", []want{bare(sid1), bare(sid2)}, false},
		{"far token with a different SID nearer", "TWILIO_ACCOUNT_SID={SID}\n" + fill(100) + "SUB_SID={SID2}\nTWILIO_AUTH_TOKEN={TOK}\n", []want{bare(sid1), authTok(sid2, tok1)}, false},
		{"far token in another service's section", "TWILIO_ACCOUNT_SID={SID}\n" + fill(30) + "[smtp]\n" + fill(70) + "auth_token = {TOK3}\n", []want{bare(sid1)}, false},
		{"far token of another service", "TWILIO_ACCOUNT_SID={SID}\n" + fill(100) + "STRIPE_AUTH_TOKEN={TOK3}\n", []want{bare(sid1)}, false},
		{"far token on a denied line", "TWILIO_ACCOUNT_SID={SID}\n" + fill(100) + "npm config set //registry.npmjs.org/:_authToken={TOK3}\n", []want{bare(sid1)}, false},
		{"far token of another qualifier", "PROD_TWILIO_ACCOUNT_SID={SID}\n" + fill(100) + "DEV_TWILIO_AUTH_TOKEN={TOK3}\n", []want{bare(sid1)}, false},
		{"token beyond the far radius", "TWILIO_ACCOUNT_SID={SID}\n" + fill(200) + "TWILIO_AUTH_TOKEN={TOK3}\n", []want{bare(sid1)}, false},
		{"token beyond the far line limit", "TWILIO_ACCOUNT_SID={SID}\n" + strings.Repeat("\n", 400) + "TWILIO_AUTH_TOKEN={TOK3}\n", []want{bare(sid1)}, false},
		// --- structural pairs ---
		{"positional python", `client = Client("{SID}", "{TOK}")`, []want{authTok(sid1, tok1)}, false},
		{"positional multiline", "client = Client(\n    \"{SID}\",\n    \"{TOK}\"\n)\n", []want{authTok(sid1, tok1)}, false},
		{"positional node", "const client = require('twilio')('{SID}', '{TOK}');", []want{authTok(sid1, tok1)}, false},
		{"positional java", `Twilio.init("{SID}", "{TOK}");`, []want{authTok(sid1, tok1)}, false},
		{"positional ruby", "@client = Twilio::REST::Client.new('{SID}', '{TOK}')", []want{authTok(sid1, tok1)}, false},
		{"positional csharp", `TwilioClient.Init("{SID}", "{TOK}");`, []want{authTok(sid1, tok1)}, false},
		{"url userinfo", "url = \"https://{SID}:{TOK}@api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json\"\n", []want{authTok(sid1, tok1)}, false},
		{"curl -u", "curl -X POST https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json \\\n  -u {SID}:{TOK}\n", []want{authTok(sid1, tok1)}, false},
		{"curl --user quoted", "curl --user \"{SID2}:{TOK2}\" https://api.twilio.com/\n", []want{authTok(sid2, tok2)}, false},
		{"basic header", "Authorization: Basic " + basic(sid1, tok1) + "\n", []want{authTok(sid1, tok1)}, false},
		{"basic header in code", "headers = {'Authorization': 'Basic " + basic(sid2, tok2) + "'}\n", []want{authTok(sid2, tok2)}, false},
		{"percent-encoded userinfo", "https://{SID}%3A{TOK}@api.twilio.com/", []want{authTok(sid1, tok1)}, false},
		{"json unicode colon", `{"url": "https://{SID}\u003a{TOK}@api.twilio.com"}`, []want{authTok(sid1, tok1)}, false},
		{"notebook positional", `{"cell_type": "code", "source": ["from twilio.rest import Client\n", "client = Client(\"{SID}\", \"{TOK}\")\n"]}`, []want{authTok(sid1, tok1)}, false},
		{"notebook positional split over lines", "\"source\": [\n    \"client = Client(\\\"{SID}\\\",\\n\",\n    \"                \\\"{TOK}\\\")\\n\"\n]", []want{authTok(sid1, tok1)}, false},
		{"notebook keyed", "\"source\": [\n    \"account_sid = \\\"{SID}\\\"\\n\",\n    \"auth_token = \\\"{TOK}\\\"\\n\",\n]", []want{authTok(sid1, tok1)}, false},
		{"notebook escaped newline prefix", `"output": "sid=\n{SID}\ntoken=\n{TOK}"`, []want{bare(sid1)}, false},
		{"csv with header", "account_sid,auth_token\n{SID},{TOK}\n", []want{authTok(sid1, tok1)}, false},
		{"csv without token header", "account_sid,checksum\n{SID},{MD5}\n", []want{bare(sid1)}, false},
		{"basic header QUN prefix", "Authorization: Basic " + basic("ACa1b3f0bddbb6887d68d8454e66c749c6", tok1) + "\n",
			[]want{authTok("ACa1b3f0bddbb6887d68d8454e66c749c6", tok1)}, false},
		{"basic header and sid in url", "GET /2010-04-01/Accounts/{SID}.json\nAuthorization: Basic " + basic(sid1, tok1) + "\n", []want{authTok(sid1, tok1)}, false},
		{"fully percent-encoded url", "next=https%3A%2F%2F{SID}%3A{TOK}%40api.twilio.com%2F", []want{authTok(sid1, tok1)}, false},
		{"env fallback literal", "var sid = \"{SID}\";\nvar authToken = Environment.GetEnvironmentVariable(\"TWILIO_AUTH_TOKEN\") ?? \"{TOK}\";\n", []want{authTok(sid1, tok1)}, false},
		{"js or fallback", "const sid = '{SID}';\nconst token = process.env.TWILIO_AUTH_TOKEN || '{TOK}';\n", []want{authTok(sid1, tok1)}, false},
		{"postman key value", `{"basic": [{"key": "password", "value": "{TOK}"}, {"key": "username", "value": "{SID}"}]}`, []want{authTok(sid1, tok1)}, false},
		{"postman other key", `{"headers": [{"key": "X-Checksum", "value": "{MD5}"}], "sid": "{SID}"}`, []want{bare(sid1)}, false},
		{"terraform variable default", "variable \"twilio_account_sid\" {\n  default = \"{SID}\"\n}\nvariable \"twilio_auth_token\" {\n  default = \"{TOK}\"\n}\n", []want{authTok(sid1, tok1)}, false},
		{"twilio key beats denied line words", "heroku config:set TWILIO_ACCOUNT_SID={SID} TWILIO_AUTH_TOKEN={TOK} --app acme\n", []want{authTok(sid1, tok1)}, false},
		{"npm auth token is not twilio", "//registry.npmjs.org/:_authToken={TOK3}\nTWILIO_ACCOUNT_SID={SID}\n", []want{bare(sid1)}, false},
		// name/value list items: Kubernetes container env, Helm values, ECS task definitions.
		{"kubernetes env name and value", "env:\n  - name: TWILIO_ACCOUNT_SID\n    value: \"{SID}\"\n  - name: TWILIO_AUTH_TOKEN\n    value: \"{TOK}\"\n", []want{authTok(sid1, tok1)}, false},
		{"kubernetes env with valueFrom neighbour", "env:\n  - name: TWILIO_ACCOUNT_SID\n    value: {SID}\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n        name: db\n        key: password\n  - name: TWILIO_AUTH_TOKEN\n    value: '{TOK}'  # rotate\n", []want{authTok(sid1, tok1)}, false},
		{"kubernetes env items at the parent's column", "env:\n- name: \"TWILIO_ACCOUNT_SID\"\n  value: {SID}\n- name: \"TWILIO_AUTH_TOKEN\"\n  value: {TOK}\n", []want{authTok(sid1, tok1)}, false},
		{"name after value in the item", "- value: \"{SID}\"\n  name: TWILIO_ACCOUNT_SID\n- value: \"{TOK}\"\n  name: TWILIO_AUTH_TOKEN\n", []want{authTok(sid1, tok1)}, false},
		{"ecs task definition environment", "\"environment\": [\n  {\n    \"name\": \"TWILIO_ACCOUNT_SID\",\n    \"value\": \"{SID}\"\n  },\n  {\n    \"name\": \"TWILIO_AUTH_TOKEN\",\n    \"value\": \"{TOK}\"\n  }\n]\n", []want{authTok(sid1, tok1)}, false},
		{"ecs environment on one line", `[{"name": "TWILIO_ACCOUNT_SID", "value": "{SID}"}, {"name": "TWILIO_AUTH_TOKEN", "value": "{TOK}"}]`, []want{authTok(sid1, tok1)}, false},
		{"kubernetes env of another name", "env:\n  - name: TWILIO_ACCOUNT_SID\n    value: {SID}\n  - name: BUILD_CHECKSUM\n    value: {TOK3}\n", []want{bare(sid1)}, false},
		{"next item's name is not the value's", "env:\n  - name: TWILIO_ACCOUNT_SID\n    value: {SID}\n  - value: {TOK3}\n  - name: TWILIO_AUTH_TOKEN\n    valueFrom:\n      secretKeyRef: {name: twilio, key: token}\n", []want{bare(sid1)}, false},
		{"value nested under another key of the item", "env:\n  - name: TWILIO_ACCOUNT_SID\n    value: {SID}\n  - name: TWILIO_AUTH_TOKEN\n    config:\n      value: {TOK3}\n", []want{bare(sid1)}, false},
		{"ecs environment of another name", `[{"name": "TWILIO_ACCOUNT_SID", "value": "{SID}"}, {"name": "GIT_COMMIT", "value": "{TOK3}"}]`, []want{bare(sid1)}, false},
		// .NET configuration: the name in another attribute, or in <setting name="…">.
		{"dotnet appSettings add key", "<appSettings>\n  <add key=\"TwilioAccountSid\" value=\"{SID}\" />\n  <add key=\"TwilioAuthToken\" value=\"{TOK}\" />\n</appSettings>\n", []want{authTok(sid1, tok1)}, false},
		{"dotnet add name", "<add name=\"TwilioAccountSid\" value=\"{SID}\"/>\n<add name=\"TwilioAuthToken\" value=\"{TOK}\"/>\n", []want{authTok(sid1, tok1)}, false},
		{"dotnet value before key", "<add value=\"{SID}\" key=\"Twilio:AccountSid\"/>\n<add value=\"{TOK}\" key=\"Twilio:AuthToken\"/>\n", []want{authTok(sid1, tok1)}, false},
		{"dotnet single quotes", "<add key='AccountSid' value='{SID}'/><add key='AuthToken' value='{TOK}'/>", []want{authTok(sid1, tok1)}, false},
		{"dotnet applicationSettings", "<setting name=\"TwilioAccountSid\" serializeAs=\"String\">\n  <value>{SID}</value>\n</setting>\n<setting name=\"TwilioAuthToken\" serializeAs=\"String\">\n  <value>{TOK}</value>\n</setting>\n", []want{authTok(sid1, tok1)}, false},
		{"dotnet add of another name", "<add key=\"TwilioAccountSid\" value=\"{SID}\"/>\n<add key=\"BuildChecksum\" value=\"{TOK3}\"/>\n", []want{bare(sid1)}, false},
		{"dotnet another service's token", "<add key=\"TwilioAccountSid\" value=\"{SID}\"/>\n<add key=\"StripeAuthToken\" value=\"{TOK3}\"/>\n", []want{bare(sid1)}, false},
		{"dotnet value before a key of another name", "<add key=\"TwilioAccountSid\" value=\"{SID}\"/>\n<add value=\"{TOK3}\" key=\"CacheBuster\"/>\n", []want{bare(sid1)}, false},
		{"dotnet key of the element before does not name", "<add key=\"TwilioAccountSid\" value=\"{SID}\"/>\n<add key=\"TwilioAuthToken\"/><add value=\"{TOK3}\"/>\n", []want{bare(sid1)}, false},
		{"dotnet setting of another name", "<add key=\"TwilioAccountSid\" value=\"{SID}\"/>\n<setting name=\"ReportChecksum\" serializeAs=\"String\"><value>{TOK3}</value></setting>\n", []want{bare(sid1)}, false},
		{"yaml value on next line", "twilio:\n  account_sid:\n    {SID}\n  auth_token:\n    \"{TOK}\"\n", []want{authTok(sid1, tok1)}, false},
		{"yaml other key on line above", "account_sid: {SID}\nchecksum:\n  {MD5}\n", []want{bare(sid1)}, false},
		{"list item not a key", "sids:\n  - {SID}\n  - {TOK3}\n", []want{bare(sid1)}, false},
		// --- API keys ---
		{"api key dotenv", "TWILIO_ACCOUNT_SID={SID}\nTWILIO_API_KEY={SK}\nTWILIO_API_SECRET={SEC}\n", []want{apiKey(sid1, sk1, sec1)}, false},
		{"api key positional", `client = Client("{SK}", "{SEC}", "{SID}")`, []want{apiKey(sid1, sk1, sec1)}, false},
		{"api key node", "const client = twilio('{SK}', '{SEC}', { accountSid: '{SID}' });", []want{apiKey(sid1, sk1, sec1)}, false},
		{"api key curl", "curl -u {SK}:{SEC} https://api.twilio.com/2010-04-01/Accounts.json", []want{apiKey("", sk1, sec1)}, false},
		{"api key basic header", "Authorization: Basic " + basic(sk1, sec1), []want{apiKey("", sk1, sec1)}, false},
		{"api key yaml", "twilio:\n  api_key_sid: {SK}\n  api_key_secret: {SEC}\n", []want{apiKey("", sk1, sec1)}, false},
		{"api key and auth token", "TWILIO_ACCOUNT_SID={SID}\nTWILIO_AUTH_TOKEN={TOK}\nTWILIO_API_KEY={SK}\nTWILIO_API_SECRET={SEC}\n", []want{authTok(sid1, tok1), apiKey(sid1, sk1, sec1)}, false},
		{"api key without secret", "TWILIO_API_KEY={SK}\n", nil, false},
		// --- bare Account SIDs ---
		{"bare sid", "TWILIO_ACCOUNT_SID={SID}\n", []want{bare(sid1)}, false},
		{"sid with env token", "client = Client(\"{SID}\", os.environ[\"TWILIO_AUTH_TOKEN\"])\n", []want{bare(sid1)}, false},
		{"sid in url path", "GET /2010-04-01/Accounts/{SID}/Calls.json\n", []want{bare(sid1)}, false},
		{"sid repeated once", "{SID}\n{SID}\n{SID}\n", []want{bare(sid1)}, false},
		// --- SendGrid ---
		{"sendgrid", "SENDGRID_API_KEY={SG}\n", []want{{rule: RuleSendGrid, secret: sgKey}}, false},
		{"sendgrid in code", "sg = SendGridAPIClient('{SG}')", []want{{rule: RuleSendGrid, secret: sgKey}}, false},
		{"sendgrid short", "SG.aB3dE5fG7hI9jK1lM3nO5p.qR7sT9uV1wX3yZ5aB7cD9eF1gH3iJ5kL7mN9oP1qR3\n", nil, false},
		{"sendgrid long", "{SG}x\n", nil, false},
		{"sendgrid placeholder", "SENDGRID_API_KEY=SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", nil, false},
		// --- negatives: not credentials ---
		{"near miss key", "TWILIO_API_KEY={NEAR}\nTWILIO_API_SECRET={SEC}\n", nil, false},
		{"md5 beside sid", "account_sid = \"{SID}\"\nmd5 = \"{MD5}\"\n", []want{bare(sid1)}, false},
		{"uuid beside sid", "account_sid = \"{SID}\"\nrequest_id = \"{UUID}\"\n", []want{bare(sid1)}, false},
		{"git hash beside sid", "sid: {SID}\ncommit: {GIT}\n", []want{bare(sid1)}, false},
		{"etag header", "X-Twilio-Account: {SID}\nETag: \"{MD5}\"\n", []want{bare(sid1)}, false},
		{"checksum", "TWILIO_ACCOUNT_SID={SID}\nchecksum={MD5}\n", []want{bare(sid1)}, false},
		{"password hash", "TWILIO_ACCOUNT_SID={SID}\npassword_hash={TOK3}\n", []want{bare(sid1)}, false},
		{"other vendor token", "TWILIO_ACCOUNT_SID={SID}\nGITHUB_TOKEN={TOK3}\n", []want{bare(sid1)}, false},
		{"csrf token", "account_sid = '{SID}'\ncsrf_token = '{TOK3}'\n", []want{bare(sid1)}, false},
		{"session token", "account_sid = '{SID}'\nsession_token = '{TOK3}'\n", []want{bare(sid1)}, false},
		{"stripe section after", "twilio:\n  sid: {SID}\nstripe:\n  secret: {TOK3}\n", []want{bare(sid1)}, false},
		{"database section before", "database:\n  password: {TOK3}\ntwilio:\n  account_sid: {SID}\n", []want{bare(sid1)}, false},
		{"ini other section", "[twilio]\nsid={SID}\n[mailer]\npassword={TOK3}\n", []want{bare(sid1)}, false},
		{"stripe dict same line", "TWILIO_SID = '{SID}'\nSTRIPE = {'secret': '{TOK3}'}\n", []want{bare(sid1)}, false},
		{"api secret not auth token", "TWILIO_ACCOUNT_SID={SID}\nTWILIO_API_SECRET={TOK3}\n", []want{bare(sid1)}, false},
		{"md5 positional", "digest = md5sum(\"{SID}\", \"{MD5}\")\n", []want{bare(sid1)}, false},
		{"hex list no keys", "{SID}\n{MD5}\n{UUID}\n", []want{bare(sid1)}, false},
		{"generic key too far", "account_sid = '{SID}'\n" + strings.Repeat("x = 1\n", 20) + "token = '{TOK3}'\n", []want{bare(sid1)}, false},
		{"token without sid", "auth_token = \"{TOK}\"\n", nil, false},
		{"uppercase hex sid", "ACCOUNT_SID=AC1B3F0BDDBB6887D68D8454E66C749C6A\n", nil, false},
		{"sid glued to word", "XAC1b3f0bddbb6887d68d8454e66c749c6a\n", nil, false},
		{"sid too long", "{SID}0\n", nil, false},
		{"token too long", "account_sid='{SID}'\nauth_token='{TOK}0'\n", []want{bare(sid1)}, false},
		{"sk too long secret", "TWILIO_API_KEY={SK}\nTWILIO_API_SECRET={SEC}Z\n", nil, false},
		{"nearest sid wins", "SID_A={SID}\nSID_B={SID2}\nTOKEN_B={TOK2}\n", []want{bare(sid1), authTok(sid2, tok2)}, false},
		{"structural beats keyed", "client = Client(\"{SID}\", \"{TOK}\")\nauth_token = \"{TOK3}\"\n", []want{authTok(sid1, tok1)}, false},
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
		// --- allow comments ---
		{"allow on token line", "account_sid = \"{SID}\"\nauth_token = \"{TOK}\"  # atoguard:allow\n", nil, false},
		{"allow on sid line", "account_sid = \"{SID}\"  // atoguard:allow\nauth_token = \"{TOK}\"\n", nil, false},
		{"allow bare sid", "TWILIO_ACCOUNT_SID={SID} # atoguard:allow\n", nil, false},
		{"allow elsewhere does not count", "# atoguard:allow\naccount_sid = \"{SID}\"\nauth_token = \"{TOK}\"\n", []want{authTok(sid1, tok1)}, false},
	}
}

func gotWants(fs []atoguard.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, want{f.Rule, f.AccountSID, f.KeySID, f.Secret.Reveal(), f.Placeholder}.String())
	}
	slices.Sort(out)
	return out
}

func TestDetectTable(t *testing.T) {
	cases := detectCases()
	if len(cases) < 60 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := expand(tc.in)
			s := New(Options{IncludePlaceholders: tc.ph})
			fs := s.ScanBytes("case.txt", []byte(in))
			var ws []string
			for _, w := range tc.want {
				ws = append(ws, w.String())
			}
			slices.Sort(ws)
			got := gotWants(fs)
			if !slices.Equal(got, ws) {
				t.Errorf("input:\n%s\ngot:\n  %s\nwant:\n  %s", in, strings.Join(got, "\n  "), strings.Join(ws, "\n  "))
			}
			for _, f := range fs {
				if f.Line < 1 || f.Column < 1 || f.Verification != atoguard.Unverified || f.Fingerprint == "" {
					t.Errorf("bad finding fields: %+v", f)
				}
			}
		})
	}
}

func TestSeverityMatchesRules(t *testing.T) {
	for _, r := range Rules() {
		if severity(r.ID) != r.Severity {
			t.Errorf("%s: severity %s, Rules says %s", r.ID, severity(r.ID), r.Severity)
		}
		if got, ok := RuleByID(r.ID); !ok || got.Help == "" || got.HelpURI == "" {
			t.Errorf("%s: incomplete rule %+v", r.ID, got)
		}
	}
	if _, ok := RuleByID("nope"); ok {
		t.Error("RuleByID found an unknown rule")
	}
}

// TestDetectTableCRLF: Windows line endings change nothing.
func TestDetectTableCRLF(t *testing.T) {
	for _, tc := range detectCases() {
		if !strings.Contains(tc.in, "\n") || strings.Contains(tc.in, `\n`) {
			continue // single-line or JSON-escaped newlines
		}
		in := strings.ReplaceAll(expand(tc.in), "\n", "\r\n")
		var ws []string
		for _, w := range tc.want {
			ws = append(ws, w.String())
		}
		slices.Sort(ws)
		got := gotWants(New(Options{IncludePlaceholders: tc.ph}).ScanBytes("crlf.txt", []byte(in)))
		if !slices.Equal(got, ws) {
			t.Errorf("%s with CRLF:\ngot:\n  %s\nwant:\n  %s", tc.name, strings.Join(got, "\n  "), strings.Join(ws, "\n  "))
		}
	}
}

// TestFarPairChunks: a lone SID's far token is paired, and a second SID
// within twice the far radius prevents it, wherever the read boundaries fall.
func TestFarPairChunks(t *testing.T) {
	const chunk = 4096
	far := strings.Repeat("LOG_LEVEL=info  # verbosity of the worker logs\n", 100)
	pair := expand("TWILIO_ACCOUNT_SID={SID}\n" + far + "TWILIO_AUTH_TOKEN={TOK}\n")
	second := expand("OTHER_ACCOUNT_SID={SID2}\n")
	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"lone", pair, []string{authTok(sid1, tok1).String()}},
		{"second SID 10 KiB later", pair + filler(10<<10) + second, []string{bare(sid1).String(), bare(sid2).String()}},
	} {
		for _, off := range []int{0, 100, chunk - 30, chunk + 5, 2*chunk - 2000, 3*chunk + windowMargin - 40} {
			content := filler(off) + tc.body + filler(3*chunk)
			res, err := New(Options{ChunkSize: chunk, Concurrency: 1}).Scan(context.Background(), items{textItem("f.env", content)})
			if err != nil {
				t.Fatal(err)
			}
			whole := gotWants(New(Options{}).ScanBytes("f.env", []byte(content)))
			if got := gotWants(res.Findings); !slices.Equal(got, tc.want) || !slices.Equal(whole, tc.want) {
				t.Errorf("%s at offset %d: chunked %v, whole %v, want %v", tc.name, off, got, whole, tc.want)
			}
		}
	}
}
