package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestNumericFlagsRejected: NaN, infinities and out-of-range numbers are
// usage errors naming the flag and the valid range. Before, NaN passed every
// bound check (--threshold NaN then flagged nothing) and --concurrency 0 or
// -1 and --min-hourly-volume -1 were taken as given.
func TestNumericFlagsRejected(t *testing.T) {
	env := map[string]string{"TWILIO_ACCOUNT_SID": "AC" + strings.Repeat("1", 32), "TWILIO_AUTH_TOKEN": strings.Repeat("2", 32),
		"ATOGUARD_TWILIO_API_URL": "http://127.0.0.1:9"}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"check-message", "--threshold", "NaN", "hello"}, "--threshold NaN: want a number greater than 0 and at most 1"},
		{[]string{"check-message", "--threshold", "+Inf", "hello"}, "--threshold +Inf"},
		{[]string{"check-message", "--threshold", "0", "hello"}, "--threshold 0"},
		{[]string{"investigate", "--min-daily-volume", "NaN"}, "--min-daily-volume NaN: want a number from 0"},
		{[]string{"investigate", "--min-hourly-volume", "-1"}, "--min-hourly-volume -1: want a number from 0"},
		{[]string{"investigate", "--min-hourly-volume", "Inf"}, "--min-hourly-volume +Inf"},
		{[]string{"investigate", "--concurrency", "0"}, "--concurrency 0: want a whole number from 1 to 100"},
		{[]string{"investigate", "--concurrency", "-1"}, "--concurrency -1: want a whole number from 1 to 100"},
		{[]string{"investigate", "--since", "NaNd"}, "--since"},
		{[]string{"audit", "--concurrency", "0"}, "--concurrency 0: want a whole number from 1 to 100"},
		{[]string{"audit", "--min-days", "0"}, "--min-days 0: want a whole number from 1 to 400"},
		{[]string{"audit", "--max-keys", "-1"}, "--max-keys -1: want a whole number from 0"},
		{[]string{"respond", "plan", "--concurrency", "-1"}, "--concurrency -1: want a whole number from 1 to 100"},
		{[]string{"respond", "plan", "--daily-limit", "sms=NaN"}, "--daily-limit \"sms=NaN\""},
		{[]string{"respond", "plan", "--timeout", "-1s"}, "--timeout -1s: want a duration greater than 0"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := Run(context.Background(), c.args, IO{Out: &out, Err: &errb, Now: time.Now, Getenv: func(k string) string { return env[k] }})
			if code != ExitError || !strings.Contains(errb.String(), c.want) {
				t.Fatalf("exit %d, stderr %q, want %q", code, errb.String(), c.want)
			}
		})
	}
}
