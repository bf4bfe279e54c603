package scenario

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // account time zones must resolve the same on every machine

	"github.com/atoguard/atoguard"
)

// Options size a world. Zero values take the defaults.
type Options struct {
	Seed int64
	// Now is the emulator clock; zero means DefaultNow (never the wall clock,
	// so that a seed alone fixes the world).
	Now time.Time
	// Subaccounts of the ISV (default 3; negative means none).
	Subaccounts int
	// MessagesPerDay across all accounts on an average weekday (default 800).
	MessagesPerDay int
	// Days of history up to Now (default 37: a 30-day baseline and the 7-day
	// window an investigation looks at).
	Days int
}

// Defaults and fixed spans of generated worlds.
const (
	DefaultSubaccounts    = 3
	DefaultMessagesPerDay = 800
	DefaultDays           = 37
	// Window is the investigation window at the end of the history; attack
	// overlays start inside it.
	Window = 7 * 24 * time.Hour
)

// DefaultNow is the clock of worlds built without one.
func DefaultNow() time.Time { return time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC) }

func (o Options) withDefaults() Options {
	if o.Now.IsZero() {
		o.Now = DefaultNow()
	}
	o.Now = o.Now.Truncate(time.Second)
	switch {
	case o.Subaccounts == 0:
		o.Subaccounts = DefaultSubaccounts
	case o.Subaccounts < 0:
		o.Subaccounts = 0
	}
	if o.MessagesPerDay <= 0 {
		o.MessagesPerDay = DefaultMessagesPerDay
	}
	if o.Days <= 0 {
		o.Days = DefaultDays
	}
	return o
}

// Office addresses of the ISV's staff (documentation ranges, RFC 5737).
func officeIPs() []string { return []string{"198.51.100.23", "198.51.100.24", "203.0.113.57"} }

// acctMeta is what the generator knows about an account beyond the World.
type acctMeta struct {
	p       profile
	loc     *time.Location
	perDay  float64
	pools   [][]string // recipients per home country
	weights []float64  // cumulative share per home country
	senders []string
	// bySender[k]: senders to use for recipients in Home[k] (a number of that
	// country when the account has one).
	bySender [][]string
}

// Random streams: one per part so parts stay independent of each other.
const (
	streamConfig  = 1_000
	streamTraffic = 2_000
	streamEvents  = 3_000
	streamOverlay = 4_000
	streamAttack  = 5_000
	streamPool    = 1 << 20 // + the country code's two letters
)

// generate builds the benign baseline world: an ISV main account with its
// customers as subaccounts, configuration, traffic and Monitor history.
func generate(o Options) (*World, error) {
	o = o.withDefaults()
	w := &World{Seed: o.Seed, Now: o.Now}
	profiles := []profile{mainProfile()}
	for i := range o.Subaccounts {
		profiles = append(profiles, subProfile(i))
	}
	total := 0.0
	for _, p := range profiles {
		total += p.Share
	}
	var union []string
	for _, p := range profiles {
		for _, c := range p.Home {
			if !slices.Contains(union, c) {
				union = append(union, c)
			}
		}
	}
	regions := allRegions()
	names := make([]string, len(regions))
	for i, iso := range regions {
		names[i] = countryName(iso)
	}
	metas := make([]*acctMeta, len(profiles))
	for i, p := range profiles {
		loc, err := time.LoadLocation(p.TZ)
		if err != nil {
			return nil, fmt.Errorf("scenario: time zone %s: %w", p.TZ, err)
		}
		metas[i] = &acctMeta{p: p, loc: loc, perDay: float64(o.MessagesPerDay) * p.Share / total}
	}
	// One population of phones per country, drawn once; each customer's
	// recipients are a sample of it (validating numbers is the costly part).
	need := map[string]int{}
	for _, m := range metas {
		for k, iso := range m.p.Home {
			need[iso] = max(need[iso], poolSize(m, k))
		}
	}
	population := map[string][]string{}
	for _, iso := range slices.Sorted(maps.Keys(need)) {
		plan, err := newNumberPlan(iso, kindMobile)
		if err != nil {
			return nil, err
		}
		population[iso] = plan.pool(newRand(o.Seed, streamPool+uint64(iso[0])<<8|uint64(iso[1])), kindMobile, need[iso])
	}
	for i, m := range metas {
		r := newRand(o.Seed, streamConfig+uint64(i))
		acc, err := configure(r, o, i, m, w, regions, names, union, population)
		if err != nil {
			return nil, err
		}
		w.Accounts = append(w.Accounts, acc)
	}
	for i := range w.Accounts {
		traffic(newRand(o.Seed, streamTraffic+uint64(i)), o, &w.Accounts[i], metas[i])
	}
	history(newRand(o.Seed, streamEvents), o, w, metas)
	return w, nil
}

