package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/detect/phish"
)

// WithURLs makes "urls" an empty array rather than null. (Reasons are never
// nil; the result may be shared through the analyzer's cache, so it is not
// modified in place.)
func WithURLs(r phish.Result) phish.Result {
	if r.URLs == nil {
		r.URLs = []phish.URL{}
	}
	return r
}

// CheckMessage prints one check-message result: a JSON line, or text for people.
func CheckMessage(w io.Writer, r phish.Result, asJSON, explain bool) error {
	if asJSON {
		b, err := json.Marshal(WithURLs(r))
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	verdict := "ok      "
	if r.Phishing {
		verdict = "PHISHING"
	}
	if _, err := fmt.Fprintf(w, "%s score %.2f  %s\n", verdict, r.Score, atoguard.Clip(atoguard.Printable(r.Text), 160)); err != nil {
		return err
	}
	for _, u := range r.URLs {
		brand := u.Brand
		if brand == "" {
			brand = "-"
		}
		reasons := strings.Join(u.Reasons, ", ")
		if explain {
			parts := make([]string, len(u.Evidence))
			for i, e := range u.Evidence {
				parts[i] = fmt.Sprintf("%s %.2f", e.Reason, e.Score)
			}
			reasons = strings.Join(parts, ", ")
		}
		if reasons == "" {
			reasons = "-"
		}
		if _, err := fmt.Fprintf(w, "  %s\n    host %s  domain %s  brand %s  score %.2f\n    reasons: %s\n",
			atoguard.Clip(atoguard.Printable(u.URL), 200), atoguard.Printable(u.Host), atoguard.Printable(u.RegistrableDomain), brand, u.Score, reasons); err != nil {
			return err
		}
	}
	if explain && len(r.CarriedBy) > 0 {
		if _, err := fmt.Fprintf(w, "  carried by: %s\n", strings.Join(r.CarriedBy, ", ")); err != nil {
			return err
		}
	}
	return nil
}
