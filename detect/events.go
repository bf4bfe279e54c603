package detect

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
)

// eventRule is how one kind of change is judged: its severity when the
// actor looks like an attacker and when it looks like a known user.
type eventRule struct {
	sign               atoguard.Sign
	attacker, familiar atoguard.Severity
	what               string
}

func eventRules() map[string]eventRule {
	C, H, M, L := atoguard.SeverityCritical, atoguard.SeverityHigh, atoguard.SeverityMedium, atoguard.SeverityLow
	return map[string]eventRule{
		atoguard.IDPasswordChanged:     {atoguard.SignCredentialChange, C, M, "password changed"},
		atoguard.IDEmailChanged:        {atoguard.SignCredentialChange, C, M, "user email changed"},
		atoguard.IDNewSessionIP:        {atoguard.SignCredentialChange, H, L, "Console login from a new IP"},
		atoguard.IDAPIKeyCreated:       {atoguard.SignAccountChange, H, M, "API key created"},
		atoguard.IDAuthTokenChanged:    {atoguard.SignAccountChange, H, M, "auth token changed"},
		atoguard.IDWebhookChanged:      {atoguard.SignWebhookChange, H, M, "webhook URL changed"},
		atoguard.IDGeoWidened:          {atoguard.SignUnusualCountries, H, M, "geo permissions changed"},
		atoguard.IDUsageTriggerDeleted: {atoguard.SignAccountChange, H, M, "usage trigger deleted"},
		atoguard.IDCallerIDAdded:       {atoguard.SignAccountChange, H, L, "caller ID added"},
		atoguard.IDSubaccountCreated:   {atoguard.SignAccountChange, H, L, "subaccount created"},
		atoguard.IDEvidenceDeleted:     {atoguard.SignAccountChange, H, M, "records deleted (evidence tampering)"},
		atoguard.IDUserAdded:           {atoguard.SignCredentialChange, H, L, "Console user added or invited"},
	}
}

// classifyEvent maps a Monitor event to a signal id ("" = not interesting).
func classifyEvent(e *atoguard.Event) string {
	t := e.EventType
	switch {
	case strings.HasPrefix(t, "user-password."):
		if strings.HasSuffix(t, ".deleted") {
			return ""
		}
		return atoguard.IDPasswordChanged
	case strings.Contains(t, "email"):
		return atoguard.IDEmailChanged
	case t == "user.updated":
		for k := range e.Data {
			if strings.Contains(strings.ToLower(k), "email") {
				return atoguard.IDEmailChanged
			}
		}
		if strings.Contains(strings.ToLower(e.Description), "email") {
			return atoguard.IDEmailChanged
		}
		return ""
	case t == "user-session.created":
		return atoguard.IDNewSessionIP
	case t == "user.created", t == "user-invitation.created":
		return atoguard.IDUserAdded
	case t == "account-api-keys.created", t == "account-keys.created", t == "account-credentials.created",
		t == "signing-keys.created", t == "account-signing-keys.created":
		return atoguard.IDAPIKeyCreated
	case strings.HasPrefix(t, "account-auth-token."), strings.HasPrefix(t, "account-secondary-auth-token."):
		return atoguard.IDAuthTokenChanged
	case strings.HasPrefix(t, "phone-number."), strings.HasPrefix(t, "application."), strings.HasPrefix(t, "messaging-service."),
		strings.HasPrefix(t, "shortcode."), strings.HasPrefix(t, "sip-domain."):
		if len(webhookChanges(e)) > 0 {
			return atoguard.IDWebhookChanged
		}
		return ""
	case strings.Contains(t, "geographic-permissions.") || strings.Contains(t, "geo-permissions") || strings.HasPrefix(t, "dialing-permissions."):
		if !geoWidened(e) {
			return "" // only narrowed (the before/after data says so)
		}
		return atoguard.IDGeoWidened
	case t == "usage-trigger.deleted":
		return atoguard.IDUsageTriggerDeleted
	case t == "caller-id.created":
		return atoguard.IDCallerIDAdded
	case t == "account.created":
		return atoguard.IDSubaccountCreated
	case t == "message.deleted", t == "message-body.deleted", t == "recording.deleted", t == "call.deleted",
		t == "messages.deleted", t == "calls.deleted":
		return atoguard.IDEvidenceDeleted
	}
	return ""
}

// webhookChange is one webhook field's old and new value.
type webhookChange struct {
	field, previous, updated string
}

func webhookChanges(e *atoguard.Event) []webhookChange {
	var out []webhookChange
	for k, v := range e.Data {
		lk := strings.ToLower(k)
		if !strings.Contains(lk, "url") && !strings.Contains(lk, "callback") {
			continue
		}
		if strings.Contains(lk, "method") {
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			continue
		}
		prev, _ := m["previous"].(string)
		upd, _ := m["updated"].(string)
		if prev == upd {
			continue
		}
		out = append(out, webhookChange{k, prev, upd})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].field < out[j].field })
	return out
}

