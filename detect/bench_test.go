package detect

import (
	"fmt"
	"github.com/atoguard/atoguard/internal/testsupport"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/detect/phish"
)

// benchDataset generates n outbound messages over the 37 days of a
// dataset, spread over accounts, to ordinary destinations, with a share of
// bodies carrying links (tracking codes make many bodies unique).
func benchDataset(n, accounts int) *Dataset {
	rng := rand.New(rand.NewPCG(7, 7))
	ds := &Dataset{Since: testNow.Add(-7 * 24 * time.Hour), Until: testNow, BaselineSince: testNow.Add(-37 * 24 * time.Hour)}
	span := ds.Until.Sub(ds.BaselineSince)
	prefixes := []string{"+1415", "+1212", "+1646", "+44740", "+49151", "+33612", "+52155", "+61412"}
	bodies := []string{
		"Your verification code is %d",
		"Reminder: your appointment is tomorrow at %d:00. Reply C to confirm.",
		"Your order %d has shipped. Track it at https://shop.example-store.com/t/%d",
		"Hi! Your table for %d is confirmed.",
		"Flash sale: 20%% off today only https://example-store.com/s?c=%d",
	}
	for i := range accounts {
		sid := fmt.Sprintf("AC%032x", i+1)
		owner := fmt.Sprintf("AC%032x", 1)
		ds.Accounts = append(ds.Accounts, AccountData{Account: atoguard.Account{SID: sid, OwnerSID: owner, DateCreated: testNow.AddDate(-1, 0, 0)}})
	}
	for i := range n {
		a := &ds.Accounts[i%accounts]
		at := ds.BaselineSince.Add(time.Duration(rng.Int64N(int64(span))))
		p := prefixes[rng.IntN(len(prefixes))]
		to := p + fmt.Sprintf("%0*d", 12-len(p)+1, rng.Int64N(10_000_000))
		body := fmt.Sprintf(bodies[rng.IntN(len(bodies))], rng.IntN(100000), rng.IntN(100000))
		status := "delivered"
		if rng.IntN(50) == 0 {
			status = "undelivered"
		}
		a.Messages = append(a.Messages, atoguard.Message{SID: fmt.Sprintf("SM%032x", i), AccountSID: a.Account.SID, From: "+14155550100", To: to,
			Body: body, Direction: "outbound-api", Status: status, NumSegments: 1, Price: 0.0079, DateSent: at, DateCreated: at})
	}
	return ds
}

// BenchmarkDetect measures every detector over a generated dataset on one
// goroutine; the figure that matters is msgs/s.
func BenchmarkDetect(b *testing.B) {
	const n = 200_000
	ds := benchDataset(n, 4)
	opts := Options{Phisher: NewPhisher(phish.New(phish.Options{}))}
	Run(ds, opts) // warm the phone-number metadata
	cpu0 := testsupport.CPUTime()
	for b.Loop() {
		Run(ds, opts)
	}
	reportRates(b, n, cpu0)
}

// BenchmarkDetectNoLinks is the same without URL analysis work (OTP-style
// traffic): the floor set by bucketing and number classification.
func BenchmarkDetectNoLinks(b *testing.B) {
	const n = 200_000
	ds := benchDataset(n, 4)
	for i := range ds.Accounts {
		for j := range ds.Accounts[i].Messages {
			ds.Accounts[i].Messages[j].Body = "Your verification code is 123456"
		}
	}
	opts := Options{Phisher: NewPhisher(phish.New(phish.Options{}))}
	Run(ds, opts)
	cpu0 := testsupport.CPUTime()
	for b.Loop() {
		Run(ds, opts)
	}
	reportRates(b, n, cpu0)
}

func BenchmarkClassify(b *testing.B) {
	n := NewNumbers()
	nums := make([]string, 4096)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range nums {
		nums[i] = fmt.Sprintf("+1415%07d", rng.IntN(10_000_000))
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		n.Classify(nums[i&4095])
	}
}

func reportRates(b *testing.B, n int, cpu0 time.Duration) {
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	if cpu := testsupport.CPUTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(n)*float64(b.N)/cpu.Seconds(), "msgs/cpu-s")
	}
}
