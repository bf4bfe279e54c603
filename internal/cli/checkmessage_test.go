package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckMessage(t *testing.T) {
	tests := []struct {
		name     string
		stdin    string
		args     []string
		code     int
		contains []string
	}{
		{"phishing text", "", []string{"check-message", "Your PayPal account is limited: paypal-secure-login.com/verify"}, 1,
			[]string{"PHISHING", "paypal-secure-login.com", "brand PayPal", "brand-in-domain:paypal"}},
		{"official domain", "", []string{"check-message", "PayPal: verify your account at https://www.paypal.com/signin"}, 0,
			[]string{"ok", "brand PayPal", "official-domain"}},
		{"no link", "", []string{"check-message", "Your code is 123456"}, 0, []string{"ok", "score 0.00"}},
		{"stdin lines", "hi\n\nhxxps://secure-paypal[.]com/login\r\nwww.google.com\n", []string{"check-message", "-"}, 1,
			[]string{"ok       score 0.00  hi", "PHISHING", "obfuscated", "official-domain"}},
		{"stdin no arg", "paypa1.com/login", []string{"check-message"}, 1, []string{"lookalike-characters:paypal"}},
		{"rtl escaped", "", []string{"check-message", "\u202epaypal-login.com"}, 1, []string{`\u202e`}},
		{"controls and isolates escaped", "", []string{"check-message", "code 1234\x1b[2J\r\u2066now\u2069"}, 0, []string{`code 1234\x1b[2J\r\u2066now\u2069`}},
		{"bad threshold", "", []string{"check-message", "--threshold", "2", "x"}, 2, nil},
		{"array without json", "x", []string{"check-message", "--array", "-"}, 2, nil},
		{"too many args", "", []string{"check-message", "a", "b"}, 2, nil},
		{"missing brands file", "", []string{"check-message", "--brands", "/nonexistent.json", "x"}, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := cli{stdin: tt.stdin}.run(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errs)
			}
			for _, c := range tt.contains {
				if !strings.Contains(out, c) {
					t.Errorf("output lacks %q:\n%s", c, out)
				}
			}
			if strings.ContainsRune(out, '\u202e') {
				t.Errorf("raw RTL override printed")
			}
		})
	}
}

type checkJSON struct {
	Text     string  `json:"text"`
	Phishing bool    `json:"phishing"`
	Score    float64 `json:"score"`
	URLs     []struct {
		URL               string   `json:"url"`
		Host              string   `json:"host"`
		RegistrableDomain string   `json:"registrable_domain"`
		Brand             string   `json:"brand"`
		Reasons           []string `json:"reasons"`
		Score             float64  `json:"score"`
	} `json:"urls"`
}

func TestCheckMessageJSON(t *testing.T) {
	code, out, _ := cli{}.run(t, "check-message", "--json", "https://paypal.com@evil.ru/login")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var r checkJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if !r.Phishing || len(r.URLs) != 1 || r.URLs[0].Host != "evil.ru" || r.URLs[0].RegistrableDomain != "evil.ru" ||
		r.URLs[0].Brand != "PayPal" || !strings.Contains(strings.Join(r.URLs[0].Reasons, ","), "userinfo-trick") {
		t.Errorf("unexpected %+v", r)
	}
	// Keys are the contract: check them by name.
	var raw map[string]any
	_ = json.Unmarshal([]byte(out), &raw)
	for _, k := range []string{"text", "phishing", "urls"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("missing key %q", k)
		}
	}
	u := raw["urls"].([]any)[0].(map[string]any)
	for _, k := range []string{"url", "host", "registrable_domain", "brand", "reasons", "score"} {
		if _, ok := u[k]; !ok {
			t.Errorf("missing url key %q", k)
		}
	}

	// JSON lines from stdin; urls is [] not null.
	code, out, _ = cli{stdin: "Your code is 1234\nwww.paypal.com\n"}.run(t, "check-message", "--json", "-")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"urls":[]`) {
		t.Fatalf("JSON lines: %q", out)
	}
	// One array.
	code, out, _ = cli{stdin: "a\npaypal-login.com\n\xff\xfe bad utf8 paypa1.com\n"}.run(t, "check-message", "--json", "--array", "-")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var arr []checkJSON
	if err := json.Unmarshal([]byte(out), &arr); err != nil || len(arr) != 3 || !arr[1].Phishing || !arr[2].Phishing {
		t.Fatalf("array: %v %s", err, out)
	}
	code, out, _ = cli{}.run(t, "check-message", "--json", "--array", "paypa1.com")
	if err := json.Unmarshal([]byte(out), &arr); code != 1 || err != nil || len(arr) != 1 {
		t.Errorf("array for one TEXT: %d %v %s", code, err, out)
	}
	code, out, _ = cli{}.run(t, "check-message", "--json", "--array", "-")
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("empty array: %d %q", code, out)
	}
}

func TestCheckMessageBrandsFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "brands.json")
	if err := os.WriteFile(path, []byte(`{"brands":[{"name":"Acme Bank","domains":["acmebank.com"],"tokens":["acmebank"]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ := cli{}.run(t, "check-message", "--brands", path, "Log in at acmebank-secure.com")
	if code != 1 || !strings.Contains(out, "brand Acme Bank") {
		t.Errorf("exit %d: %s", code, out)
	}
	code, _, _ = cli{}.run(t, "check-message", "--brands", path, "online.acmebank.com")
	if code != 0 {
		t.Errorf("own domain of added brand flagged")
	}
	if err := os.WriteFile(path, []byte(`{"brands":[{"name":"X"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs := cli{}.run(t, "check-message", "--brands", path, "x")
	if code != 2 || !strings.Contains(errs, "no domains") {
		t.Errorf("bad brand file: %d %s", code, errs)
	}
}
