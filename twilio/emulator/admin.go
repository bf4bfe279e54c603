package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
)

// Admin endpoints (test and demo tools, only on the emulator's own handler):
//
//	GET    /_emulator/state           accounts, credential validity (fingerprints), config
//	GET    /_emulator/credentials     the test account's SID and auth token
//	GET    /_emulator/clock           {"now"}
//	POST   /_emulator/clock           {"now": RFC 3339} sets the clock
//	POST   /_emulator/clock/advance   {"duration": "1h"} (or ?d=1h)
//	POST   /_emulator/scenario        {"name","seed"} builds a named world, or a World JSON body
//	POST   /_emulator/events          [Monitor events] appended now (Console-side actions in drills)
//	POST   /_emulator/messages        {"account_sid", "messages": [...]} traffic appended (dates default to now)
//	POST   /_emulator/streams/deliver {"since","until"} (RFC 3339; default the last 48 h) Event Streams deliveries of the traffic
//	GET    /_emulator/streams         Event Streams delivery counters
//	GET    /_emulator/faults          the active rules
//	POST   /_emulator/faults          [rules] or {"rules":[…]} or {"specs":["429,p=0.3"]} replaces them
//	DELETE /_emulator/faults          clears them
//
// Admin body limits: the endpoints have no authentication, so a body is
// small unless it carries a world or traffic.
const (
	adminBodyLimit = 64 << 10 // clock, faults and the GETs
	adminBulkLimit = 8 << 20  // scenario, events, messages
)

func (e *Emulator) serveAdmin(w http.ResponseWriter, r *http.Request) {
	route := r.Method + " " + strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/_emulator"), "/")
	body, ok := readAdminBody(w, r, route)
	if !ok {
		return
	}
	e.adminRoute(w, r, route, body)
}

// readAdminBody reads the request body within the route's limit; on failure
// it has answered the request.
func readAdminBody(w http.ResponseWriter, r *http.Request, route string) ([]byte, bool) {
	limit := int64(adminBodyLimit)
	if route == "POST /scenario" || route == "POST /events" || route == "POST /messages" {
		limit = adminBulkLimit
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			adminError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d KiB, the limit of %s", limit>>10, route))
			return nil, false
		}
		adminError(w, http.StatusBadRequest, "reading body: "+err.Error())
		return nil, false
	}
	return body, true
}

// adminRoute serves one admin endpoint. The switch is the route table.
func (e *Emulator) adminRoute(w http.ResponseWriter, r *http.Request, route string, body []byte) {
	switch route {
	case "GET /state":
		adminJSON(w, e.State())
	case "GET /credentials":
		e.adminCredentials(w)
	case "POST /streams/deliver":
		e.adminDeliver(w, body)
	case "GET /streams":
		adminJSON(w, e.StreamStats())
	case "GET /clock":
		e.adminNow(w)
	case "POST /clock":
		e.adminSetClock(w, body)
	case "POST /clock/advance":
		e.adminAdvance(w, r, body)
	case "POST /scenario":
		e.adminScenario(w, body)
	case "POST /events":
		adminAppend(w, body, e.injectEvents)
	case "POST /messages":
		adminAppend(w, body, e.injectMessages)
	case "GET /faults":
		adminJSON(w, map[string]any{"rules": e.faults.list()})
	case "POST /faults":
		e.adminSetFaults(w, body)
	case "DELETE /faults":
		_ = e.faults.set(nil)
		adminJSON(w, map[string]any{"rules": []FaultRule{}})
	default:
		adminError(w, http.StatusNotFound, "no admin endpoint "+route)
	}
}

func (e *Emulator) adminCredentials(w http.ResponseWriter) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	a := e.testAccount()
	if a == nil {
		adminError(w, http.StatusNotFound, "no main account in the world")
		return
	}
	adminJSON(w, map[string]string{"account_sid": a.SID, "auth_token": a.token})
}

