package audit

import (
	"cmp"
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/detect"
	"golang.org/x/net/publicsuffix"
)

// hook is one webhook URL of one resource.
type hook struct {
	resource, field, raw string
	*urlInfo
}

// urlInfo is what parsing one URL tells; URLs repeat across numbers and
// accounts, so each distinct one is parsed once per audit.
type urlInfo struct {
	u            *url.URL
	host, domain string // domain: registrable (eTLD+1), "" for IPs
	flags        []detect.URLFlag
}

type urlCache map[string]*urlInfo

func (c urlCache) info(raw string) *urlInfo {
	if i, ok := c[raw]; ok {
		return i
	}
	i := &urlInfo{flags: detect.URLFlags(raw, nil)}
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		i.u = u
		i.host = strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
		i.domain = domainOf(i.host)
	}
	c[raw] = i
	return i
}

// accountHooks lists every URL-valued webhook field of the account:
// numbers, applications, messaging services and usage-trigger callbacks.
func accountHooks(cfg *atoguard.Configuration, cache urlCache) []hook {
	var out []hook
	add := func(resource string, w atoguard.Webhooks) {
		for f, v := range w {
			if v = strings.TrimSpace(v); strings.Contains(v, "://") { // not methods, booleans, empty fields
				out = append(out, hook{resource: resource, field: f, raw: v, urlInfo: cache.info(v)})
			}
		}
	}
	for _, p := range cfg.PhoneNumbers {
		add(p.SID, p.Webhooks)
	}
	for _, p := range cfg.Applications {
		add(p.SID, p.Webhooks)
	}
	for _, p := range cfg.MessagingServices {
		add(p.SID, p.Webhooks)
	}
	for _, t := range cfg.UsageTriggers {
		add(t.SID, atoguard.Webhooks{"callback_url": t.CallbackURL})
	}
	// Map order is random: sort for stable field lists in summaries.
	slices.SortStableFunc(out, func(a, b hook) int {
		return cmp.Or(strings.Compare(a.resource, b.resource), strings.Compare(a.field, b.field))
	})
	return out
}

// domainOf is a host's registrable domain (eTLD+1), "" for an IP address.
func domainOf(host string) string {
	if net.ParseIP(host) != nil {
		return ""
	}
	if d, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return d
	}
	return host
}

func (h hook) has(flag detect.URLFlag) bool { return slices.Contains(h.flags, flag) }

// reserved hosts cannot receive anything (RFC 2606 / 6761): respond's
// placeholder trigger callback lives under .invalid.
func (h hook) reserved() bool {
	return strings.HasSuffix(h.host, ".invalid") || h.host == "invalid" || strings.HasSuffix(h.host, ".example") ||
		h.host == "localhost" || strings.HasSuffix(h.host, ".localhost")
}

// group collects the fields of one resource pointing at one host.
type group struct {
	resource, host string
	fields, urls   []string
}

func groupHooks(hs []hook) []group {
	var out []group
	index := map[[2]string]int{}
	for _, h := range hs {
		key := [2]string{h.resource, h.host}
		i, ok := index[key]
		if !ok {
			out = append(out, group{resource: h.resource, host: h.host})
			i = len(out) - 1
			index[key] = i
		}
		out[i].fields = append(out[i].fields, h.field)
		if !slices.Contains(out[i].urls, h.raw) {
			out[i].urls = append(out[i].urls, h.raw)
		}
	}
	return out
}

func (g group) describe() string {
	u := g.urls[0]
	if len(g.urls) > 1 {
		u += fmt.Sprintf(" (+%d more)", len(g.urls)-1)
	}
	return fmt.Sprintf("%s %s → %s", g.resource, strings.Join(g.fields, ", "), u)
}

// webhookDomainsOf counts the registrable domains of trustworthy-looking
// webhooks (not IP literals, tunnels or reserved names).
func webhookDomainsOf(hs []hook) map[string]int {
	n := map[string]int{}
	for _, h := range hs {
		if h.domain != "" && h.domain != "twilio.com" && !h.has(detect.FlagTunnel) && !h.reserved() {
			n[h.domain]++
		}
	}
	return n
}

// accountSIDIn finds an Account SID (AC + 32 hex digits) in a URL path.
func accountSIDIn(path string) string {
	for i := strings.Index(path, "AC"); i >= 0 && i+34 <= len(path); {
		cand := path[i : i+34]
		if isHex(cand[2:]) && (i+34 == len(path) || !isHexByte(path[i+34])) {
			return cand
		}
		j := strings.Index(path[i+2:], "AC")
		if j < 0 {
			break
		}
		i += 2 + j
	}
	return ""
}

func isHexByte(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F'
}

func isHex(s string) bool {
	for i := range len(s) {
		if !isHexByte(s[i]) {
			return false
		}
	}
	return true
}

// majority returns the domain holding more than half of the counts.
func majority(n map[string]int) string {
	total := 0
	for _, c := range n {
		total += c
	}
	for d, c := range n {
		if 2*c > total {
			return d
		}
	}
	return ""
}

// hostAllowed matches a host against --allow-webhook-hosts entries: a host
// or a domain with its subdomains.
func hostAllowed(host string, allow []string) bool {
	for _, a := range allow {
		a = strings.ToLower(strings.TrimSpace(a))
		if u, err := url.Parse(a); err == nil && u.Host != "" {
			a = u.Hostname()
		}
		a = strings.TrimPrefix(a, "*.")
		if a != "" && (host == a || strings.HasSuffix(host, "."+a)) {
			return true
		}
	}
	return false
}

