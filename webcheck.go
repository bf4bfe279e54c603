package atoguard

import (
	"fmt"
	"strings"
	"time"
)

// WebCheckSummary is what `audit` and the incident report say about a run
// of `atoguard exposure web` (read from its JSON with --web-report).
type WebCheckSummary struct {
	RanAt    time.Time        `json:"ran_at"`
	Hosts    int              `json:"hosts"`
	Requests int              `json:"requests"`
	Findings map[Severity]int `json:"findings"` // by severity
	// Credentials counts Twilio credentials served by the hosts;
	// LiveCredentials those Twilio accepted (--verify).
	Credentials     int      `json:"credentials"`
	LiveCredentials int      `json:"live_credentials"`
	Incomplete      bool     `json:"incomplete"` // some check could not be made
	Top             []string `json:"top,omitempty"`
}

// Total is the number of findings.
func (s WebCheckSummary) Total() int {
	n := 0
	for _, c := range s.Findings {
		n += c
	}
	return n
}

// Describe is one line for audit and incident reports: when the web check
// ran and what it found.
func (s WebCheckSummary) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Web check (atoguard exposure web) run %s on %d host(s): ", s.RanAt.UTC().Format("2006-01-02 15:04 UTC"), s.Hosts)
	if s.Total() == 0 {
		b.WriteString("no finding")
	} else {
		var parts []string
		for _, sev := range []Severity{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow, SeverityInfo} {
			if n := s.Findings[sev]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, sev))
			}
		}
		fmt.Fprintf(&b, "%d finding(s) (%s)", s.Total(), strings.Join(parts, ", "))
	}
	if s.Credentials > 0 {
		fmt.Fprintf(&b, "; %d Twilio credential(s) served publicly, %d live", s.Credentials, s.LiveCredentials)
	}
	if s.Incomplete {
		b.WriteString("; incomplete (some checks could not be made)")
	}
	b.WriteString(".")
	return b.String()
}
