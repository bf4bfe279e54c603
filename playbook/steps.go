package playbook

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"math"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/atoguard/atoguard"
)

// TriggerPrefix starts the FriendlyName of every usage trigger respond
// creates, so a rerun recognises its own triggers and never duplicates them.
const TriggerPrefix = "atoguard daily limit: "

// EventSinkDescription names the Event Streams sink respond creates.
const EventSinkDescription = "atoguard monitoring"

// DefaultTriggerCallback is a callback URL under the reserved .invalid TLD:
// usage triggers need one, and this one can never leak account data.
const DefaultTriggerCallback = "https://atoguard.invalid/usage-trigger"

func action(step, account, resource, summary, before, after string) atoguard.Action {
	id := step + "/" + account
	if resource != "" && resource != account {
		id += "/" + resource
	}
	return atoguard.Action{ID: id, Step: step, AccountSID: account, Resource: resource, Summary: summary, Before: before, After: after}
}

// ---- delete-keys ----

type keysAPI interface {
	ListKeys(ctx context.Context, account string) iter.Seq2[atoguard.APIKey, error]
	ListIAMKeys(ctx context.Context, account string) iter.Seq2[atoguard.APIKey, error]
	DeleteKey(ctx context.Context, account, sid string) error
	DeleteIAMKey(ctx context.Context, sid string) error
}

func (e *engine) keep() map[string]bool {
	keep := map[string]bool{}
	for _, k := range e.opts.KeepKeys {
		keep[k] = true
	}
	if e.opts.Credential.KeySID != "" { // never cut the branch respond sits on
		keep[e.opts.Credential.KeySID] = true
	}
	return keep
}

func (e *engine) inspectKeys(ctx context.Context, a *acct) ([]op, error) {
	sid := a.info.SID
	std, err := atoguard.Collect(a.tw.ListKeys(ctx, sid))
	if err != nil {
		return nil, fmt.Errorf("listing API keys: %w", err)
	}
	iam, err := atoguard.Collect(a.tw.ListIAMKeys(ctx, sid))
	if err != nil {
		return nil, fmt.Errorf("listing IAM API keys: %w", err)
	}
	keep := e.keep()
	seen := map[string]bool{}
	var ops []op
	add := func(k atoguard.APIKey, viaIAM bool) {
		if keep[k.SID] || seen[k.SID] {
			return
		}
		seen[k.SID] = true
		before := fmt.Sprintf("key %s %q created %s", k.SID, k.FriendlyName, k.DateCreated.Format("2006-01-02 15:04Z"))
		ops = append(ops, op{
			action: action(StepDeleteKeys, sid, k.SID, "delete API key "+k.SID, before, "deleted"),
			do: func(ctx context.Context) (string, error) {
				var err error
				if viaIAM {
					err = a.tw.DeleteIAMKey(ctx, k.SID)
				} else {
					err = a.tw.DeleteKey(ctx, sid, k.SID)
				}
				if isNotFound(err) {
					return "already gone", nil
				}
				return "deleted", err
			},
		})
	}
	for _, k := range std {
		add(k, false)
	}
	for _, k := range iam {
		add(k, true)
	}
	return ops, nil
}

// ---- geo-permissions ----

type geoAPI interface {
	ListVoiceCountries(ctx context.Context) iter.Seq2[atoguard.VoicePermission, error]
	BulkUpdateVoiceCountries(ctx context.Context, p []atoguard.VoicePermission) (int, error)
	ListSMSPermissions(ctx context.Context) ([]atoguard.SMSPermission, error)
	// UpdateSMSPermissions returns one result per item: Twilio answers 200
	// with per-item error codes (30649 = Console only).
	UpdateSMSPermissions(ctx context.Context, p []atoguard.SMSPermission) ([]atoguard.SMSPermissionResult, error)
}

func (e *engine) inspectGeo(ctx context.Context, a *acct) ([]op, error) {
	allow := map[string]bool{}
	for _, c := range e.targets.AllowCountries {
		allow[c] = true
	}
	var ops []op
	voice, err := e.inspectVoice(ctx, a, allow)
	if err != nil {
		return nil, err
	}
	ops = append(ops, voice...)
	sms, err := e.inspectSMS(ctx, a, allow)
	if err != nil {
		return nil, err
	}
	return append(ops, sms...), nil
}

