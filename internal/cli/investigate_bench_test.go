package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/atoguard/atoguard/internal/testsupport"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/detect"
	"github.com/atoguard/atoguard/detect/phish"
	"github.com/atoguard/atoguard/investigate"
	"github.com/atoguard/atoguard/twilio"
	"github.com/atoguard/atoguard/twilio/emulator"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

// BenchmarkInvestigateEmulated compares a full investigation (collect every
// resource of 21 accounts, detect, verdict) with the bare paging requests
// for the same messages, calls and usage (raw HTTP, bodies discarded) and
// with the client paging alone (decoded, discarded). The acceptance figure
// is investigate/raw ≤ 2. ATOGUARD_BENCH_SCALE shrinks the world (default 1
// = about 1 M messages across 20 subaccounts).
func BenchmarkInvestigateEmulated(b *testing.B) {
	scale := 1.0
	if s := os.Getenv("ATOGUARD_BENCH_SCALE"); s != "" {
		if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 {
			scale = f
		}
	}
	w, err := scenario.BuildWith("full-takeover", scenario.Options{Seed: 1, Now: investigateNow, Subaccounts: 20,
		MessagesPerDay: int(31_000 * scale), Days: 37})
	if err != nil {
		b.Fatal(err)
	}
	msgs := 0
	var main scenario.Account
	var sids []string
	for _, a := range w.Accounts {
		msgs += len(a.Messages)
		sids = append(sids, a.SID)
		if !a.IsSubaccount() {
			main = a
		}
	}
	emu, err := emulator.New(emulator.Options{World: w, Clock: emulator.NewFrozenClock(investigateNow)})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	w = nil // let the generator's copy go; the emulator holds its own state
	cred := atoguard.Credential{AccountSID: main.SID, Secret: atoguard.NewSecret(main.AuthToken)}
	// The client's default 100 requests/s per account would make the limiter,
	// not the work, the measure; the raw pager has no limiter either.
	client, err := twilio.New(twilio.Options{BaseURL: srv.URL, Credential: cred, RPS: -1})
	if err != nil {
		b.Fatal(err)
	}
	until := investigateNow
	since := until.AddDate(0, 0, -7)
	base := since.AddDate(0, 0, -30)
	ctx := context.Background()
	const concurrency = 4

	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	raw := func() int {
		var mu sync.Mutex
		pages := 0
		forAccounts(sids, concurrency, func(sid string) {
			for _, res := range []string{"Messages", "Calls", "Usage/Records/Daily"} {
				q := url.Values{"PageSize": {"1000"}}
				switch res {
				case "Messages":
					q.Set("DateSent>", base.Format(time.RFC3339))
					q.Set("DateSent<", until.Format(time.RFC3339))
				case "Calls":
					q.Set("StartTime>", base.Format(time.RFC3339))
					q.Set("StartTime<", until.Format(time.RFC3339))
				default:
					q.Set("StartDate", base.Format(time.DateOnly))
					q.Set("EndDate", until.Format(time.DateOnly))
				}
				next := "/2010-04-01/Accounts/" + sid + "/" + res + ".json?" + q.Encode()
				for next != "" {
					n, err := rawPage(hc, srv.URL+"/api"+next, cred)
					if err != nil {
						b.Error(err)
						return
					}
					mu.Lock()
					pages++
					mu.Unlock()
					next = n
				}
			}
		})
		return pages
	}
	clientPaging := func() {
		forAccounts(sids, concurrency, func(sid string) {
			for _, err := range client.ListMessages(ctx, sid, twilio.MessageFilter{SentAfter: base, SentBefore: until}) {
				if err != nil {
					b.Error(err)
					return
				}
			}
			for _, err := range client.ListCalls(ctx, sid, twilio.CallFilter{StartedAfter: base, StartedBefore: until}) {
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	full := func() detect.Result {
		ds, err := investigate.Collect(ctx, twilioSource{client}, investigate.Options{Since: since, Until: until,
			BaselineSince: base, Concurrency: concurrency})
		if err != nil {
			b.Fatal(err)
		}
		return detect.Run(ds, detect.Options{Phisher: detect.NewPhisher(phish.New(phish.Options{}))})
	}

	var tRaw, tClient, tFull, cRaw, cClient, cFull time.Duration
	pages := 0
	var verdict atoguard.Verdict
	b.ResetTimer()
	only := os.Getenv("ATOGUARD_BENCH_ONLY") // "investigate": skip the paging baselines (profiling)
	for b.Loop() {
		t0, c0 := time.Now(), testsupport.CPUTime()
		if only == "" {
			pages = raw()
		}
		t1, c1 := time.Now(), testsupport.CPUTime()
		if only == "" {
			clientPaging()
		}
		t2, c2 := time.Now(), testsupport.CPUTime()
		verdict = full().Verdict
		t3, c3 := time.Now(), testsupport.CPUTime()
		tRaw += t1.Sub(t0)
		tClient += t2.Sub(t1)
		tFull += t3.Sub(t2)
		cRaw += c1 - c0
		cClient += c2 - c1
		cFull += c3 - c2
	}
	n := float64(b.N)
	b.ReportMetric(float64(msgs), "messages")
	b.ReportMetric(float64(pages), "raw-pages")
	b.ReportMetric(tRaw.Seconds()/n, "raw-paging-s")
	b.ReportMetric(tClient.Seconds()/n, "client-paging-s")
	b.ReportMetric(tFull.Seconds()/n, "investigate-s")
	b.ReportMetric(tFull.Seconds()/tRaw.Seconds(), "investigate/raw")
	b.ReportMetric(tFull.Seconds()/tClient.Seconds(), "investigate/client")
	// CPU time (emulator, client and detection all run in this process): on
	// a shared machine wall-clock ratios swing with other load.
	b.ReportMetric(cFull.Seconds()/cRaw.Seconds(), "cpu-investigate/raw")
	b.ReportMetric(cFull.Seconds()/cClient.Seconds(), "cpu-investigate/client")
	if verdict != atoguard.VerdictCompromised {
		b.Errorf("verdict %s on the full-takeover world", verdict)
	}
}

func forAccounts(sids []string, n int, f func(string)) {
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for _, sid := range sids {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			f(sid)
		})
	}
	wg.Wait()
}

// rawPage fetches one page and returns next_page_uri. The body is read
// whole (a pager must), but only the paging field is located: no JSON
// decoding at all, the cheapest possible pager.
func rawPage(hc *http.Client, u string, cred atoguard.Credential) (string, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	req.SetBasicAuth(cred.Username(), cred.Secret.Reveal())
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", atoguard.Errorf(atoguard.EUNAVAILABLE, "bench", "%s: %d %s", u, resp.StatusCode, body)
	}
	i := bytes.LastIndex(body, []byte(`"next_page_uri"`))
	if i < 0 {
		return "", atoguard.Errorf(atoguard.EUNAVAILABLE, "bench", "%s: no next_page_uri", u)
	}
	rest := bytes.TrimLeft(body[i+len(`"next_page_uri"`):], " :")
	if bytes.HasPrefix(rest, []byte("null")) {
		return "", nil
	}
	var next string
	dec := json.NewDecoder(bytes.NewReader(rest))
	if err := dec.Decode(&next); err != nil {
		return "", err
	}
	return next, nil
}
