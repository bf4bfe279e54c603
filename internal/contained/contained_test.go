package contained

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/credstore"
	"github.com/atoguard/atoguard/twilio"
	"github.com/atoguard/atoguard/twilio/emulator"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

// TestUncontainedWorldFails: before any response the attacked world fails
// every check that apply must fix, so a passing demo or test means something.
func TestUncontainedWorldFails(t *testing.T) {
	w, err := scenario.BuildWith("full-takeover", scenario.Options{Seed: 2, Subaccounts: 2, MessagesPerDay: 10, Days: 35})
	if err != nil {
		t.Fatal(err)
	}
	e, err := emulator.New(emulator.Options{World: w, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	client, err := twilio.New(twilio.Options{BaseURL: srv.URL, BaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	exp := Expect{
		World: w, Store: &credstore.File{Path: filepath.Join(t.TempDir(), "creds.json")}, Allow: []string{"US"},
		Works: func(ctx context.Context, c atoguard.Credential) bool {
			_, err := client.As(c).FetchAccount(ctx, c.AccountSID)
			return err == nil
		},
		TriggerPrefix: "atoguard", TriggerCategories: []string{"totalprice", "sms", "calls"},
	}
	failed := map[string]Check{}
	for _, c := range Failed(Verify(context.Background(), e.State(), exp)) {
		failed[c.Name] = c
	}
	for _, name := range []string{"old tokens rejected (401)", "new tokens work and sit in the credential file",
		"API keys deleted", "daily usage triggers on totalprice, sms, calls"} {
		c, ok := failed[name]
		if !ok {
			t.Errorf("%q passed on an uncontained world", name)
			continue
		}
		if len(c.Problems) == 0 || !strings.HasPrefix(c.Problems[0], "AC") {
			t.Errorf("%q: problems %q do not name the account", name, c.Problems)
		}
	}
	if c := failed["old tokens rejected (401)"]; c.Note != "0 of 3 accounts" {
		t.Errorf("note = %q", c.Note)
	}
}