// webhooks checks where Twilio sends the account's traffic (guidance step
// 10: a webhook host is part of the website to secure; and the takeover
// signal "they can change the URL settings of your phone numbers").
func (c *checker) webhooks(sum *AccountSummary) {
	hs := accountHooks(c.a.Config, c.urls)
	restore := c.respondFix(stepWebhooks, "--webhook-snapshot known-good.json")
	const restoreNote = "known-good.json is a configuration saved by atoguard investigate --snapshot before the change; without one use --safe-webhook-url https://YOUR-APP/twilio"
	var plain, ip, tunnel []hook
	for _, h := range hs {
		switch {
		case h.has(detect.FlagIPLiteral):
			ip = append(ip, h)
		case h.has(detect.FlagTunnel):
			tunnel = append(tunnel, h)
		}
		if h.has(detect.FlagPlainHTTP) {
			plain = append(plain, h)
		}
	}
	for _, g := range groupHooks(ip) {
		c.add(CheckWebhookIPLiteral, atoguard.SeverityHigh, g.resource,
			"webhook on an IP-literal host (no name, no certificate an owner would hold): "+g.describe(), stepWebhooks, restore, 10)
		c.note(restoreNote)
	}
	for _, g := range groupHooks(tunnel) {
		c.add(CheckWebhookTunnel, atoguard.SeverityHigh, g.resource,
			"webhook on a tunnelling or request-capture host (a laptop or an attacker, not production): "+g.describe(), stepWebhooks, restore, 10)
		c.note(restoreNote)
	}

	own := c.ownDomains(hs, sum)
	foreign, otherTwilio := c.outsideHooks(hs, own)
	for _, g := range groupHooks(otherTwilio) {
		c.add(CheckWebhookForeignHost, atoguard.SeverityHigh, g.resource,
			"webhook on Twilio but in another account (not one of the audited family): "+g.describe(), stepWebhooks, restore, 10)
		c.note(restoreNote)
	}
	for _, g := range groupHooks(foreign) {
		c.add(CheckWebhookForeignHost, atoguard.SeverityMedium, g.resource,
			fmt.Sprintf("webhook on a host outside the account's domains (%s): %s", strings.Join(sum.WebhookDomains, ", "), g.describe()),
			stepWebhooks, restore, 10)
		c.note(restoreNote)
	}
	notOwn := func(host string) bool {
		if net.ParseIP(host) != nil || slices.Contains(detect.URLFlags("https://"+host, nil), detect.FlagTunnel) {
			return true
		}
		return own != nil && !own(hook{urlInfo: &urlInfo{host: host, domain: domainOf(host)}})
	}
	for _, g := range groupHooks(plain) {
		fix := fmt.Sprintf("serve %s over HTTPS and change the URL to https:// (Console or API)", g.host)
		step := ""
		if notOwn(g.host) {
			fix, step = restore, stepWebhooks // not the customer's host: restore it
		}
		c.add(CheckWebhookPlainHTTP, atoguard.SeverityHigh, g.resource,
			"webhook over plain HTTP (message bodies, numbers and the request signature readable and forgeable on the way): "+g.describe(),
			step, fix, 10)
		if step != "" {
			c.note(restoreNote)
		}
	}
}

// ownDomains tells which webhook hosts are the customer's: those of
// --allow-webhook-hosts, else the registrable domain most webhooks use (or
// the account family's); nil when that cannot be told.
func (c *checker) ownDomains(hs []hook, sum *AccountSummary) func(hook) bool {
	if len(c.opts.AllowWebhookHosts) > 0 {
		sum.WebhookDomains = slices.Clone(c.opts.AllowWebhookHosts)
		return func(h hook) bool { return hostAllowed(h.host, c.opts.AllowWebhookHosts) }
	}
	counts := webhookDomainsOf(hs)
	maj := majority(counts)
	if maj == "" {
		maj = c.familyDomain
	}
	if maj != "" {
		sum.WebhookDomains = []string{maj}
		return func(h hook) bool { return h.domain == maj }
	}
	if len(counts) > 1 {
		doms := slices.Sorted(maps.Keys(counts))
		c.add(CheckWebhookMixedDomains, atoguard.SeverityLow, "webhooks",
			fmt.Sprintf("webhooks point at %d registrable domains and none holds a majority (%s): outliers cannot be told apart",
				len(doms), strings.Join(doms, ", ")), "", "run atoguard audit --allow-webhook-hosts YOUR-DOMAIN,…", 10)
	}
	return nil
}

// outsideHooks returns the hooks on hosts that are not the customer's
// (own), and those on Twilio that name an account outside the family.
// IP-literal, tunnelling and reserved hosts are reported on their own.
func (c *checker) outsideHooks(hs []hook, own func(hook) bool) (foreign, otherTwilio []hook) {
	for _, h := range hs {
		if h.u == nil || h.has(detect.FlagIPLiteral) || h.has(detect.FlagTunnel) || h.reserved() {
			continue
		}
		if h.domain == "twilio.com" {
			// Twilio-hosted (Studio, TwiML Bins, demo): trusted, unless the
			// URL names an account outside the family — your traffic would
			// run another account's flow.
			if sid := accountSIDIn(h.u.Path); sid != "" && !c.family[sid] {
				otherTwilio = append(otherTwilio, h)
			}
			continue
		}
		if own != nil && !own(h) {
			foreign = append(foreign, h)
		}
	}
	return foreign, otherTwilio
}
