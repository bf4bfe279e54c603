package twilio_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/twilio"
	"github.com/atoguard/atoguard/twilio/emulator"
)

// BenchmarkListMessagesEmulator lists 1,000,000 messages (100,000 with
// -short) from the emulator over real HTTP through the client at page size
// 1000: records/s end to end (emulator and client share the machine) and the
// share of wall time the client spent decoding and converting pages rather
// than waiting on HTTP.
func BenchmarkListMessagesEmulator(b *testing.B) {
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	emu, err := emulator.New(emulator.Options{World: emuWorld(0), Seed: 1, Clock: emulator.NewFrozenClock(emuNow)})
	if err != nil {
		b.Fatal(err)
	}
	const batch = 50_000
	msgs := make([]atoguard.Message, 0, batch)
	for i := 0; i < n; i++ {
		d := emuNow.Add(-time.Duration(i) * time.Second)
		msgs = append(msgs, atoguard.Message{SID: fmt.Sprintf("SM%032x", i+1), AccountSID: emuMain, From: "+15005550006",
			To: fmt.Sprintf("+4477009%05d", i%100000), Body: fmt.Sprintf("Your verification code is %06d", i%1000000),
			Direction: "outbound-api", Status: "delivered", NumSegments: 1, Price: 0.04, PriceUnit: "USD", DateCreated: d, DateSent: d})
		if len(msgs) == batch || i == n-1 {
			if err := emu.AppendMessages(emuMain, msgs); err != nil {
				b.Fatal(err)
			}
			msgs = msgs[:0]
		}
	}
	msgs = nil
	runtime.GC()
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	c, err := twilio.New(twilio.Options{BaseURL: srv.URL, RPS: -1,
		Credential: atoguard.Credential{AccountSID: emuMain, Secret: atoguard.NewSecret(emuMainTok)}})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu0 := twilio.ProcessCPU()
	records := 0
	var decode time.Duration
	for b.Loop() {
		got := 0
		for m, err := range twilio.ListMessagesTimed(c, context.Background(), emuMain, &decode) {
			if err != nil {
				b.Fatal(err)
			}
			if m.SID == "" {
				b.Fatal("empty SID")
			}
			got++
		}
		if got != n {
			b.Fatalf("listed %d of %d", got, n)
		}
		records += got
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(100*decode.Seconds()/b.Elapsed().Seconds(), "%decode")
	if cpu := twilio.ProcessCPU() - cpu0; cpu > 0 {
		// Emulator and client together, per CPU-second of the process.
		b.ReportMetric(float64(records)/cpu.Seconds(), "records/cpu-s")
	}
}