// configure creates an account's credentials and configuration. The parts
// draw from r in a fixed order (identity, people, numbers, triggers,
// recipients) so that a seed always gives the same world.
func configure(r *rand.Rand, o Options, i int, m *acctMeta, w *World, regions, names, union []string, population map[string][]string) (Account, error) {
	p := m.p
	acc := newAccount(r, o.Now, i, p, w)
	isv := mainProfile()
	hookBase := "https://api." + isv.Domain + "/twilio"
	if i > 0 {
		hookBase = "https://hooks." + isv.Domain + "/c/" + p.Slug
	}
	addPeople(r, &acc, i, p)
	if err := addNumbers(r, &acc, i, m, isv.Domain, hookBase); err != nil {
		return acc, err
	}
	addTriggers(r, &acc, i, m, isv.Domain)
	// Geo permissions: the home countries only (the main account allows every
	// customer's, since subaccounts inherit its Voice permissions).
	allowed := p.Home
	if i == 0 {
		allowed = union
	}
	acc.VoicePermissions = make([]atoguard.VoicePermission, len(regions))
	acc.SMSPermissions = make([]atoguard.SMSPermission, len(regions))
	for k, iso := range regions {
		on := slices.Contains(allowed, iso)
		acc.VoicePermissions[k] = atoguard.VoicePermission{ISOCode: iso, Name: names[k], LowRiskEnabled: on}
		acc.SMSPermissions[k] = atoguard.SMSPermission{CountryCode: iso, Enabled: on, HighRisk: smsHighRisk(iso)}
	}
	customerBase(r, m, population)
	return acc, nil
}

// newAccount draws an account's identity: SID, token and creation date (the
// main account first, subaccounts some time after it).
func newAccount(r *rand.Rand, now time.Time, i int, p profile, w *World) Account {
	var acc Account
	acc.SID = sid(r, prefixAccount)
	acc.AuthToken = token(r)
	acc.Status = "active"
	acc.Type = "Full"
	acc.FriendlyName = p.Name
	if i == 0 {
		acc.OwnerSID = acc.SID
		acc.DateCreated = now.AddDate(0, 0, -(420 + r.IntN(400))).Truncate(time.Hour)
		return acc
	}
	main := w.Accounts[0]
	acc.OwnerSID = main.SID
	span := int(now.Sub(main.DateCreated).Hours()/24) - 90
	acc.DateCreated = main.DateCreated.AddDate(0, 0, 30+r.IntN(max(1, span))).Truncate(time.Hour)
	acc.VoiceInheritance = true
	return acc
}