// inspectVoice plans the Voice dialing permissions: low-risk only, within
// the allowlist.
func (e *engine) inspectVoice(ctx context.Context, a *acct, allow map[string]bool) ([]op, error) {
	voice, err := atoguard.Collect(a.tw.ListVoiceCountries(ctx))
	if err != nil {
		return nil, fmt.Errorf("listing voice dialing permissions: %w", err)
	}
	var change []atoguard.VoicePermission
	var enabledBefore []string
	// Containment never widens: a country stays on only if it is on now
	// and on the allowlist.
	for _, v := range voice {
		want := atoguard.VoicePermission{ISOCode: v.ISOCode, Name: v.Name, LowRiskEnabled: v.LowRiskEnabled && allow[v.ISOCode]}
		if v.LowRiskEnabled || v.HighRiskSpecialEnabled || v.HighRiskTollFraud {
			enabledBefore = append(enabledBefore, voiceLabel(v))
		}
		if v.LowRiskEnabled != want.LowRiskEnabled || v.HighRiskSpecialEnabled || v.HighRiskTollFraud {
			change = append(change, want)
		}
	}
	if len(change) == 0 {
		return nil, nil
	}
	return []op{{
		action: action(StepGeoPermissions, a.info.SID, "voice", fmt.Sprintf("restrict Voice dialing permissions (%d countries change)", len(change)),
			"enabled: "+list(enabledBefore), "low-risk only, at most: "+list(e.targets.AllowCountries)+"; high-risk special and toll-fraud off everywhere"),
		do: func(ctx context.Context) (string, error) {
			const batch = 100
			for i := 0; i < len(change); i += batch {
				if _, err := a.tw.BulkUpdateVoiceCountries(ctx, change[i:min(i+batch, len(change))]); err != nil {
					return "", err
				}
			}
			return "", nil
		},
	}}, nil
}

// inspectSMS plans the SMS geo permissions: off outside the allowlist;
// high-risk countries only the Console may change go to the checklist.
func (e *engine) inspectSMS(ctx context.Context, a *acct, allow map[string]bool) ([]op, error) {
	sid := a.info.SID
	sms, err := a.tw.ListSMSPermissions(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing SMS geo permissions: %w", err)
	}
	var change []atoguard.SMSPermission
	var before []string
	for _, p := range sms {
		if p.Enabled {
			before = append(before, p.CountryCode)
		}
		if !p.Enabled || allow[p.CountryCode] {
			continue
		}
		if p.HighRisk { // only the Console may change it: straight to the checklist
			e.addManualSMS(sid, p.CountryCode, false, "marked high risk")
			continue
		}
		change = append(change, atoguard.SMSPermission{CountryCode: p.CountryCode, Enabled: false})
	}
	if len(change) == 0 {
		return nil, nil
	}
	return []op{{
		action: action(StepGeoPermissions, sid, "sms", fmt.Sprintf("restrict SMS geo permissions (%d countries change)", len(change)),
			"enabled: "+list(before), "enabled at most: "+list(e.targets.AllowCountries)),
		do: func(ctx context.Context) (string, error) { return e.updateSMS(ctx, a, change) },
	}}, nil
}

// updateSMS applies the SMS change; Twilio answers per country, and 30649
// (Console only) goes to the checklist.
func (e *engine) updateSMS(ctx context.Context, a *acct, change []atoguard.SMSPermission) (string, error) {
	res, err := a.tw.UpdateSMSPermissions(ctx, change)
	if err != nil {
		return "", err
	}
	var console, failed []string
	for _, r := range res {
		switch r.ErrorCode {
		case 0:
		case 30649:
			console = append(console, r.CountryCode)
			e.addManualSMS(a.info.SID, r.CountryCode, false, "error 30649")
		default:
			failed = append(failed, fmt.Sprintf("%s: %d %s", r.CountryCode, r.ErrorCode, r.Message()))
		}
	}
	if len(failed) > 0 {
		return "", fmt.Errorf("SMS geo permissions not updated: %s", strings.Join(failed, "; "))
	}
	if len(console) > 0 {
		after := consoleOnlyMarker + list(console)
		if len(console) == len(change) {
			return after, errConsoleOnly
		}
		return "enabled at most: " + list(e.targets.AllowCountries) + "; " + after, nil
	}
	return "", nil
}

// consoleOnlyMarker precedes the countries only the Console may change in
// an action's After (Review rebuilds the checklist from it).
const consoleOnlyMarker = "Console only (error 30649, see the checklist): "