func (e *Emulator) adminDeliver(w http.ResponseWriter, body []byte) {
	var in struct {
		Since, Until time.Time
	}
	if len(body) > 0 && json.Unmarshal(body, &in) != nil {
		adminError(w, http.StatusBadRequest, `want {"since": "<RFC 3339>", "until": "<RFC 3339>"} (both optional)`)
		return
	}
	if in.Until.IsZero() {
		in.Until = e.clock.Now().Add(time.Second)
	}
	if in.Since.IsZero() {
		in.Since = in.Until.Add(-48 * time.Hour)
	}
	adminJSON(w, map[string]int{"queued": e.DeliverActivity(in.Since, in.Until)})
}

func (e *Emulator) adminNow(w http.ResponseWriter) {
	adminJSON(w, map[string]any{"now": e.clock.Now().Format(time.RFC3339)})
}

func (e *Emulator) adminSetClock(w http.ResponseWriter, body []byte) {
	var in struct {
		Now time.Time `json:"now"`
	}
	if err := json.Unmarshal(body, &in); err != nil || in.Now.IsZero() {
		adminError(w, http.StatusBadRequest, `want {"now": "<RFC 3339 time>"}`)
		return
	}
	e.clock.Set(in.Now)
	e.adminNow(w)
}

func (e *Emulator) adminAdvance(w http.ResponseWriter, r *http.Request, body []byte) {
	d, err := adminDuration(r, body)
	if err != nil {
		adminError(w, http.StatusBadRequest, err.Error())
		return
	}
	e.clock.Advance(d)
	e.adminNow(w)
}

func (e *Emulator) adminScenario(w http.ResponseWriter, body []byte) {
	w2, err := e.adminWorld(body)
	if err == nil {
		err = e.Load(w2)
	}
	if err != nil {
		adminError(w, http.StatusBadRequest, err.Error())
		return
	}
	if !w2.Now.IsZero() {
		e.clock.Set(w2.Now)
	}
	adminJSON(w, map[string]any{"name": w2.Name, "seed": w2.Seed, "accounts": len(w2.Accounts)})
}

// adminAppend serves the endpoints that append records with inject.
func adminAppend(w http.ResponseWriter, body []byte, inject func([]byte) (int, error)) {
	n, err := inject(body)
	if err != nil {
		adminError(w, http.StatusBadRequest, err.Error())
		return
	}
	adminJSON(w, map[string]any{"appended": n})
}

func (e *Emulator) adminSetFaults(w http.ResponseWriter, body []byte) {
	rules, err := parseAdminFaults(body)
	if err == nil {
		err = e.faults.set(rules)
	}
	if err != nil {
		adminError(w, http.StatusBadRequest, err.Error())
		return
	}
	adminJSON(w, map[string]any{"rules": e.faults.list()})
}

// State returns the admin view (what GET /_emulator/state serves).
func (e *Emulator) State() State {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.stateView()
}

// SetFaults replaces the active fault rules (the admin endpoint's Go form).
func (e *Emulator) SetFaults(rules []FaultRule) error { return e.faults.set(rules) }

// TestCredential returns the SID and auth token of the world's first main
// account: fabricated values, for tests and the demo.
func (e *Emulator) TestCredential() (accountSID string, token atoguard.Secret, ok bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	a := e.testAccount()
	if a == nil {
		return "", atoguard.Secret{}, false
	}
	return a.SID, atoguard.NewSecret(a.token), true
}

func (e *Emulator) testAccount() *account {
	for _, a := range e.st.order {
		if !a.IsSubaccount() {
			return a
		}
	}
	return nil
}

func adminDuration(r *http.Request, body []byte) (time.Duration, error) {
	s := r.URL.Query().Get("d")
	if s == "" && len(body) > 0 {
		var in struct {
			Duration string `json:"duration"`
		}
		if err := json.Unmarshal(body, &in); err != nil {
			return 0, errors.New(`want {"duration": "1h"}`)
		}
		s = in.Duration
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, errors.New(`want a non-negative duration, e.g. {"duration": "1h"}`)
	}
	return d, nil
}

