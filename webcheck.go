package atoguard

import "time"

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
