package oaitest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var cache Cache

func TestMain(m *testing.M) { os.Exit(m.Run()) }

func TestFindRoutes(t *testing.T) {
	r := cache.Load(t)
	tests := []struct {
		method, url string
		want        string
	}{
		{"GET", "https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000001.json", "api GET /2010-04-01/Accounts/{Sid}.json"},
		{"GET", "http://127.0.0.1:9/api/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages.json", "api GET /2010-04-01/Accounts/{AccountSid}/Messages.json"},
		{"GET", "http://127.0.0.1:9/api/2010-04-01/Accounts/AC00000000000000000000000000000001/Usage/Records/Daily.json", "api GET /2010-04-01/Accounts/{AccountSid}/Usage/Records/Daily.json"},
		{"POST", "http://127.0.0.1:9/accounts/v1/AuthTokens/Promote", "accounts POST /v1/AuthTokens/Promote"},
		{"GET", "https://monitor.twilio.com/v1/Events", "monitor GET /v1/Events"},
		{"DELETE", "http://localhost/iam/v1/Keys/SK00000000000000000000000000000001", "iam DELETE /v1/Keys/{Sid}"},
	}
	for _, tc := range tests {
		req := httptest.NewRequest(tc.method, tc.url, nil)
		_, _, op, err := r.Find(req)
		if err != nil {
			t.Errorf("%s %s: %v", tc.method, tc.url, err)
			continue
		}
		if op.String() != tc.want {
			t.Errorf("%s %s: got %s, want %s", tc.method, tc.url, op, tc.want)
		}
	}
	for _, bad := range []string{"http://127.0.0.1/nope/v1/X", "https://api.twilio.com/2010-04-01/Nope.json"} {
		if _, _, _, err := r.Find(httptest.NewRequest("GET", bad, nil)); err == nil {
			t.Errorf("%s: matched, want error", bad)
		}
	}
}

func TestCheckRequestAndResponse(t *testing.T) {
	r := cache.Load(t)
	form := url.Values{"FriendlyName": {"sub"}}
	req := httptest.NewRequest("POST", "http://x/api/2010-04-01/Accounts.json", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if _, err := r.CheckRequest(req); err != nil {
		t.Fatalf("valid create-account request rejected: %v", err)
	}
	// The body must still be readable after validation.
	if err := req.ParseForm(); err != nil || req.PostForm.Get("FriendlyName") != "sub" {
		t.Fatalf("body not restored: %v %v", err, req.PostForm)
	}

	bad := httptest.NewRequest("GET", "http://x/monitor/v1/Events?PageSize=5000", nil)
	if _, err := r.CheckRequest(bad); err == nil {
		t.Error("PageSize=5000 accepted, want a validation error")
	}

	get := httptest.NewRequest("POST", "http://x/accounts/v1/AuthTokens/Promote", nil)
	good := `{"account_sid":"AC00000000000000000000000000000001","auth_token":"x","date_created":"2024-01-01T00:00:00Z","date_updated":"2024-01-01T00:00:00Z","url":"https://accounts.twilio.com/v1/AuthTokens"}`
	if _, err := r.CheckResponse(get, 200, http.Header{"Content-Type": {"application/json"}}, []byte(good)); err != nil {
		t.Errorf("valid promote response rejected: %v", err)
	}
	if _, err := r.CheckResponse(get, 200, http.Header{"Content-Type": {"application/json"}}, []byte(`{"account_sid":5}`)); err == nil {
		t.Error("wrong type accepted")
	}
	if _, err := r.CheckResponse(get, 299, http.Header{"Content-Type": {"application/json"}}, []byte(good)); err == nil {
		t.Error("undocumented status accepted")
	}
	errBody := `{"code":20404,"message":"not found","more_info":"https://www.twilio.com/docs/errors/20404","status":404}`
	if _, err := r.CheckResponse(get, 404, nil, []byte(errBody)); err != nil {
		t.Errorf("Twilio error body rejected: %v", err)
	}
	if _, err := r.CheckResponse(get, 404, nil, []byte(`not json`)); err == nil {
		t.Error("non-JSON error accepted")
	}
}

// Every example the specs give for the operations atoguard uses must pass
// the validator, or the validator (or an example) is wrong.
func TestExamplesValidate(t *testing.T) {
	r := cache.Load(t)
	checked, failed := 0, 0
	for _, p := range Products() {
		for _, op := range r.Operations(p) {
			u := "http://x/" + p + paramRE.ReplaceAllString(op.Path, "AC00000000000000000000000000000001")
			req := httptest.NewRequest(op.Method, u, nil)
			status, body, valid, ok := r.Example(req)
			if !ok {
				continue
			}
			checked++
			if valid {
				continue
			}
			if _, err := r.CheckResponse(req, status, http.Header{"Content-Type": {"application/json"}}, body); err != nil {
				failed++
				t.Logf("%s: %.300v", op, err)
			}
		}
	}
	t.Logf("%d examples checked, %d failed", checked, failed)
	// A few published examples contradict their own schema ("" for a
	// nullable 34-character SID, "0" for a number); many more would mean the
	// validator is stricter than the specs.
	if failed > checked/10 {
		t.Errorf("%d of %d examples fail validation", failed, checked)
	}
	if checked < 100 {
		t.Errorf("only %d examples found", checked)
	}
}

func TestMissingSpecsClearError(t *testing.T) {
	t.Setenv(EnvDir, t.TempDir())
	_, err := LoadRouter()
	if err == nil || !strings.Contains(err.Error(), EnvDir) || !strings.Contains(err.Error(), "has no twilio_") {
		t.Fatalf("got %v, want an error naming the override and the missing spec", err)
	}
}

// The override reads plain JSON specs from a directory, so newer specs can be
// tried without touching the embedded copy.
func TestSpecOverride(t *testing.T) {
	dir := t.TempDir()
	for _, name := range Products() {
		data, err := specData(specFile(name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, specFile(name)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(EnvDir, dir)
	r, err := LoadRouter()
	if err != nil {
		t.Fatalf("override with every spec present: %v", err)
	}
	if len(r.products) != len(Products()) {
		t.Fatalf("loaded %d products, want %d", len(r.products), len(Products()))
	}
}
