package audit

import (
	"bytes"
	"strings"
	"testing"
)

// TestTextEscapesTwilioText: webhook URLs and key names come from Twilio and
// may be the attacker's: the text shows their escapes and obeys none.
func TestTextEscapesTwilioText(t *testing.T) {
	m := clean(mainSID, mainSID)
	m.Config.PhoneNumbers[0].Webhooks["voice_url"] = "http://10.0.0.1/\u202egpj.exe"
	m.Config.APIKeys[0].FriendlyName = "ci\u2066key\u2069"
	m.Config.APIKeys[0].DateCreated = now.AddDate(-1, 0, 0)
	res := Run([]Account{m}, Options{Now: now})
	var text bytes.Buffer
	if err := WriteText(&text, res, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	if strings.ContainsAny(out, "\x1b\u202e\u2066\u2069") {
		t.Errorf("raw control or bidi character in:\n%q", out)
	}
	for _, want := range []string{`http://10.0.0.1/\u202egpj.exe`, `ci\u2066key\u2069`} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
}
