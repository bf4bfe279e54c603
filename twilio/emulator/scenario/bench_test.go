package scenario

import (
	"github.com/atoguard/atoguard/internal/testsupport"
	"runtime"
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
	cpu0 := testsupport.CPUTime()
	for b.Loop() {
		w, err := BuildWith("full-takeover", Options{Seed: 1, Now: testNow})
		if err != nil {
			b.Fatal(err)
		}
		msgs, _ = countMessages(w)
	}
	b.ReportMetric(float64(msgs), "messages")
	b.ReportMetric(float64((testsupport.CPUTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
}

func BenchmarkBuildLarge(b *testing.B) {
	var msgs, calls int
	cpu0 := testsupport.CPUTime()
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
	b.ReportMetric(float64((testsupport.CPUTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// BenchmarkLargeWorldHeap reports the live heap the 1 M-message world holds
// (what a loaded world costs before the emulator indexes it).
func BenchmarkLargeWorldHeap(b *testing.B) {
	var before, after runtime.MemStats
	var msgs int
	for b.Loop() {
		runtime.GC()
		runtime.ReadMemStats(&before)
		w, err := BuildWith("baseline", largeOptions(1))
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		msgs, _ = countMessages(w)
		runtime.KeepAlive(w)
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(msgs), "live-B/message")
}