// addPeople adds the Console users (main account only) and API keys.
func addPeople(r *rand.Rand, acc *Account, i int, p profile) {
	created := acc.DateCreated
	if i > 0 {
		acc.Keys = append(acc.Keys, Key{SID: sid(r, prefixKey), FriendlyName: p.Slug + "-worker", Secret: keySecret(r), Type: "standard",
			DateCreated: created.AddDate(0, 0, 1)})
		return
	}
	n := 2 + r.IntN(3)
	roles := []string{"owner", "developer", "support", "finance"}
	fi, li := r.Perm(len(firstNames())), r.Perm(len(lastNames()))
	for k := range n {
		first := firstNames()[fi[k]]
		last := lastNames()[li[k]]
		acc.Users = append(acc.Users, User{
			SID:   sid(r, prefixUser),
			Name:  first + " " + last + " (" + roles[k] + ")",
			Email: strings.ToLower(first) + "." + strings.ToLower(last) + "@" + p.Domain,
		})
	}
	for k, name := range []string{"prod-backend", "ci-deploy"} {
		acc.Keys = append(acc.Keys, Key{SID: sid(r, prefixKey), FriendlyName: name, Secret: keySecret(r), Type: "standard",
			DateCreated: created.AddDate(0, 0, 7+40*k+r.IntN(30))})
	}
}

// addNumbers adds sender numbers in the home countries, an IVR application,
// a messaging service and (main and first customer) a verified caller ID,
// with webhooks on the ISV's own domain.
func addNumbers(r *rand.Rand, acc *Account, i int, m *acctMeta, domain, hookBase string) error {
	p := m.p
	homes := p.Home
	if i > 0 {
		homes = []string{p.Home[0], p.Home[0]}
	}
	for k, iso := range homes {
		plan, err := newNumberPlan(iso, kindMobile)
		if err != nil {
			return err
		}
		num := plan.draw(r, kindMobile)
		m.senders = append(m.senders, num)
		acc.PhoneNumbers = append(acc.PhoneNumbers, atoguard.PhoneNumber{
			SID: sid(r, prefixPhoneNumber), AccountSID: acc.SID, PhoneNumber: num,
			FriendlyName: fmt.Sprintf("%s %s %d", p.Name, iso, k+1),
			Webhooks: atoguard.Webhooks{
				"voice_url": hookBase + "/voice", "voice_method": "POST",
				"voice_fallback_url": "https://fallback." + domain + "/twilio/voice", "voice_fallback_method": "POST",
				"sms_url": hookBase + "/sms", "sms_method": "POST",
				"sms_fallback_url": "https://fallback." + domain + "/twilio/sms", "sms_fallback_method": "POST",
				"status_callback": hookBase + "/status", "status_callback_method": "POST",
			},
		})
	}
	acc.Applications = append(acc.Applications, atoguard.Application{
		SID: sid(r, prefixApplication), AccountSID: acc.SID, FriendlyName: p.Name + " IVR",
		Webhooks: atoguard.Webhooks{
			"voice_url": hookBase + "/ivr", "voice_method": "POST",
			"status_callback": hookBase + "/status", "status_callback_method": "POST",
			"sms_url": hookBase + "/sms", "sms_method": "POST",
		},
	})
	acc.MessagingServices = append(acc.MessagingServices, atoguard.MessagingService{
		SID: sid(r, prefixService), AccountSID: acc.SID, FriendlyName: p.Name + " notifications",
		Webhooks: atoguard.Webhooks{
			"inbound_request_url": hookBase + "/inbound", "inbound_method": "POST",
			"fallback_url": "https://fallback." + domain + "/twilio/inbound", "fallback_method": "POST",
			"status_callback": hookBase + "/status", "use_inbound_webhook_on_number": "false",
		},
	})
	if i > 1 {
		return nil
	}
	plan, err := newNumberPlan(p.Home[0], kindFixed)
	if err != nil {
		return err
	}
	acc.CallerIDs = append(acc.CallerIDs, atoguard.CallerID{
		SID: sid(r, prefixPhoneNumber), AccountSID: acc.SID, PhoneNumber: plan.draw(r, kindFixed),
		FriendlyName: p.Name + " front desk", DateCreated: acc.DateCreated.AddDate(0, 0, 3),
	})
	return nil
}