// addManualFromAction re-creates the checklist items of a journaled SMS
// update that Twilio refused in part.
func (e *engine) addManualFromAction(a atoguard.Action) {
	i := strings.Index(a.After, consoleOnlyMarker)
	if i < 0 {
		return
	}
	for _, c := range strings.Split(a.After[i+len(consoleOnlyMarker):], ", ") {
		if len(c) == 2 {
			e.addManualSMS(a.AccountSID, c, contains(e.targets.AllowCountries, c), "error 30649")
		}
	}
}

// errConsoleOnly: every item of an update needs the Console (checklist).
const errConsoleOnly = sentinel("only the Console may change this (error 30649)")

func (e *engine) addManualSMS(account, country string, enable bool, why string) {
	verb := "Disable"
	if enable {
		verb = "Enable"
	}
	item := atoguard.ChecklistItem{
		ID: "sms-geo/" + account + "/" + country, Guidance: 7, AccountSID: account,
		Title:  fmt.Sprintf("%s SMS to %s in the Console", verb, country),
		Why:    fmt.Sprintf("Twilio lets only the Console change SMS geo permissions for high-risk countries (%s); attackers pump SMS to exactly such countries.", why),
		How:    "Console → Messaging → Settings → Geo permissions: find " + country + " and " + strings.ToLower(verb) + " it, for account " + account + ".",
		Status: atoguard.CheckPending,
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, m := range e.manual {
		if m.ID == item.ID {
			return
		}
	}
	e.manual = append(e.manual, item)
}

func voiceLabel(v atoguard.VoicePermission) string {
	s := v.ISOCode
	if v.HighRiskSpecialEnabled {
		s += "+special"
	}
	if v.HighRiskTollFraud {
		s += "+tollfraud"
	}
	return s
}

// list renders a short list for people (the report keeps the detail).
func list(items []string) string {
	if len(items) == 0 {
		return "none"
	}
	if len(items) > 12 {
		return strings.Join(items[:12], ", ") + fmt.Sprintf(" … (+%d)", len(items)-12)
	}
	return strings.Join(items, ", ")
}

// ---- usage-triggers ----

type triggersAPI interface {
	ListUsageTriggers(ctx context.Context, account string) iter.Seq2[atoguard.UsageTrigger, error]
	CreateUsageTrigger(ctx context.Context, account string, t atoguard.UsageTrigger) (atoguard.UsageTrigger, error)
	DeleteUsageTrigger(ctx context.Context, account, sid string) error
}

// TriggerCategories are the usage categories that get a daily limit, with
// what the limit counts.
func TriggerCategories() map[string]string {
	return map[string]string{"totalprice": "price", "sms": "count", "calls": "count"}
}

// TriggerCategoryOrder lists TriggerCategories' keys in a stable order for
// people (money first).
func TriggerCategoryOrder() []string { return []string{"totalprice", "sms", "calls"} }

func (e *engine) inspectTriggers(ctx context.Context, a *acct) ([]op, error) {
	sid := a.info.SID
	existing, err := atoguard.Collect(a.tw.ListUsageTriggers(ctx, sid))
	if err != nil {
		return nil, fmt.Errorf("listing usage triggers: %w", err)
	}
	limits, err := e.limits(ctx, a)
	if err != nil {
		return nil, err
	}
	callback := e.opts.TriggerCallback
	if callback == "" {
		callback = DefaultTriggerCallback
	}
	cats := make([]string, 0, len(limits))
	for c := range limits {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	var ops []op
	for _, cat := range cats {
		want := atoguard.UsageTrigger{AccountSID: sid, FriendlyName: TriggerPrefix + cat, UsageCategory: cat,
			TriggerBy: TriggerCategories()[cat], TriggerValue: limits[cat], Recurring: "daily", CallbackURL: callback}
		var mine []atoguard.UsageTrigger
		keepIdx := -1
		for _, t := range existing {
			if !strings.HasPrefix(t.FriendlyName, TriggerPrefix) || t.UsageCategory != cat {
				continue
			}
			if keepIdx < 0 && sameTrigger(t, want) {
				keepIdx = len(mine)
			}
			mine = append(mine, t)
		}
		var stale []atoguard.UsageTrigger
		for i, t := range mine {
			if i != keepIdx {
				stale = append(stale, t)
			}
		}
		if keepIdx >= 0 && len(stale) == 0 {
			continue
		}
		before := "none"
		if len(mine) > 0 {
			var b []string
			for _, t := range mine {
				b = append(b, fmt.Sprintf("%s %g %s", t.SID, t.TriggerValue, t.Recurring))
			}
			before = strings.Join(b, ", ")
		}
		create := keepIdx < 0
		ops = append(ops, op{
			action: action(StepUsageTriggers, sid, cat, fmt.Sprintf("daily usage trigger on %s", cat), before,
				fmt.Sprintf("one daily trigger at %g (%s)", want.TriggerValue, want.TriggerBy)),
			do: func(ctx context.Context) (string, error) {
				// create before deleting: never a moment without a limit
				if create {
					t, err := a.tw.CreateUsageTrigger(ctx, sid, want)
					if err != nil {
						return "", err
					}
					want.SID = t.SID
				}
				for _, t := range stale {
					if err := a.tw.DeleteUsageTrigger(ctx, sid, t.SID); err != nil && !isNotFound(err) {
						return "", err
					}
				}
				return fmt.Sprintf("daily trigger %s at %g (%s)", want.SID, want.TriggerValue, want.TriggerBy), nil
			},
		})
	}
	return ops, nil
}

func sameTrigger(t, want atoguard.UsageTrigger) bool {
	return t.Recurring == want.Recurring && strings.EqualFold(t.TriggerBy, want.TriggerBy) &&
		math.Abs(t.TriggerValue-want.TriggerValue) < 0.005 && t.CallbackURL == want.CallbackURL
}

// ---- caller-ids ----

type callerIDsAPI interface {
	ListCallerIDs(ctx context.Context, account string) iter.Seq2[atoguard.CallerID, error]
	DeleteCallerID(ctx context.Context, account, sid string) error
}

func (e *engine) inspectCallerIDs(ctx context.Context, a *acct) ([]op, error) {
	sid := a.info.SID
	ids, err := atoguard.Collect(a.tw.ListCallerIDs(ctx, sid))
	if err != nil {
		return nil, fmt.Errorf("listing caller IDs: %w", err)
	}
	allowed := func(c atoguard.CallerID) (bool, string) {
		if len(e.opts.CallerIDAllowlist) > 0 {
			return contains(e.opts.CallerIDAllowlist, c.PhoneNumber) || contains(e.opts.CallerIDAllowlist, c.SID), "not on the allowlist"
		}
		if snap := e.snapshot(sid); snap != nil {
			for _, s := range snap.CallerIDs {
				if s.SID == c.SID || s.PhoneNumber == c.PhoneNumber {
					return true, ""
				}
			}
			return false, "not in the known-good snapshot"
		}
		return c.DateCreated.Before(e.opts.incidentStart()), "added after the incident start"
	}
	var ops []op
	for _, c := range ids {
		ok, why := allowed(c)
		if ok {
			continue
		}
		ops = append(ops, op{
			action: action(StepCallerIDs, sid, c.SID, "remove caller ID "+c.PhoneNumber+" ("+why+")",
				fmt.Sprintf("%s %q verified %s", c.PhoneNumber, c.FriendlyName, c.DateCreated.Format("2006-01-02 15:04Z")), "removed"),
			do: func(ctx context.Context) (string, error) {
				err := a.tw.DeleteCallerID(ctx, sid, c.SID)
				if isNotFound(err) {
					return "already gone", nil
				}
				return "removed", err
			},
		})
	}
	return ops, nil
}

// ---- webhooks ----

type webhooksAPI interface {
	ListIncomingPhoneNumbers(ctx context.Context, account string) iter.Seq2[atoguard.PhoneNumber, error]
	UpdateIncomingPhoneNumber(ctx context.Context, account, sid string, w atoguard.Webhooks) (atoguard.PhoneNumber, error)
	ListApplications(ctx context.Context, account string) iter.Seq2[atoguard.Application, error]
	UpdateApplication(ctx context.Context, account, sid string, w atoguard.Webhooks) (atoguard.Application, error)
	ListMessagingServices(ctx context.Context) iter.Seq2[atoguard.MessagingService, error]
	UpdateMessagingService(ctx context.Context, sid string, w atoguard.Webhooks) (atoguard.MessagingService, error)
}

func (e *engine) snapshot(account string) *atoguard.Configuration {
	for i := range e.opts.Snapshot {
		if e.opts.Snapshot[i].AccountSID == account {
			return &e.opts.Snapshot[i]
		}
	}
	return nil
}

// hookResource is anything with webhooks: numbers, applications, services.
type hookResource struct {
	kind, sid, name string
	hooks           atoguard.Webhooks
	update          func(ctx context.Context, w atoguard.Webhooks) error
}

func (e *engine) inspectWebhooks(ctx context.Context, a *acct) ([]op, error) {
	sid := a.info.SID
	res, err := hookResources(ctx, a)
	if err != nil {
		return nil, err
	}
	good, source, err := e.knownGoodHooks(ctx, a)
	if err != nil {
		return nil, err
	}
	known := knownHosts(good)
	var ops []op
	for _, r := range res {
		target, unknown := e.hookTarget(r, good[r.sid], known)
		if len(target) == 0 {
			continue
		}
		var now, want []string // "field value", in the same order
		for _, f := range slices.Sorted(maps.Keys(target)) {
			now = append(now, f+" "+show(r.hooks[f]))
			w := f + " " + show(target[f])
			if unknown[f] {
				w += " (unknown host)"
			}
			want = append(want, w)
		}
		ops = append(ops, op{
			action: action(StepWebhooks, sid, r.sid, fmt.Sprintf("restore webhooks of %s %s from the %s", r.kind, r.name, source),
				strings.Join(now, "; "), strings.Join(want, "; ")),
			do: func(ctx context.Context) (string, error) { return "restored", r.update(ctx, target) },
		})
	}
	return ops, nil
}

// hookResources lists the account's numbers, applications and Messaging
// Services, each with its update call.
func hookResources(ctx context.Context, a *acct) ([]hookResource, error) {
	sid := a.info.SID
	var res []hookResource
	nums, err := atoguard.Collect(a.tw.ListIncomingPhoneNumbers(ctx, sid))
	if err != nil {
		return nil, fmt.Errorf("listing phone numbers: %w", err)
	}
	for _, n := range nums {
		res = append(res, hookResource{"phone number", n.SID, n.PhoneNumber, n.Webhooks,
			func(ctx context.Context, w atoguard.Webhooks) error {
				_, err := a.tw.UpdateIncomingPhoneNumber(ctx, sid, n.SID, w)
				return err
			}})
	}
	apps, err := atoguard.Collect(a.tw.ListApplications(ctx, sid))
	if err != nil {
		return nil, fmt.Errorf("listing applications: %w", err)
	}
	for _, ap := range apps {
		res = append(res, hookResource{"application", ap.SID, ap.FriendlyName, ap.Webhooks,
			func(ctx context.Context, w atoguard.Webhooks) error {
				_, err := a.tw.UpdateApplication(ctx, sid, ap.SID, w)
				return err
			}})
	}
	svcs, err := atoguard.Collect(a.tw.ListMessagingServices(ctx))
	if err != nil {
		return nil, fmt.Errorf("listing messaging services: %w", err)
	}
	for _, s := range svcs {
		res = append(res, hookResource{"messaging service", s.SID, s.FriendlyName, s.Webhooks,
			func(ctx context.Context, w atoguard.Webhooks) error {
				_, err := a.tw.UpdateMessagingService(ctx, s.SID, w)
				return err
			}})
	}
	return res, nil
}

// knownGoodHooks returns the known-good webhooks by resource SID: the
// snapshot, else what Monitor events say the values were before the
// incident changed them; and which of the two it is.
func (e *engine) knownGoodHooks(ctx context.Context, a *acct) (map[string]atoguard.Webhooks, string, error) {
	snap := e.snapshot(a.info.SID)
	if snap == nil {
		evs, err := atoguard.Collect(a.tw.ListEvents(ctx, atoguard.EventFilter{Start: e.opts.incidentStart(), End: e.opts.now()}))
		if err != nil {
			return nil, "", fmt.Errorf("listing Monitor events: %w", err)
		}
		return previousValues(evs), "value before the incident (Monitor events)", nil
	}
	good := map[string]atoguard.Webhooks{}
	for _, n := range snap.PhoneNumbers {
		good[n.SID] = n.Webhooks
	}
	for _, ap := range snap.Applications {
		good[ap.SID] = ap.Webhooks
	}
	for _, s := range snap.MessagingServices {
		good[s.SID] = s.Webhooks
	}
	return good, "snapshot", nil
}

// hookTarget is what r's webhooks should become: the known-good values
// where they differ, and with a safe URL, that URL for fields on hosts not
// in the known-good set (marked in unknown).
func (e *engine) hookTarget(r hookResource, good atoguard.Webhooks, known map[string]bool) (target atoguard.Webhooks, unknown map[string]bool) {
	target, unknown = atoguard.Webhooks{}, map[string]bool{}
	for f, v := range good {
		if !isURLField(f) && r.hooks[f] == "" {
			continue // methods: restore only alongside URLs
		}
		if r.hooks[f] != v {
			target[f] = v
		}
	}
	if e.opts.SafeWebhookURL == "" || len(known) == 0 {
		return target, unknown
	}
	for f, v := range r.hooks {
		if _, done := target[f]; done || !isURLField(f) || v == "" || v == e.opts.SafeWebhookURL {
			continue
		}
		if !known[host(v)] {
			target[f] = e.opts.SafeWebhookURL
			unknown[f] = true
		}
	}
	return target, unknown
}

func show(v string) string {
	if v == "" {
		return "(empty)"
	}
	return v
}

func isURLField(f string) bool {
	return strings.HasSuffix(f, "url") || strings.HasSuffix(f, "callback")
}

func host(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return strings.ToLower(p.Hostname())
}

func knownHosts(good map[string]atoguard.Webhooks) map[string]bool {
	out := map[string]bool{}
	for _, w := range good {
		for f, v := range w {
			if isURLField(f) && v != "" {
				out[host(v)] = true
			}
		}
	}
	return out
}

// previousValues reads *.updated Monitor events on webhook-bearing resources
// and returns, per resource, each changed field's value before its first
// change in the window.
func previousValues(evs []atoguard.Event) map[string]atoguard.Webhooks {
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].EventDate.Before(evs[j].EventDate) })
	out := map[string]atoguard.Webhooks{}
	for _, ev := range evs {
		if !strings.HasSuffix(ev.EventType, ".updated") || ev.ResourceSID == "" {
			continue
		}
		switch strings.TrimSuffix(ev.EventType, ".updated") {
		case "phone-number", "application", "messaging-service", "service":
		default:
			continue
		}
		for f, v := range ev.Data {
			m, ok := v.(map[string]any)
			if !ok {
				continue
			}
			prev, ok := m["previous"].(string)
			if !ok {
				continue
			}
			w := out[ev.ResourceSID]
			if w == nil {
				w = atoguard.Webhooks{}
				out[ev.ResourceSID] = w
			}
			if _, seen := w[f]; !seen {
				w[f] = prev
			}
		}
	}
	return out
}