func (e *Emulator) adminWorld(body []byte) (*scenario.World, error) {
	var probe struct {
		Name     *string         `json:"name"`
		Seed     int64           `json:"seed"`
		Now      time.Time       `json:"now"`
		Accounts json.RawMessage `json:"accounts"`
	}
	if err := json.Unmarshal(body, &probe); err != nil {
		return nil, errors.New("scenario body must be JSON: " + err.Error())
	}
	if probe.Accounts != nil {
		var w scenario.World
		if err := json.Unmarshal(body, &w); err != nil {
			return nil, err
		}
		return &w, nil
	}
	if probe.Name == nil || *probe.Name == "" {
		return nil, errors.New(`want {"name": "...", "seed": N} or a world with "accounts"`)
	}
	if e.opts.Builder == nil {
		return nil, errors.New("this emulator cannot build named scenarios")
	}
	now := probe.Now
	if now.IsZero() {
		now = e.clock.Now()
	}
	return e.opts.Builder(*probe.Name, probe.Seed, now)
}

func parseAdminFaults(body []byte) ([]FaultRule, error) {
	var rules []FaultRule
	if err := json.Unmarshal(body, &rules); err == nil {
		return rules, nil
	}
	var in struct {
		Rules []FaultRule `json:"rules"`
		Specs []string    `json:"specs"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, errors.New(`want [rules], {"rules": [...]} or {"specs": ["429,p=0.3"]}`)
	}
	rules = in.Rules
	for _, s := range in.Specs {
		f, err := ParseFaultSpec(s)
		if err != nil {
			return nil, err
		}
		rules = append(rules, f)
	}
	return rules, nil
}

func adminJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func adminError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// State is the admin view of the emulator: what is configured and which
// credentials work. Secrets appear only as fingerprints.
type State struct {
	World    string         `json:"world"`
	Now      time.Time      `json:"now"`
	Accounts []AccountState `json:"accounts"`
	Faults   []FaultRule    `json:"faults"`
}

// AccountState is one account in the admin view.
type AccountState struct {
	atoguard.Account
	AuthToken        CredentialState             `json:"auth_token"`
	SecondaryToken   *CredentialState            `json:"secondary_auth_token,omitempty"`
	Keys             []KeyState                  `json:"keys"`
	PhoneNumbers     []atoguard.PhoneNumber      `json:"phone_numbers"`
	Applications     []atoguard.Application      `json:"applications"`
	Services         []atoguard.MessagingService `json:"messaging_services"`
	CallerIDs        []atoguard.CallerID         `json:"caller_ids"`
	UsageTriggers    []atoguard.UsageTrigger     `json:"usage_triggers"`
	VoicePermissions []atoguard.VoicePermission  `json:"voice_permissions"` // countries with anything enabled
	VoiceInheritance bool                        `json:"voice_inheritance"`
	SMSPermissions   []atoguard.SMSPermission    `json:"sms_permissions"` // enabled countries
	Sinks            []map[string]any            `json:"sinks"`
	Subscriptions    []map[string]any            `json:"subscriptions"`
	Counts           map[string]int              `json:"counts"`
}

// CredentialState shows a credential without its value.
type CredentialState struct {
	Fingerprint string `json:"fingerprint"`
	Valid       bool   `json:"valid"`
}

// KeyState is an API key in the admin view (deleted keys are gone: invalid).
type KeyState struct {
	SID          string          `json:"sid"`
	FriendlyName string          `json:"friendly_name"`
	Type         string          `json:"type"`
	Secret       CredentialState `json:"secret"`
	DateCreated  time.Time       `json:"date_created"`
}

func (e *Emulator) stateView() State {
	st := e.st
	s := State{World: e.world.Name, Now: e.clock.Now(), Faults: e.faults.list(), Accounts: []AccountState{}}
	for _, a := range st.order {
		valid := a.Status != "closed"
		as := AccountState{
			Account:          a.Account,
			AuthToken:        CredentialState{atoguard.Fingerprint(a.token), valid},
			VoiceInheritance: a.voiceInherit,
			Keys:             []KeyState{},
			Counts: map[string]int{
				"messages": len(a.msgs.recs), "calls": len(a.calls), "events": len(a.events),
			},
		}
		if a.secondary != "" {
			as.SecondaryToken = &CredentialState{atoguard.Fingerprint(a.secondary), valid}
		}
		c := &call{st: st}
		for _, k := range c.accountKeys(a) {
			as.Keys = append(as.Keys, KeyState{SID: k.SID, FriendlyName: k.FriendlyName, Type: k.Type,
				Secret: CredentialState{atoguard.Fingerprint(k.Secret), valid}, DateCreated: k.DateCreated})
		}
		for _, p := range a.numbers {
			as.PhoneNumbers = append(as.PhoneNumbers, p.PhoneNumber)
		}
		for _, p := range a.apps {
			as.Applications = append(as.Applications, p.Application)
		}
		for _, p := range a.services {
			as.Services = append(as.Services, p.MessagingService)
		}
		for _, p := range a.callerIDs {
			as.CallerIDs = append(as.CallerIDs, p.CallerID)
		}
		for _, p := range a.triggers {
			as.UsageTriggers = append(as.UsageTriggers, p.UsageTrigger)
		}
		for _, iso := range sortedKeys(a.voice) {
			p := a.voice[iso]
			if p.LowRiskEnabled || p.HighRiskSpecialEnabled || p.HighRiskTollFraud {
				as.VoicePermissions = append(as.VoicePermissions, p.VoicePermission)
			}
		}
		for _, iso := range sortedKeys(a.sms) {
			if p := a.sms[iso]; p.Enabled {
				as.SMSPermissions = append(as.SMSPermissions, p.SMSPermission)
			}
		}
		for _, sk := range a.sinks {
			as.Sinks = append(as.Sinks, map[string]any{"sid": sk.sid, "description": sk.description,
				"sink_type": sk.sinkType, "sink_configuration": sk.config, "status": sk.status})
		}
		for _, sb := range a.subs {
			as.Subscriptions = append(as.Subscriptions, map[string]any{"sid": sb.sid, "description": sb.description,
				"sink_sid": sb.sinkSID, "types": sb.types})
		}
		s.Accounts = append(s.Accounts, as)
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// injectEvents appends Monitor events (one object or an array) as if Twilio
// had recorded them now: Console logins, password changes and the like that
// have no API of their own.
func (e *Emulator) injectEvents(body []byte) (int, error) {
	var evs []atoguard.Event
	if err := json.Unmarshal(body, &evs); err != nil {
		var one atoguard.Event
		if err := json.Unmarshal(body, &one); err != nil {
			return 0, errors.New("want a Monitor event object or an array of them: " + err.Error())
		}
		evs = []atoguard.Event{one}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := range evs {
		if e.st.accounts[evs[i].AccountSID] == nil {
			return 0, fmt.Errorf("event %d: unknown account_sid %q", i+1, evs[i].AccountSID)
		}
		if evs[i].EventType == "" {
			return 0, fmt.Errorf("event %d: event_type is required", i+1)
		}
	}
	now := e.clock.Now().UTC()
	for _, ev := range evs {
		a := e.st.accounts[ev.AccountSID]
		if ev.SID == "" {
			ev.SID = e.st.newSID("AE")
		}
		if ev.EventDate.IsZero() {
			ev.EventDate = now
		}
		if ev.Source == "" {
			ev.Source = "web"
		}
		a.appendEvent(ev)
	}
	return len(evs), nil
}

// injectMessages appends traffic to an account (live drills: a pumping
// burst while `serve` watches).
func (e *Emulator) injectMessages(body []byte) (int, error) {
	var in struct {
		AccountSID string             `json:"account_sid"`
		Messages   []atoguard.Message `json:"messages"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return 0, errors.New(`want {"account_sid": "AC…", "messages": [...]}: ` + err.Error())
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.st.accounts[in.AccountSID]
	if a == nil {
		return 0, fmt.Errorf("unknown account_sid %q", in.AccountSID)
	}
	now := e.clock.Now().UTC()
	for i := range in.Messages {
		m := &in.Messages[i]
		if m.SID == "" {
			m.SID = e.st.newSID("SM")
		}
		if m.DateCreated.IsZero() {
			m.DateCreated = now
		}
		if m.DateSent.IsZero() && m.Direction != "inbound" {
			m.DateSent = m.DateCreated
		}
		m.AccountSID = a.SID
		a.msgs.insert(m)
	}
	fireTriggers(a, now, func() string { return e.st.newSID("") })
	return len(in.Messages), nil
}
