package cli

import (
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/twilio/emulator"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

// TestScanVerifyAgainstEmulator verifies the bundled example's credentials
// against the Twilio emulator over real HTTP: the emulator knows the main
// account's token and the subaccount's key; the subaccount's token was rotated.
func TestScanVerifyAgainstEmulator(t *testing.T) {
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	acc := func(sid, owner, name, token string) scenario.Account {
		return scenario.Account{Account: atoguard.Account{SID: sid, OwnerSID: owner, FriendlyName: name,
			Status: "active", Type: "Full", DateCreated: now.AddDate(-1, 0, 0)}, AuthToken: token}
	}
	main := acc("AC1b3f0bddbb6887d68d8454e66c749c6a", "AC1b3f0bddbb6887d68d8454e66c749c6a", "Acme Prod", "daf7b3d34b9787f1212316eea62ba186")
	sub := acc("AC598fdd1a56846658f660652ed4810395", main.SID, "Acme Notifications", "0123456789abcdef0123456789abcdef")
	sub.Keys = []scenario.Key{{SID: "SK1fe059e17c773de4c071a57f9f975873", FriendlyName: "orders", Secret: "4BDNaWxPP5naXdt54Fb4KwAWkfNohej8",
		Type: "standard", DateCreated: now.AddDate(0, -1, 0)}}
	emu, err := emulator.New(emulator.Options{World: &scenario.World{Name: "leaky", Now: now, Accounts: []scenario.Account{main, sub}},
		Clock: emulator.NewFrozenClock(now)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()

	code, out, stderr := cli{}.run(t, "scan", "--json", "--verify", "--twilio-api-url", srv.URL, filepath.Join("..", "..", "examples", "leaky-repo"))
	if code != ExitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Findings []struct{ Rule, Path, Verification string } `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range rep.Findings {
		rel, _ := filepath.Rel(filepath.Join("..", "..", "examples", "leaky-repo"), f.Path)
		got[filepath.ToSlash(rel)] = f.Verification
	}
	want := map[string]string{
		"config/.env":                      atoguard.Live,    // main account token
		"deploy/send-sms.sh":               atoguard.Live,    // the same credential, verified once
		"app/notify.py":                    atoguard.Revoked, // the subaccount token was rotated
		"backups/config-2024.zip!prod.env": atoguard.Revoked,
		"config/settings.json":             atoguard.Live, // standard key of the subaccount
		"mailer/mailer.yaml":               atoguard.Unverified,
		"app/status.go":                    atoguard.Unverified, // a bare SID is not a credential
	}
	for path, w := range want {
		if got[path] != w {
			t.Errorf("%s: %q, want %q", path, got[path], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("findings %v", got)
	}
}