// geoWidened reports whether a permissions event enabled something. With no
// before/after data it cannot tell and says yes.
func geoWidened(e *atoguard.Event) bool {
	seen := false
	for _, v := range e.Data {
		m, ok := v.(map[string]any)
		if !ok {
			continue
		}
		p, pok := m["previous"]
		u, uok := m["updated"]
		if !pok || !uok {
			continue
		}
		seen = true
		if truthy(u) && !truthy(p) {
			return true
		}
	}
	return !seen
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x == "true" || x == "enabled" || x == "1"
	case float64:
		return x != 0
	}
	return false
}

// tunnelSuffixes are hosts that expose a laptop to the internet: fine for a
// developer, a favourite of attackers redirecting webhooks.
func tunnelSuffixes() []string {
	return []string{"ngrok.io", "ngrok-free.app", "ngrok.app", "ngrok.dev", "ngrok-free.dev", "trycloudflare.com",
		"loca.lt", "localtunnel.me", "serveo.net", "serveousercontent.com", "localhost.run", "lhr.life", "lhr.rocks",
		"pagekite.me", "telebit.cloud", "telebit.io", "bore.pub", "tunnelmole.net", "tunnelto.dev", "pinggy.io",
		"pinggy.link", "localxpose.io", "loclx.io", "devtunnels.ms", "requestbin.net", "pipedream.net", "webhook.site",
		"beeceptor.com", "burpcollaborator.net", "oast.fun", "oast.me", "interact.sh"}
}

// URLFlag is one thing that is risky about a webhook URL.
type URLFlag int

const (
	FlagUnparsable URLFlag = iota + 1
	FlagNewHost            // not a host the business used before
	FlagPlainHTTP
	FlagTunnel    // a tunnelling or request-capture service
	FlagIPLiteral // an address instead of a name
)

// String is the flag as people read it in evidence.
func (f URLFlag) String() string {
	switch f {
	case FlagUnparsable:
		return "unparsable"
	case FlagNewHost:
		return "new host"
	case FlagPlainHTTP:
		return "plain HTTP"
	case FlagTunnel:
		return "tunnelling host"
	case FlagIPLiteral:
		return "IP-literal host"
	}
	return "unknown"
}

// Risky reports the flags that make a webhook an attacker's favourite.
func (f URLFlag) Risky() bool { return f == FlagPlainHTTP || f == FlagTunnel || f == FlagIPLiteral }

// URLFlags describes what is risky about a webhook URL.
func URLFlags(raw string, knownHosts map[string]bool) []URLFlag {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return []URLFlag{FlagUnparsable}
	}
	host := strings.ToLower(u.Hostname())
	var flags []URLFlag
	if knownHosts != nil && !knownHosts[host] {
		flags = append(flags, FlagNewHost)
	}
	if u.Scheme == "http" {
		flags = append(flags, FlagPlainHTTP)
	}
	for _, s := range tunnelSuffixes() {
		if host == s || strings.HasSuffix(host, "."+s) {
			flags = append(flags, FlagTunnel)
			break
		}
	}
	if net.ParseIP(host) != nil {
		flags = append(flags, FlagIPLiteral)
	}
	return flags
}

// flagText joins flags for evidence.
func flagText(flags []URLFlag) string {
	parts := make([]string, len(flags))
	for i, f := range flags {
		parts[i] = f.String()
	}
	return strings.Join(parts, ", ")
}