// ---- suspend-subaccounts ----

type suspendAPI interface {
	UpdateAccountStatus(ctx context.Context, sid, status string) (atoguard.Account, error)
}

func (e *engine) inspectSuspend(ctx context.Context, a *acct) ([]op, error) {
	sid := a.info.SID
	if !contains(e.opts.SuspendAccounts, sid) {
		return nil, nil
	}
	if sid == e.main.AccountSID {
		return nil, atoguard.Errorf(atoguard.EINVALID, "suspend", "the main account cannot be suspended through the API")
	}
	cur, err := e.tw.FetchAccount(ctx, sid)
	if err != nil {
		return nil, err
	}
	if cur.Status == "suspended" {
		return nil, nil
	}
	return []op{{
		action: action(StepSuspendSubaccounts, sid, sid, "suspend subaccount "+sid, "status "+cur.Status, "status suspended"),
		do: func(ctx context.Context) (string, error) {
			_, err := e.tw.UpdateAccountStatus(ctx, sid, "suspended")
			return "", err
		},
	}}, nil
}

// ---- event-sink ----

type eventSinkAPI interface {
	ListEventSinks(ctx context.Context) iter.Seq2[atoguard.EventSink, error]
	CreateEventSink(ctx context.Context, description, destination string) (atoguard.EventSink, error)
}

func (e *engine) inspectEventSink(ctx context.Context, a *acct) ([]op, error) {
	if a.info.SID != e.main.AccountSID {
		return nil, nil
	}
	sinks, err := atoguard.Collect(a.tw.ListEventSinks(ctx))
	if err != nil {
		return nil, fmt.Errorf("listing Event Streams sinks: %w", err)
	}
	for _, s := range sinks {
		if s.Destination == e.opts.EventSinkURL {
			return nil, nil
		}
	}
	return []op{{
		action: action(StepEventSink, a.info.SID, "sink", "create an Event Streams webhook sink", "no sink to "+e.opts.EventSinkURL, "sink to "+e.opts.EventSinkURL),
		do: func(ctx context.Context) (string, error) {
			s, err := a.tw.CreateEventSink(ctx, EventSinkDescription, e.opts.EventSinkURL)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("sink %s (%s) to %s", s.SID, s.Status, e.opts.EventSinkURL), nil
		},
	}}, nil
}
