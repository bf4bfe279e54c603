package webexposure

import (
	"net/url"
	"slices"
	"strings"

	"github.com/atoguard/atoguard"
)

// Hook is one URL-valued field of a Twilio resource.
type Hook struct {
	AccountSID, Resource, Field, URL string
}

// ConfigHooks lists the URL fields of an account's configuration: phone
// numbers (voice and SMS URLs, fallbacks, status callbacks), TwiML
// applications, Messaging Services and usage-trigger callbacks.
func ConfigHooks(cfg atoguard.Configuration) []Hook {
	var out []Hook
	add := func(res string, w atoguard.Webhooks) {
		for _, f := range sortedFields(w) {
			if v := strings.TrimSpace(w[f]); strings.Contains(v, "://") {
				out = append(out, Hook{cfg.AccountSID, res, f, v})
			}
		}
	}
	for _, p := range cfg.PhoneNumbers {
		add(p.SID, p.Webhooks)
	}
	for _, a := range cfg.Applications {
		add(a.SID, a.Webhooks)
	}
	for _, m := range cfg.MessagingServices {
		add(m.SID, m.Webhooks)
	}
	for _, t := range cfg.UsageTriggers {
		add(t.SID, atoguard.Webhooks{"callback_url": t.CallbackURL})
	}
	return out
}

func sortedFields(w atoguard.Webhooks) []string {
	ks := make([]string, 0, len(w))
	for k := range w {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// Discover turns hooks into targets, one per distinct URL, and says which
// were left out and why: Twilio's own hosts, reserved names that cannot
// receive anything, URLs that are not http(s) or carry a password.
func Discover(hooks []Hook) (targets []Target, skipped []string) {
	index := map[string]int{}
	for _, h := range hooks {
		src := h.Resource + " " + h.Field
		if why := skipReason(h.URL); why != "" {
			skipped = append(skipped, src+": "+why)
			continue
		}
		i, ok := index[h.URL]
		if !ok {
			targets = append(targets, Target{URL: h.URL, Webhook: true})
			i = len(targets) - 1
			index[h.URL] = i
		}
		if !slices.Contains(targets[i].Sources, src) {
			targets[i].Sources = append(targets[i].Sources, src)
		}
	}
	return targets, skipped
}

func skipReason(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Hostname() == "":
		return "not a URL"
	case u.Scheme != "http" && u.Scheme != "https":
		return "not http or https"
	case u.User != nil:
		return "URL carries a user name or password (not probed; remove it from the webhook)"
	}
	h := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	for _, d := range []string{"twilio.com", "twil.io"} {
		if h == d || strings.HasSuffix(h, "."+d) {
			return "Twilio's own host"
		}
	}
	for _, d := range []string{"invalid", "example", "test", "localhost"} {
		if h == d || strings.HasSuffix(h, "."+d) {
			return "reserved name, cannot receive requests"
		}
	}
	return ""
}
