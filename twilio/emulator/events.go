package emulator

import (
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"sort"

	"github.com/atoguard/atoguard"
)

// change is one field's before and after in an *.updated event.
type change struct {
	Previous any `json:"previous"`
	Updated  any `json:"updated"`
}

// record appends the Monitor event Twilio produces for an administrative
// change made through the API by the request's credential.
func (c *call) record(a *account, eventType, resourceSID, resourceType, description string, data map[string]any) {
	ev := atoguard.Event{
		SID:          c.st.newSID("AE"),
		AccountSID:   a.SID,
		ActorSID:     c.p.actorSID(),
		ActorType:    c.p.actorType(),
		Source:       "api",
		SourceIP:     c.sourceIP(),
		EventType:    eventType,
		EventDate:    c.now,
		ResourceSID:  resourceSID,
		ResourceType: resourceType,
		Description:  description,
		Data:         data,
	}
	a.appendEvent(ev)
}

func (a *account) appendEvent(ev atoguard.Event) {
	n := len(a.events)
	if n == 0 || !a.events[n-1].EventDate.After(ev.EventDate) {
		a.events = append(a.events, ev)
		a.eventIndex[ev.SID] = n
		return
	}
	// The clock was set back: keep the slice ordered by date.
	i := sort.Search(n, func(i int) bool { return a.events[i].EventDate.After(ev.EventDate) })
	a.events = slices.Insert(a.events, i, ev)
	for j := i; j < len(a.events); j++ {
		a.eventIndex[a.events[j].SID] = j
	}
}

func (c *call) eventJSON(ev *atoguard.Event) map[string]any {
	links := map[string]any{}
	if ev.ActorSID != "" {
		links["actor"] = "https://api.twilio.com/2010-04-01/Accounts/" + ev.AccountSID
	}
	if ev.ResourceSID != "" {
		links["resource"] = "https://api.twilio.com/2010-04-01/Accounts/" + ev.AccountSID
	}
	var data any
	if ev.Data != nil {
		data = ev.Data
	}
	return map[string]any{
		"account_sid":       ev.AccountSID,
		"actor_sid":         nullable(ev.ActorSID),
		"actor_type":        nullable(ev.ActorType),
		"description":       nullable(ev.Description),
		"event_data":        data,
		"event_date":        fmtISO(ev.EventDate),
		"event_type":        nullable(ev.EventType),
		"resource_sid":      nullable(ev.ResourceSID),
		"resource_type":     nullable(ev.ResourceType),
		"sid":               ev.SID,
		"source":            nullable(ev.Source),
		"source_ip_address": nullable(ev.SourceIP),
		"url":               "https://monitor.twilio.com/v1/Events/" + ev.SID,
		"links":             links,
	}
}

// listEvents serves GET monitor /v1/Events: newest first, StartDate/EndDate
// plus at most one of ActorSid, EventType, ResourceSid, SourceIpAddress.
func (c *call) listEvents() {
	pr, ok := c.paging()
	if !ok {
		return
	}
	var field, want string
	for _, f := range []string{"ActorSid", "EventType", "ResourceSid", "SourceIpAddress"} {
		if !c.has(f) {
			continue
		}
		if field != "" {
			c.badParam("Only one of ActorSid, EventType, ResourceSid or SourceIpAddress may be given besides StartDate and EndDate")
			return
		}
		field, want = f, c.v(f)
	}
	from, to := int64(math.MinInt64), int64(math.MaxInt64)
	if s := c.v("StartDate"); s != "" {
		t, _, err := parseFilterDate(s)
		if err != nil {
			c.badParam("Invalid StartDate: " + s)
			return
		}
		from = t.Unix()
	}
	if s := c.v("EndDate"); s != "" {
		t, day, err := parseFilterDate(s)
		if err != nil {
			c.badParam("Invalid EndDate: " + s)
			return
		}
		to = t.Unix() + 1
		if day {
			to = t.Unix() + 86400 // the whole GMT day
		}
	}
	evs := c.acct.events
	lo := sort.Search(len(evs), func(i int) bool { return evs[i].EventDate.Unix() >= from })
	hi := sort.Search(len(evs), func(i int) bool { return evs[i].EventDate.Unix() >= to })
	hi = max(lo, hi)
	var match func(int) bool
	if field != "" {
		match = func(i int) bool {
			ev := &evs[i]
			switch field {
			case "ActorSid":
				return ev.ActorSID == want
			case "EventType":
				return ev.EventType == want
			case "ResourceSid":
				return ev.ResourceSID == want
			}
			return ev.SourceIP == want
		}
	}
	idx, next, ok := pageDesc(len(evs), lo, hi, pr, match)
	if !ok {
		c.fail(http.StatusBadRequest, 21481, "Invalid PageToken")
		return
	}
	items := make([][]byte, 0, len(idx))
	for _, i := range idx {
		b, _ := json.Marshal(c.eventJSON(&evs[i]))
		items = append(items, b)
	}
	c.writeV1List("events", items, pr, next)
}

func (c *call) fetchEvent() {
	i, ok := c.acct.eventIndex[c.params["Sid"]]
	if !ok {
		c.notFound()
		return
	}
	c.json(http.StatusOK, c.eventJSON(&c.acct.events[i]))
}
