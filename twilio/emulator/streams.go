package emulator

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// StreamOptions make Event Streams delivery behave like Twilio's: at least
// once, unordered, retried with backoff. The zero value delivers once,
// in order, with Twilio-like retries.
type StreamOptions struct {
	// BatchSize is the most events in one POST to a batch_events sink (default 100).
	BatchSize int
	// Duplicates is the share of POSTs delivered twice (0..1), Shuffle the
	// share of adjacent POSTs swapped (out-of-order delivery); both seeded.
	Duplicates, Shuffle float64
	// Attempts is how often a POST is tried before it is dropped (default 6);
	// Backoff the first wait between attempts, doubled each time (default 1s).
	Attempts int
	Backoff  time.Duration
	// Workers is how many POSTs run at once (default 4).
	Workers int
}

// StreamStats count what delivery did.
type StreamStats struct {
	Events     int `json:"events"`         // CloudEvents queued
	Posts      int `json:"posts"`          // POSTs queued (duplicates included)
	Duplicates int `json:"duplicates"`     // POSTs queued a second time
	Attempts   int `json:"attempts"`       // HTTP attempts
	Delivered  int `json:"delivered"`      // POSTs answered 2xx
	Dropped    int `json:"dropped"`        // POSTs given up after Attempts
	Pending    int `json:"pending"`        // POSTs not yet finished
	Retries    int `json:"retried_non2xx"` // attempts answered non-2xx or failed
}

type post struct {
	dest, token string
	body        []byte
}

// streamer queues and sends Event Streams POSTs in the background.
type streamer struct {
	o   StreamOptions
	rng *rand.Rand

	mu    sync.Mutex
	cond  *sync.Cond
	queue []post
	stats StreamStats
	once  sync.Once
}