// addTriggers adds a daily spend alert sized to about three times a normal
// day's cost, and on the main account a monthly SMS volume alert.
func addTriggers(r *rand.Rand, acc *Account, i int, m *acctMeta, domain string) {
	dailyCost := m.perDay * lookupCountry(m.p.Home[0]).SMSPrice * 3
	limit := math.Max(25, math.Ceil(dailyCost/5)*5)
	alertURL := "https://ops." + domain + "/twilio/usage-alert"
	acc.UsageTriggers = append(acc.UsageTriggers, atoguard.UsageTrigger{
		SID: sid(r, prefixTrigger), AccountSID: acc.SID, FriendlyName: "Daily spend alert",
		UsageCategory: "totalprice", TriggerBy: "price", TriggerValue: limit, Recurring: "daily", CallbackURL: alertURL,
	})
	if i == 0 {
		acc.UsageTriggers = append(acc.UsageTriggers, atoguard.UsageTrigger{
			SID: sid(r, prefixTrigger), AccountSID: acc.SID, FriendlyName: "Monthly SMS volume",
			UsageCategory: "sms", TriggerBy: "count", TriggerValue: math.Ceil(m.perDay*40/100) * 100, Recurring: "monthly", CallbackURL: alertURL,
		})
	}
}

// customerBase samples the account's customer base per home country from the
// country's population, most in the first, and the senders to use for each.
func customerBase(r *rand.Rand, m *acctMeta, population map[string][]string) {
	p := m.p
	cum := 0.0
	for k, iso := range p.Home {
		cum += homeShare(p, k)
		pop := population[iso]
		size := min(len(pop), poolSize(m, k))
		pool := make([]string, size)
		for j, x := range r.Perm(len(pop))[:size] {
			pool[j] = pop[x]
		}
		m.pools = append(m.pools, pool)
		m.weights = append(m.weights, cum)
		var local []string
		for _, s := range m.senders {
			if regionOf(s) == iso {
				local = append(local, s)
			}
		}
		if len(local) == 0 {
			local = m.senders
		}
		m.bySender = append(m.bySender, local)
	}
}

// homeShare is the share of traffic going to the k-th home country.
func homeShare(p profile, k int) float64 {
	if len(p.Home) == 1 {
		return 1
	}
	if k == 0 {
		return 0.9
	}
	return 0.1 / float64(len(p.Home)-1)
}

// poolSize is how many distinct recipients a customer has in its k-th home
// country: about six days' worth, so that people recur.
func poolSize(m *acctMeta, k int) int {
	return min(2000, max(30, int(m.perDay*homeShare(m.p, k)*6)))
}

// sidBatch returns n SIDs sharing one backing string (two allocations for
// the whole batch instead of one per SID).
func sidBatch(r *rand.Rand, prefix string, n int) []string {
	buf := make([]byte, 0, n*34)
	for range n {
		buf = append(buf, prefix...)
		buf = appendHex32(buf, r)
	}
	s := string(buf)
	out := make([]string, n)
	for i := range out {
		out[i] = s[i*34 : (i+1)*34]
	}
	return out
}

// drawHour picks a local hour by weight.
func drawHour(r *rand.Rand, cum *[24]float64) int {
	x := r.Float64() * cum[23]
	for h := range 24 {
		if x < cum[h] {
			return h
		}
	}
	return 23
}

func cumulative(w [24]float64) [24]float64 {
	var c [24]float64
	s := 0.0
	for h, v := range w {
		s += v
		c[h] = s
	}
	return c
}

func roundPrice(x float64) float64 { return math.Round(x*1e5) / 1e5 }

