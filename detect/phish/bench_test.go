package phish

import (
	"fmt"
	"github.com/atoguard/atoguard/internal/testsupport"
	"testing"
)

// mixedBodies builds n realistic bodies: most carry no link (codes, chat),
// some a legitimate link, a few phishing; codes and names vary per body so
// the per-body cache hits only where real traffic repeats itself.
func mixedBodies(n int) []string {
	names := []string{"John", "Mary", "Ana", "Wei", "Olu", "Priya", "Sam", "Lena"}
	out := make([]string, n)
	for i := range out {
		code := 100000 + (i*7919)%900000
		name := names[i%len(names)]
		switch i % 20 {
		case 0, 1, 2, 3, 4, 5, 6:
			out[i] = fmt.Sprintf("Your verification code is %d. Do not share it.", code)
		case 7, 8, 9:
			out[i] = fmt.Sprintf("Hi %s, your appointment is confirmed for %d:30 tomorrow. Reply STOP to opt out", name, 9+i%8)
		case 10, 11:
			out[i] = fmt.Sprintf("Hey %s, are we still on for lunch? Running %d min late", name, i%15)
		case 12:
			out[i] = fmt.Sprintf("Your order %d has shipped: https://www.ups.com/track?tracknum=1Z%d", code, code)
		case 13:
			out[i] = fmt.Sprintf("Hi %s, pay here: paypal.me/shop/%d", name, i%50)
		case 14:
			out[i] = fmt.Sprintf("Your table is ready. Menu: example-bistro.com/m/%d", i%100)
		case 15:
			out[i] = fmt.Sprintf("Acme: new login from %d.%d. Not you? acme.com/security", i%9, i%7)
		case 16:
			out[i] = fmt.Sprintf("USPS: your parcel %d is on hold. Update your address at usps-redeliver.top/%x", code, code)
		case 17:
			out[i] = fmt.Sprintf("PayPal: your account is limited. Verify at hxxps://paypal-secure[.]com/u/%d", code)
		case 18:
			out[i] = fmt.Sprintf("Netflix: payment failed %s, update at bit.ly/%x", name, code)
		default:
			out[i] = fmt.Sprintf("Dear %s, unusual activity on your Chase account: http://3232235777/c/%d", name, code)
		}
	}
	return out
}

func BenchmarkAnalyze(b *testing.B) {
	bodies := mixedBodies(100_000)
	for _, bc := range []struct {
		name  string
		cache int
	}{{"cache", 0}, {"nocache", -1}} {
		b.Run(bc.name, func(b *testing.B) {
			a := New(Options{CacheSize: bc.cache})
			b.ReportAllocs()
			i := 0
			cpu := testsupport.CPUTime().Seconds()
			for b.Loop() {
				_ = a.Analyze(bodies[i%len(bodies)])
				i++
			}
			reportRates(b, i, cpu)
		})
	}
}

// BenchmarkAnalyzeCampaign is the investigate case of one template sent to
// many recipients with per-recipient codes: the host cache carries it.
func BenchmarkAnalyzeCampaign(b *testing.B) {
	a := New(Options{CacheSize: -1})
	bodies := make([]string, 10_000)
	for i := range bodies {
		bodies[i] = fmt.Sprintf("USPS: your parcel %d is on hold. Update at usps-redeliver.top/%x", 9400100000+i, i*31)
	}
	b.ReportAllocs()
	i := 0
	cpu := testsupport.CPUTime().Seconds()
	for b.Loop() {
		_ = a.Analyze(bodies[i%len(bodies)])
		i++
	}
	reportRates(b, i, cpu)
}

// reportRates adds messages per wall-clock second and per CPU-second.
func reportRates(b *testing.B, n int, cpuStart float64) {
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
	if used := testsupport.CPUTime().Seconds() - cpuStart; used > 0 {
		b.ReportMetric(float64(n)/used, "msgs/cpu-s")
	}
}

func BenchmarkExtract(b *testing.B) {
	bodies := mixedBodies(10_000)
	i := 0
	cpu := testsupport.CPUTime().Seconds()
	for b.Loop() {
		_ = Extract(bodies[i%len(bodies)])
		i++
	}
	reportRates(b, i, cpu)
}

func BenchmarkTemplate(b *testing.B) {
	bodies := mixedBodies(10_000)
	i := 0
	cpu := testsupport.CPUTime().Seconds()
	for b.Loop() {
		_ = Template(bodies[i%len(bodies)])
		i++
	}
	reportRates(b, i, cpu)
}

// BenchmarkModel is the lexical model's cost for one host name (features
// and dot product), paid once per host: the verdict is cached with it.
func BenchmarkModel(b *testing.B) {
	m := DefaultModel()
	if m == nil {
		b.Skip("no model.bin")
	}
	labels := []string{"paypal-secure-login", "example-bistro", "usps-redeliver", "amazon-corp", "x7f3kq9z", "mychase-account"}
	feats := make([]uint32, 0, 64)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		feats = features(feats[:0], labels[i%len(labels)], "com", nil)
		_ = m.Prob(feats)
		i++
	}
}
