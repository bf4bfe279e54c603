package scenario

import (
	"testing"
)

// LargeOptions is the benchmark world: about 1 M messages across 20
// subaccounts over 37 days.
func largeOptions(seed int64) Options {
	return Options{Seed: seed, Now: testNow, Subaccounts: 20, MessagesPerDay: 31_000, Days: 37}
}

func countMessages(w *World) (msgs, calls int) {
	for _, a := range w.Accounts {
		msgs += len(a.Messages)
		calls += len(a.Calls)
	}
	return msgs, calls
}

func BenchmarkBuildDefault(b *testing.B) {
	var msgs int
	for b.Loop() {
		w, err := BuildWith("full-takeover", Options{Seed: 1, Now: testNow})
		if err != nil {
			b.Fatal(err)
		}
		msgs, _ = countMessages(w)
	}
	b.ReportMetric(float64(msgs), "messages")
}

func BenchmarkBuildLarge(b *testing.B) {
	var msgs, calls int
	for b.Loop() {
		w, err := BuildWith("full-takeover", largeOptions(1))
		if err != nil {
			b.Fatal(err)
		}
		msgs, calls = countMessages(w)
	}
	b.ReportMetric(float64(msgs), "messages")
	b.ReportMetric(float64(calls), "calls")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(msgs), "ns/message")
}