// traffic generates the account's messages and calls day by day in its own
// time zone, with weekday and hour-of-day rhythm; output is in date order.
func traffic(r *rand.Rand, o Options, acc *Account, m *acctMeta) {
	g := trafficGen{r: r, o: o, acc: acc, m: m,
		start: o.Now.Add(-time.Duration(o.Days) * 24 * time.Hour),
		cum:   cumulative(hourWeights(m.p.Kind)),
		wf:    weekdayFactors(m.p.Kind),
	}
	est := int(m.perDay*float64(o.Days)*1.1) + 16
	acc.Messages = make([]atoguard.Message, 0, est)
	acc.Calls = make([]atoguard.Call, 0, int(float64(est)*m.p.CallRatio)+8)
	if len(acc.MessagingServices) > 0 {
		g.svc = acc.MessagingServices[0].SID
	}
	g.prices = make([]country, len(m.p.Home))
	for k, iso := range m.p.Home {
		g.prices[k] = lookupCountry(iso)
	}
	y, mo, d := g.start.In(m.loc).Date()
	for day := 0; ; day++ {
		ds := time.Date(y, mo, d+day, 0, 0, 0, 0, m.loc)
		if !ds.Before(o.Now) {
			break
		}
		n := g.messages(ds, day)
		g.calls(ds, n)
	}
}

// trafficGen is the state of one account's traffic generation; the buffers
// are reused from day to day.
type trafficGen struct {
	r      *rand.Rand
	o      Options
	acc    *Account
	m      *acctMeta
	start  time.Time
	cum    [24]float64
	wf     [7]float64
	svc    string
	prices []country

	secs    []int64
	bodyBuf []byte
	ends    []int
}

// messages generates the messages of the local day ds (the day-th of the
// history) and returns how many it drew.
func (g *trafficGen) messages(ds time.Time, day int) int {
	r, m, acc := g.r, g.m, g.acc
	growth := 0.95 + 0.1*float64(day)/float64(g.o.Days)
	mean := m.perDay * g.wf[ds.Weekday()] * growth
	n := max(0, int(math.Round(mean*(1+0.08*r.NormFloat64()))))
	batch := 0.0
	if wd := ds.Weekday(); m.p.Kind == trafficAppointments && wd != time.Saturday && wd != time.Sunday {
		batch = 0.5
	}
	g.secs = dayTimes(r, g.secs[:0], ds, n, &g.cum, batch, g.start, g.o.Now)
	sids := sidBatch(r, prefixMessage, len(g.secs))
	first := len(acc.Messages)
	g.bodyBuf = g.bodyBuf[:0]
	g.ends = g.ends[:0]
	for k, sec := range g.secs {
		acc.Messages = append(acc.Messages, g.message(sids[k], time.Unix(sec, 0).UTC()))
	}
	// Bodies share one backing string per day (one allocation for the day).
	bodies := string(g.bodyBuf)
	b0 := 0
	for k, e := range g.ends {
		if e >= 0 {
			acc.Messages[first+k].Body = bodies[b0:e]
			b0 = e
		}
	}
	return n
}

// message draws one message sent at t: a customer's reply, or an outbound
// message whose body is appended to g.bodyBuf (its end in g.ends).
func (g *trafficGen) message(msid string, t time.Time) atoguard.Message {
	r, m := g.r, g.m
	ci := pick(r, m.weights)
	to := m.pools[ci][r.IntN(len(m.pools[ci]))]
	from := m.bySender[ci][r.IntN(len(m.bySender[ci]))]
	msg := atoguard.Message{SID: msid, AccountSID: g.acc.SID, PriceUnit: "USD", DateCreated: t, DateSent: t.Add(time.Duration(1+r.IntN(3)) * time.Second)}
	if r.IntN(100) < 4 {
		// A reply from a customer.
		msg.From, msg.To = to, from
		msg.Direction, msg.Status = "inbound", "received"
		msg.Body = replies()[r.IntN(len(replies()))]
		msg.NumSegments = 1
		msg.Price = 0.0079
		g.ends = append(g.ends, -1)
		return msg
	}
	msg.From, msg.To, msg.Direction = from, to, "outbound-api"
	if g.svc != "" && r.IntN(10) < 7 {
		msg.MessagingServiceSID = g.svc
	}
	b0 := len(g.bodyBuf)
	g.bodyBuf = appendBody(g.bodyBuf, r, &m.p, t.In(m.loc))
	g.ends = append(g.ends, len(g.bodyBuf))
	msg.NumSegments = segmentsBytes(g.bodyBuf[b0:])
	msg.Status, msg.ErrorCode = outboundStatus(r)
	if msg.Status != "failed" {
		msg.Price = roundPrice(float64(msg.NumSegments) * g.prices[ci].SMSPrice)
	}
	return msg
}