func hostOf(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// learnBaselineActors records who acts on the account family normally.
func (r *run) learnBaselineActors() {
	r.knownActors, r.knownIPs, r.knownNets, r.knownCountry = map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i := range r.ds.Accounts {
		for j := range r.ds.Accounts[i].Events {
			e := &r.ds.Accounts[i].Events[j]
			if !e.EventDate.Before(r.ds.Since) || r.ownEvent(e) != ownNone {
				continue // atoguard's own changes teach nothing about the account's users
			}
			r.baselineEvent++
			if e.ActorSID != "" {
				r.knownActors[e.ActorSID] = true
			}
			if e.SourceIP != "" {
				r.knownIPs[e.SourceIP] = true
				r.knownNets[network(e.SourceIP)] = true
			}
			if c := eventCountry(e); c != "" {
				r.knownCountry[c] = true
			}
		}
	}
}

// network is the /16 (IPv4) or /48 (IPv6) around an address: a user's home
// or office address changes within it, an attacker's does not.
func network(ip string) string {
	p := net.ParseIP(ip)
	if p == nil {
		return ip
	}
	if v4 := p.To4(); v4 != nil {
		return fmt.Sprintf("%d.%d.0.0/16", v4[0], v4[1])
	}
	return (&net.IPNet{IP: p.Mask(net.CIDRMask(48, 128)), Mask: net.CIDRMask(48, 128)}).String()
}

// eventCountry reads a country from event data when Twilio supplies one.
func eventCountry(e *atoguard.Event) string {
	for _, k := range []string{"country", "ip_country", "country_code", "location"} {
		if s, ok := e.Data[k].(string); ok && s != "" {
			return strings.ToUpper(s)
		}
	}
	return ""
}

// attributedEvent is a window event judged for attacker attribution.
type attributedEvent struct {
	ev       atoguard.Event
	signalID string
	attacker bool
	why      []string
	own      string // ownRespond or ownCredential: atoguard's own change, never evidence
}

// attribute decides whether an event looks like the attacker: a source IP
// never seen in the baseline AND (an unknown actor, an unknown network or an
// unknown country). A known user on a new address in a known network is not.
func (r *run) attribute(e *atoguard.Event) (bool, []string) {
	if e.Source == "twilio" || e.ActorType == "twilio-admin" {
		return false, []string{"Twilio"}
	}
	if r.baselineEvent == 0 {
		return false, []string{"no baseline events to compare"}
	}
	if e.SourceIP == "" || r.knownIPs[e.SourceIP] {
		return false, []string{"known IP"}
	}
	why := []string{"new IP " + e.SourceIP}
	strong := false
	if e.ActorSID != "" && !r.knownActors[e.ActorSID] {
		why = append(why, "new actor "+e.ActorSID)
		strong = true
	}
	if !r.knownNets[network(e.SourceIP)] {
		why = append(why, "new network "+network(e.SourceIP))
		strong = true
	}
	if c := eventCountry(e); c != "" && len(r.knownCountry) > 0 && !r.knownCountry[c] {
		why = append(why, "new country "+c)
		strong = true
	}
	return strong, why
}

func (r *run) events(a *AccountData) ([]atoguard.Signal, []attributedEvent) {
	groups := map[string]*eventGroup{}
	var gorder []*eventGroup
	var attributed []attributedEvent
	evs := slices.Clone(a.Events)
	slices.SortStableFunc(evs, func(x, y atoguard.Event) int { return x.EventDate.Compare(y.EventDate) })
	for i := range evs {
		e := &evs[i]
		if !r.inWindow(e.EventDate) {
			continue
		}
		if own := r.ownEvent(e); own != ownNone {
			attributed = append(attributed, attributedEvent{ev: *e, own: own})
			continue
		}
		id := classifyEvent(e)
		att, why := r.attribute(e)
		ae := attributedEvent{ev: *e, signalID: id, attacker: att, why: why}
		if id == "" {
			if att {
				attributed = append(attributed, ae) // attacker activity without its own signal
			}
			continue
		}
		if id == atoguard.IDNewSessionIP && (e.SourceIP == "" || r.knownIPs[e.SourceIP]) {
			continue // a login from a known address is no news
		}
		attributed = append(attributed, ae)
		key := id + fmt.Sprint(att)
		g := groups[key]
		if g == nil {
			g = &eventGroup{id: id, attacker: att}
			groups[key] = g
			gorder = append(gorder, g)
		}
		g.evs = append(g.evs, ae)
	}
	rules, known := eventRules(), r.knownHosts()
	var out []atoguard.Signal
	for _, g := range gorder {
		out = append(out, r.eventSignal(a.Account.SID, g, rules[g.id], known))
	}
	return out, attributed
}

// eventGroup is the window events of one signal id, split by attribution.
type eventGroup struct {
	id       string
	attacker bool
	evs      []attributedEvent
}

// eventSignal turns a group of events into its signal: what changed, by
// whom, from where, with the risk flags of changed webhook URLs.
func (r *run) eventSignal(sid string, g *eventGroup, rule eventRule, known map[string]bool) atoguard.Signal {
	sev, conf := rule.familiar, 0.5
	if g.attacker {
		sev, conf = rule.attacker, 0.85
	}
	ev := atoguard.Evidence{Counts: map[string]float64{"events": float64(len(g.evs))}, Details: map[string]string{}}
	ips, actors := map[string]bool{}, map[string]bool{}
	var flagsAll []URLFlag
	for _, ae := range g.evs {
		e := ae.ev
		ev.Records = appendLimited(ev.Records, maxRecords, e.SID)
		// What changed comes first; who and from where after it.
		line := e.EventDate.UTC().Format(time.RFC3339) + " " + e.EventType
		if e.ResourceSID != "" {
			line += " " + e.ResourceSID
		}
		if g.id == atoguard.IDWebhookChanged {
			for _, c := range webhookChanges(&e) {
				flags := URLFlags(c.updated, known)
				for _, f := range flags {
					if !slices.Contains(flagsAll, f) {
						flagsAll = append(flagsAll, f)
					}
				}
				line += fmt.Sprintf("; %s: %s → %s", c.field, orDash(c.previous), orDash(c.updated))
				if len(flags) > 0 {
					line += " [" + flagText(flags) + "]"
				}
			}
		}
		line += fmt.Sprintf("; by %s from %s", orDash(e.ActorSID), orDash(e.SourceIP))
		if len(ae.why) > 0 {
			line += " (" + strings.Join(ae.why, ", ") + ")"
		}
		ev.Examples = appendLimited(ev.Examples, 10, line)
		if e.SourceIP != "" {
			ips[e.SourceIP] = true
		}
		if e.ActorSID != "" {
			actors[e.ActorSID] = true
		}
	}
	if len(flagsAll) > 0 {
		ev.Details["url_flags"] = flagText(flagsAll)
		ev.Details["url_risky"] = fmt.Sprint(slices.ContainsFunc(flagsAll, URLFlag.Risky))
		risky := slices.ContainsFunc(flagsAll, URLFlag.Risky)
		if g.attacker && risky {
			sev = atoguard.SeverityCritical
		} else if risky && sev.Rank() < atoguard.SeverityHigh.Rank() {
			sev = atoguard.SeverityHigh
		}
	}
	ev.Details["source_ips"] = strings.Join(sortedKeys(ips), ",")
	ev.Details["actors"] = strings.Join(sortedKeys(actors), ",")
	ev.Details["attributed_to_attacker"] = fmt.Sprint(g.attacker)
	first, last := g.evs[0].ev.EventDate, g.evs[len(g.evs)-1].ev.EventDate
	who := "a known user"
	if g.attacker {
		who = "a likely attacker"
	} else if r.baselineEvent == 0 {
		who = "an unattributed actor (no baseline events)"
	}
	summary := fmt.Sprintf("%s ×%d by %s", rule.what, len(g.evs), who)
	if len(g.evs) == 1 {
		summary = fmt.Sprintf("%s by %s", rule.what, who)
	}
	if len(ips) > 0 {
		summary += " from " + strings.Join(limitStrings(sortedKeys(ips), 3), ", ")
	}
	if g.id == atoguard.IDWebhookChanged && len(flagsAll) > 0 {
		summary += " [" + flagText(flagsAll) + "]"
	}
	return atoguard.Signal{ID: g.id, Sign: rule.sign, Severity: sev, Confidence: conf,
		AccountSID: sid, Start: first, End: last.Add(time.Second), Summary: summary, Evidence: ev}
}

// knownHosts are webhook hosts the business used before the window: the
// previous values of changes and the known-good snapshot.
func (r *run) knownHosts() map[string]bool {
	if r.hosts != nil {
		return r.hosts
	}
	known := map[string]bool{}
	for _, acc := range r.ds.Accounts {
		for _, e := range acc.Events {
			for _, c := range webhookChanges(&e) {
				if h := hostOf(c.previous); h != "" {
					known[h] = true
				}
			}
		}
		if acc.Known != nil {
			for _, pn := range acc.Known.PhoneNumbers {
				addHookHosts(known, pn.Webhooks)
			}
			for _, ap := range acc.Known.Applications {
				addHookHosts(known, ap.Webhooks)
			}
			for _, ms := range acc.Known.MessagingServices {
				addHookHosts(known, ms.Webhooks)
			}
		}
	}
	// Hosts of the present configuration that no window change introduced.
	introduced := r.introducedHosts()
	for _, acc := range r.ds.Accounts {
		if acc.Config == nil {
			continue
		}
		cur := map[string]bool{}
		for _, pn := range acc.Config.PhoneNumbers {
			addHookHosts(cur, pn.Webhooks)
		}
		for _, ap := range acc.Config.Applications {
			addHookHosts(cur, ap.Webhooks)
		}
		for h := range cur {
			if !introduced[h] {
				known[h] = true
			}
		}
	}
	r.hosts = known
	return known
}

// addHookHosts adds the hosts of w's URLs (not its methods) to set.
func addHookHosts(set map[string]bool, w atoguard.Webhooks) {
	for k, v := range w {
		if strings.Contains(k, "method") {
			continue
		}
		if h := hostOf(v); h != "" {
			set[h] = true
		}
	}
}

// introducedHosts are the hosts webhook changes in the window set.
func (r *run) introducedHosts() map[string]bool {
	introduced := map[string]bool{}
	for _, acc := range r.ds.Accounts {
		for _, e := range acc.Events {
			if r.inWindow(e.EventDate) {
				for _, c := range webhookChanges(&e) {
					introduced[hostOf(c.updated)] = true
				}
			}
		}
	}
	return introduced
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
