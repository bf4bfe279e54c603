package emulator

import (
	"math"
	"net/http"
	"sort"
	"strconv"

	"github.com/atoguard/atoguard"
)

var callStatuses = []string{"queued", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled"}

func callJSON(ca *atoguard.Call) map[string]any {
	uri := "/2010-04-01/Accounts/" + ca.AccountSID + "/Calls/" + ca.SID
	var price any
	if ca.Price != 0 || ca.Status == "completed" {
		price = string(appendPrice(nil, int32(math.Round(ca.Price*1e5))))
	}
	status := ca.Status
	if !contains(callStatuses, status) {
		status = "completed"
	}
	return map[string]any{
		"sid": ca.SID, "account_sid": ca.AccountSID, "api_version": "2010-04-01",
		"date_created": fmt2822(ca.StartTime), "date_updated": fmt2822(maxTime(ca.EndTime, ca.StartTime)),
		"parent_call_sid": nil, "to": ca.To, "to_formatted": ca.To, "from": ca.From, "from_formatted": ca.From,
		"phone_number_sid": nil, "status": status,
		"start_time": fmt2822(ca.StartTime), "end_time": fmt2822(ca.EndTime),
		"duration": strconv.Itoa(ca.Duration), "price": price, "price_unit": orDefault(ca.PriceUnit, "USD"),
		"direction": orDefault(ca.Direction, "outbound-api"), "answered_by": nil, "forwarded_from": nil,
		"group_sid": nil, "caller_name": nil, "queue_time": "0", "trunk_sid": nil,
		"uri": uri + ".json",
		"subresource_uris": map[string]any{
			"notifications": uri + "/Notifications.json",
			"recordings":    uri + "/Recordings.json",
			"events":        uri + "/Events.json",
		},
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// listCalls serves GET Calls.json: newest first by start time, filters To,
// From, ParentCallSid, Status, StartTime(<,>) and EndTime(<,>).
func (c *call) listCalls() {
	pr, ok := c.paging()
	if !ok {
		return
	}
	sFrom, sTo, ok := c.dateRange("StartTime")
	if !ok {
		return
	}
	eFrom, eTo, ok := c.dateRange("EndTime")
	if !ok {
		return
	}
	if st := c.v("Status"); st != "" && !contains(callStatuses, st) {
		c.badParam("Invalid Status: " + st)
		return
	}
	calls := c.acct.calls
	lo := sort.Search(len(calls), func(i int) bool { return calls[i].StartTime.Unix() >= sFrom })
	hi := max(lo, sort.Search(len(calls), func(i int) bool { return calls[i].StartTime.Unix() >= sTo }))
	var match func(int) bool
	if c.has("To") || c.has("From") || c.has("Status") || c.has("ParentCallSid") || eFrom != math.MinInt64 || eTo != math.MaxInt64 {
		to, from, status, parent := c.v("To"), c.v("From"), c.v("Status"), c.has("ParentCallSid")
		match = func(i int) bool {
			ca := &calls[i]
			end := ca.EndTime.Unix()
			return (to == "" || ca.To == to) && (from == "" || ca.From == from) &&
				(status == "" || ca.Status == status) && !parent && end >= eFrom && end < eTo
		}
	}
	idx, next, ok := pageDesc(len(calls), lo, hi, pr, match)
	if !ok {
		c.fail(http.StatusBadRequest, 21481, "Invalid PageToken")
		return
	}
	page := make([]*atoguard.Call, 0, len(idx))
	for _, i := range idx {
		page = append(page, &calls[i])
	}
	c.write2010List("calls", marshalAll(page, func(ca *atoguard.Call) any { return callJSON(ca) }), pr, next)
}

func (c *call) findCall() *atoguard.Call {
	for i := range c.acct.calls {
		if c.acct.calls[i].SID == c.params["Sid"] {
			return &c.acct.calls[i]
		}
	}
	c.notFound()
	return nil
}

func (c *call) fetchCall() {
	if ca := c.findCall(); ca != nil {
		c.json(http.StatusOK, callJSON(ca))
	}
}

// updateCall ends a live call: Status=completed (in progress) or canceled
// (queued or ringing). Suspending an account does not end its calls.
func (c *call) updateCall() {
	ca := c.findCall()
	if ca == nil {
		return
	}
	switch st := c.v("Status"); st {
	case "":
	case "completed", "canceled":
		live := ca.Status == "in-progress" || ca.Status == "queued" || ca.Status == "ringing"
		if !live {
			c.fail(http.StatusBadRequest, 21220, "Call is not in-progress. Cannot redirect.")
			return
		}
		if st == "canceled" && ca.Status == "in-progress" {
			c.fail(http.StatusBadRequest, 21220, "An in-progress call can only be completed")
			return
		}
		ca.Status, ca.EndTime = st, c.now
		if st == "completed" && !ca.StartTime.IsZero() {
			ca.Duration = int(c.now.Sub(ca.StartTime).Seconds())
		}
	default:
		c.badParam("Invalid Status: " + st)
		return
	}
	c.json(http.StatusOK, callJSON(ca))
}