// calls generates the calls of the local day ds: the same rhythm as its n
// messages at a fraction of the volume.
func (g *trafficGen) calls(ds time.Time, n int) {
	r, m := g.r, g.m
	nc := int(math.Round(float64(n) * m.p.CallRatio * (0.8 + 0.4*r.Float64())))
	g.secs = dayTimes(r, g.secs[:0], ds, nc, &g.cum, 0, g.start, g.o.Now)
	csids := sidBatch(r, prefixCall, len(g.secs))
	for k, sec := range g.secs {
		ci := pick(r, m.weights)
		g.acc.Calls = append(g.acc.Calls, call(r, g.acc.SID, csids[k], time.Unix(sec, 0).UTC(),
			m.bySender[ci][r.IntN(len(m.bySender[ci]))], m.pools[ci][r.IntN(len(m.pools[ci]))], g.prices[ci].VoiceMin))
	}
}

// dayTimes draws n send times on the local day ds, sorted, clipped to
// [start, now).
// A share batch of them goes out in the customer's morning run (10:00–10:20
// local), as reminder systems send tomorrow's reminders from a daily job.
func dayTimes(r *rand.Rand, out []int64, ds time.Time, n int, cum *[24]float64, batch float64, start, now time.Time) []int64 {
	y, mo, d := ds.Date()
	lo, hi := start.Unix(), now.Unix()
	for range n {
		h, mi := drawHour(r, cum), r.IntN(60)
		if batch > 0 && r.Float64() < batch {
			h, mi = 10, r.IntN(20)
		}
		t := time.Date(y, mo, d, h, mi, r.IntN(60), 0, ds.Location()).Unix()
		if t >= lo && t < hi {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

func pick(r *rand.Rand, cum []float64) int {
	if len(cum) == 1 {
		return 0
	}
	x := r.Float64() * cum[len(cum)-1]
	for i, c := range cum {
		if x < c {
			return i
		}
	}
	return len(cum) - 1
}

// outboundStatus draws a delivery outcome with realistic small failure rates.
func outboundStatus(r *rand.Rand) (string, int) {
	u := r.IntN(1000)
	switch {
	case u < 962:
		return "delivered", 0
	case u < 972:
		return "sent", 0
	case u < 990:
		return "undelivered", []int{30003, 30005, 30006, 30008}[r.IntN(4)]
	}
	return "failed", []int{21610, 30007, 30008}[r.IntN(3)]
}

// call builds one call; outbound from the account's number or inbound from
// a customer.
func call(r *rand.Rand, acct, csid string, t time.Time, ours, theirs string, perMin float64) atoguard.Call {
	c := atoguard.Call{SID: csid, AccountSID: acct, StartTime: t, PriceUnit: "USD"}
	if r.IntN(100) < 55 {
		c.Direction, c.From, c.To = "outbound-api", ours, theirs
	} else {
		c.Direction, c.From, c.To = "inbound", theirs, ours
		perMin = 0.0085
	}
	u := r.IntN(100)
	switch {
	case u < 78:
		c.Status = "completed"
		c.Duration = int(math.Min(1800, math.Max(5, math.Exp(math.Log(90)+0.9*r.NormFloat64()))))
		c.Price = roundPrice(math.Ceil(float64(c.Duration)/60) * perMin)
	case u < 90:
		c.Status = "no-answer"
	case u < 95:
		c.Status = "busy"
	case u < 97:
		c.Status = "failed"
	default:
		c.Status = "canceled"
	}
	c.EndTime = t.Add(time.Duration(c.Duration) * time.Second)
	return c
}

// history generates benign Monitor events: staff signing in from the office
// on working days and the occasional webhook update by a known developer.
func history(r *rand.Rand, o Options, w *World, metas []*acctMeta) {
	main := &w.Accounts[0]
	m := metas[0]
	start := o.Now.Add(-time.Duration(o.Days) * 24 * time.Hour)
	ips := officeIPs()
	y, mo, d := start.In(m.loc).Date()
	for day := 0; ; day++ {
		ds := time.Date(y, mo, d+day, 0, 0, 0, 0, m.loc)
		if !ds.Before(o.Now) {
			break
		}
		wd := ds.Weekday()
		for k, u := range main.Users {
			p := 75
			if wd == time.Saturday || wd == time.Sunday {
				p = 5
			}
			if r.IntN(100) >= p {
				continue
			}
			t := ds.Add(8*time.Hour + time.Duration(r.IntN(150))*time.Minute + time.Duration(r.IntN(60))*time.Second)
			if t.Before(start) || !t.Before(o.Now) {
				continue
			}
			ip := ips[k%2]
			if k%3 == 2 {
				ip = ips[2]
			}
			main.Events = append(main.Events, newEvent(r, main.SID, u.SID, "user", "web", ip, "user-session.created",
				t, u.SID, "user", "User session created", map[string]any{"user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15"}))
		}
	}
	// Two routine webhook updates by the developer during the baseline.
	dev := main.Users[min(1, len(main.Users)-1)]
	for k, field := range []string{"sms_url", "status_callback"} {
		if len(main.PhoneNumbers) == 0 || o.Days < 12 {
			break
		}
		pn := &main.PhoneNumbers[r.IntN(len(main.PhoneNumbers))]
		day := 3 + r.IntN(o.Days-10)
		t := time.Date(y, mo, d+day, 10+r.IntN(6), r.IntN(60), r.IntN(60), 0, m.loc).UTC()
		cur := pn.Webhooks[field]
		prev := cur + []string{"-legacy", "-v1"}[k]
		main.Events = append(main.Events, newEvent(r, main.SID, dev.SID, "user", "web", ips[1], "phone-number.updated",
			t, pn.SID, "phone-number", "Phone number updated", map[string]any{field: change(prev, cur)}))
	}
	for i := range w.Accounts {
		sortEvents(w.Accounts[i].Events)
	}
}

// change is the {previous, updated} pair *.updated events carry.
func change(prev, cur any) map[string]any { return map[string]any{"previous": prev, "updated": cur} }

func newEvent(r *rand.Rand, acct, actor, actorType, source, ip, typ string, t time.Time, res, resType, desc string, data map[string]any) atoguard.Event {
	return atoguard.Event{
		SID: sid(r, prefixEvent), AccountSID: acct, ActorSID: actor, ActorType: actorType, Source: source,
		SourceIP: ip, EventType: typ, EventDate: t.UTC(), ResourceSID: res, ResourceType: resType, Description: desc, Data: data,
	}
}

func sortEvents(ev []atoguard.Event) {
	slices.SortStableFunc(ev, func(a, b atoguard.Event) int {
		return cmp.Or(a.EventDate.Compare(b.EventDate), cmp.Compare(a.SID, b.SID))
	})
}

func sortMessages(ms []atoguard.Message) {
	slices.SortStableFunc(ms, func(a, b atoguard.Message) int {
		return cmp.Or(a.DateCreated.Compare(b.DateCreated), cmp.Compare(a.SID, b.SID))
	})
}

func sortCalls(cs []atoguard.Call) {
	slices.SortStableFunc(cs, func(a, b atoguard.Call) int {
		return cmp.Or(a.StartTime.Compare(b.StartTime), cmp.Compare(a.SID, b.SID))
	})
}
