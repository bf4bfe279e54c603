package detect

import "github.com/atoguard/atoguard/detect/phish"

// NewPhisher adapts detect/phish's analyzer to the Phisher detect uses.
func NewPhisher(a *phish.Analyzer) Phisher { return phishAdapter{a} }

type phishAdapter struct{ a *phish.Analyzer }

func (p phishAdapter) Analyze(text string) PhishResult {
	r := p.a.Analyze(text)
	out := PhishResult{Phishing: r.Phishing, Score: r.Score}
	for _, u := range r.URLs {
		out.URLs = append(out.URLs, PhishURL{URL: u.URL, Host: u.Host, RegistrableDomain: u.RegistrableDomain,
			Brand: u.Brand, Reasons: u.Reasons, Score: u.Score})
	}
	return out
}

func (phishAdapter) Template(body string) string { return phish.Template(body) }
