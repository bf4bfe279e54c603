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

// detectCases are every rule's cases, kept beside each rule as gitleaks
// keeps its rules' true and false positives (rule_*_test.go).
func detectCases() []detectCase {
	return slices.Concat(authTokenCases(), apiKeyCases(), accountSIDCases(), sendGridCases(), loneTokenCases(), issue18Cases())
}

// fill is n lines of unrelated settings (47 bytes each): 100 of them put
// a token beyond pairRadius and maxStrongLines from its SID.
func fill(n int) string { return strings.Repeat("LOG_LEVEL=info  # verbosity of the worker logs\n", n) }

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
