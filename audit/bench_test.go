package audit

import (
	"fmt"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
)

// BenchmarkDestinations: learning the expected countries from a month of
// traffic (100k outbound messages, 10k calls) is the audit's only bulk work.
func BenchmarkDestinations(b *testing.B) {
	prefixes := []string{"+1415555", "+4477009", "+3361234", "+4915112", "+6141234"}
	msgs := make([]atoguard.Message, 100_000)
	for i := range msgs {
		msgs[i] = atoguard.Message{To: fmt.Sprintf("%s%04d", prefixes[i%len(prefixes)], i%10000), Direction: "outbound-api",
			DateSent: now.Add(-time.Duration(i%(30*24)) * time.Hour)}
	}
	calls := make([]atoguard.Call, 10_000)
	for i := range calls {
		calls[i] = atoguard.Call{To: fmt.Sprintf("%s%04d", prefixes[i%len(prefixes)], i), Direction: "outbound-api", StartTime: now.Add(-time.Duration(i%700) * time.Hour)}
	}
	since := now.AddDate(0, 0, -30)
	b.ReportAllocs()
	for b.Loop() {
		Destinations(msgs, calls, since)
	}
	b.ReportMetric(float64(len(msgs)+len(calls))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkRun audits a large family: 50 accounts with 200 numbers each.
func BenchmarkRun(b *testing.B) {
	var accounts []Account
	for i := range 50 {
		owner := mainSID
		sid := fmt.Sprintf("AC%032d", i+1)
		if i == 0 {
			sid = mainSID
		}
		a := clean(sid, owner)
		for k := range 200 {
			a.Config.PhoneNumbers = append(a.Config.PhoneNumbers, atoguard.PhoneNumber{SID: fmt.Sprintf("PN%032d", k),
				PhoneNumber: fmt.Sprintf("+1415556%04d", k),
				Webhooks: atoguard.Webhooks{"voice_url": "https://api.example.com/v", "sms_url": "https://api.example.com/s",
					"status_callback": fmt.Sprintf("https://h%d.ngrok.io/x", k%3)}})
		}
		accounts = append(accounts, a)
	}
	b.ReportAllocs()
	for b.Loop() {
		Run(accounts, Options{Now: now})
	}
}