func newStreamer(o StreamOptions, seed int64) *streamer {
	o.BatchSize = cmp.Or(o.BatchSize, 100)
	o.Attempts = cmp.Or(o.Attempts, 6)
	o.Backoff = cmp.Or(o.Backoff, time.Second)
	o.Workers = cmp.Or(o.Workers, 4)
	s := &streamer{o: o, rng: rand.New(rand.NewPCG(uint64(seed), 0x5e))}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// enqueue signs and queues POSTs of events to dest; seeded dice duplicate
// some and swap neighbours, as Twilio's at-least-once, unordered delivery does.
func (s *streamer) enqueue(dest, token string, batch bool, events []map[string]any) {
	s.once.Do(func() {
		for range s.o.Workers {
			go s.work()
		}
	})
	var posts []post
	size := 1
	if batch {
		size = s.o.BatchSize
	}
	for chunk := range slices.Chunk(events, size) {
		var v any = chunk[0]
		if batch {
			v = chunk
		}
		body, _ := json.Marshal(v)
		posts = append(posts, post{dest: dest, token: token, body: body})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []post
	for _, p := range posts {
		out = append(out, p)
		if s.o.Duplicates > 0 && s.rng.Float64() < s.o.Duplicates {
			out = append(out, p)
			s.stats.Duplicates++
		}
	}
	for i := 1; i < len(out); i++ {
		if s.o.Shuffle > 0 && s.rng.Float64() < s.o.Shuffle {
			out[i-1], out[i] = out[i], out[i-1]
		}
	}
	s.stats.Events += len(events)
	s.stats.Posts += len(out)
	s.stats.Pending += len(out)
	s.queue = append(s.queue, out...)
	s.cond.Broadcast()
}

func (s *streamer) work() {
	client := &http.Client{Timeout: 5 * time.Second} // Twilio waits 5 s for an answer
	for {
		s.mu.Lock()
		for len(s.queue) == 0 {
			s.cond.Wait()
		}
		p := s.queue[0]
		s.queue = s.queue[1:]
		s.mu.Unlock()
		ok := s.send(client, p)
		s.mu.Lock()
		s.stats.Pending--
		if ok {
			s.stats.Delivered++
		} else {
			s.stats.Dropped++
		}
		s.cond.Broadcast()
		s.mu.Unlock()
	}
}

// send tries a POST until it is answered 2xx, waiting Backoff, 2×Backoff, …
func (s *streamer) send(client *http.Client, p post) bool {
	wait := s.o.Backoff
	for attempt := range s.o.Attempts {
		if attempt > 0 {
			time.Sleep(wait)
			wait *= 2
		}
		s.mu.Lock()
		s.stats.Attempts++
		s.mu.Unlock()
		if postSigned(client, p) {
			return true
		}
		s.mu.Lock()
		s.stats.Retries++
		s.mu.Unlock()
	}
	return false
}

// postSigned POSTs a body signed like Twilio's JSON webhooks: the URL gets
// bodySHA256=<hex SHA-256 of the body> and X-Twilio-Signature is the base64
// HMAC-SHA1 of that URL with the account's auth token.
func postSigned(client *http.Client, p post) bool {
	sum := sha256.Sum256(p.body)
	sep := "?"
	if strings.Contains(p.dest, "?") {
		sep = "&"
	}
	u := p.dest + sep + "bodySHA256=" + hex.EncodeToString(sum[:])
	mac := hmac.New(sha1.New, []byte(p.token))
	mac.Write([]byte(u))
	req, err := http.NewRequest(http.MethodPost, u, bytes.NewReader(p.body))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Twilio-Signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	req.Header.Set("User-Agent", "TwilioProxy/1.1 (atoguard emulator)")
	res, err := client.Do(req)
	if err != nil {
		return false
	}
	_ = res.Body.Close()
	return res.StatusCode/100 == 2
}

// stats returns a copy of the counters.
func (s *streamer) snapshot() StreamStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// wait blocks until nothing is pending or ctx ends.
func (s *streamer) wait(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	defer stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.stats.Pending > 0 && ctx.Err() == nil {
		s.cond.Wait()
	}
	return ctx.Err()
}

// Event Streams types the emulator delivers for traffic (Twilio's catalogue).
const (
	TypeMessagePrefix = "com.twilio.messaging.message."
	TypeCallPrefix    = "com.twilio.voice.status-callback.call."
)

// DeliverActivity queues, for every account with an active webhook sink
// and a subscription, CloudEvents of the world's traffic in [since, until)
// of the subscribed types: a message's "sent" and final status, a call's
// final status. Delivery runs in the background (WaitStreams waits for it);
// it returns how many events were queued.
func (e *Emulator) DeliverActivity(since, until time.Time) int {
	e.mu.Lock() // new event ids draw on the state's seeded generator
	defer e.mu.Unlock()
	n := 0
	for _, a := range e.st.order {
		for _, t := range e.st.streamTargets(a) {
			evs := activityEvents(e.st, a, t.types, since, until)
			if len(evs) > 0 {
				e.streams.enqueue(t.dest, a.token, t.batch, evs)
				n += len(evs)
			}
		}
	}
	return n
}

// StreamStats reports what Event Streams delivery did so far.
func (e *Emulator) StreamStats() StreamStats { return e.streams.snapshot() }

// WaitStreams waits until every queued delivery was answered or dropped.
func (e *Emulator) WaitStreams(ctx context.Context) error { return e.streams.wait(ctx) }

type streamTarget struct {
	dest  string
	batch bool
	types map[string]bool
}

// streamTargets are the account's active webhook sinks with the types
// subscribed to each.
func (st *state) streamTargets(a *account) []streamTarget {
	var out []streamTarget
	for _, s := range a.sinks {
		if s.status != "active" || s.sinkType != "webhook" {
			continue
		}
		var conf struct {
			Destination string `json:"destination"`
			Batch       bool   `json:"batch_events"`
		}
		_ = json.Unmarshal([]byte(s.config), &conf)
		t := streamTarget{dest: conf.Destination, batch: conf.Batch, types: map[string]bool{}}
		for _, sb := range a.subs {
			if sb.sinkSID == s.sid {
				for _, ty := range sb.types {
					t.types[ty.Type] = true
				}
			}
		}
		if len(t.types) > 0 {
			out = append(out, t)
		}
	}
	return out
}

func activityEvents(st *state, a *account, types map[string]bool, since, until time.Time) []map[string]any {
	var out []map[string]any
	add := func(typ, source, schema string, at time.Time, data map[string]any) {
		if !types[typ] {
			return
		}
		out = append(out, map[string]any{
			"specversion": "1.0", "type": typ, "source": source, "id": st.newSID("EZ"),
			"dataschema": "https://events-schemas.twilio.com/" + schema, "datacontenttype": "application/json",
			"time": at.Format(time.RFC3339), "data": data,
		})
	}
	ms := &a.msgs
	lo, hi := ms.bounds(since.Unix(), until.Unix())
	for i := lo; i < hi; i++ {
		m := ms.message(&ms.recs[i], a.SID)
		if !m.Outbound() {
			continue
		}
		at := m.DateCreated
		src := "/2010-04-01/Accounts/" + a.SID + "/Messages/" + m.SID + ".json"
		for _, status := range slices.Compact([]string{"sent", m.Status}) {
			data := map[string]any{"accountSid": a.SID, "messageSid": m.SID, "from": m.From, "to": m.To,
				"messagingServiceSid": m.MessagingServiceSID, "numSegments": m.NumSegments, "messageStatus": status,
				"timestamp": at.Format(time.RFC3339)}
			if m.ErrorCode != 0 && status == m.Status {
				data["errorCode"] = m.ErrorCode
			}
			add(TypeMessagePrefix+status, src, "Messaging.MessageStatus/1", at, data)
		}
	}
	for _, c := range a.calls {
		if c.StartTime.Before(since) || !c.StartTime.Before(until) {
			continue
		}
		end := c.StartTime.Add(time.Duration(c.Duration) * time.Second)
		add(TypeCallPrefix+c.Status, "/2010-04-01/Accounts/"+a.SID+"/Calls/"+c.SID+".json", "Voice.StatusCallback/1", end,
			map[string]any{"request": map[string]any{"parameters": map[string]any{
				"AccountSid": a.SID, "CallSid": c.SID, "From": c.From, "To": c.To, "Direction": c.Direction,
				"CallStatus": c.Status, "CallDuration": c.Duration, "Timestamp": end.Format(time.RFC3339)}}})
	}
	return out
}
