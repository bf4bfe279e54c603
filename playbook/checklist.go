package playbook

import (
	"context"
	"fmt"
	"iter"
	"sort"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
)

// checklist builds the guidance steps the API cannot perform (1, 4, 6, 8,
// 10, 12 and contacting support) and verifies what Monitor events can show:
// a password change by every known user after the incident start. Events the
// investigation attributed to the attacker never count as verification.
func (e *engine) checklist(ctx context.Context) []atoguard.ChecklistItem {
	start := e.opts.incidentStart()
	var evs []atoguard.Event
	var evErr error
	if e.main.AccountSID != "" {
		evs, evErr = atoguard.Collect(e.tw.ListEvents(ctx, atoguard.EventFilter{Start: start.Add(-BaselineDays * 24 * time.Hour), End: e.opts.now().Add(time.Minute)}))
	}
	attacker := map[string]bool{}
	for _, s := range e.opts.AttackerEvents {
		attacker[s] = true
	}
	items := Checklist(e.main.AccountSID, start, evs, attacker)
	if evErr != nil {
		for i := range items {
			if items[i].ID == "passwords" {
				items[i].Verification = "Monitor events could not be read: " + evErr.Error()
			}
		}
	}
	e.mu.Lock()
	manual := append([]atoguard.ChecklistItem(nil), e.manual...)
	e.mu.Unlock()
	sort.Slice(manual, func(i, j int) bool { return manual[i].ID < manual[j].ID })
	// Console-only geo permissions belong next to step 7, before the rest.
	return append(manual, items...)
}

// Checklist returns the manual steps for account given its Monitor events;
// attacker holds the SIDs of events attributed to the attacker.
func Checklist(account string, incidentStart time.Time, evs []atoguard.Event, attacker map[string]bool) []atoguard.ChecklistItem {
	ev := readChecklistEvents(incidentStart, evs, attacker)
	pw := passwordItem(account, incidentStart, ev)
	emails, security := ev.emails, ev.security

	twofa := atoguard.ChecklistItem{
		ID: "two-factor", Guidance: 4, AccountSID: account,
		Title:        "Enable two-factor authentication for every user",
		Why:          "A stolen or phished password alone then no longer opens the Console.",
		How:          "Console → User settings → Two-factor authentication: enable it for every user; as an owner, require it in the account's security settings.",
		Status:       atoguard.CheckPending,
		Verification: "the API does not expose 2FA status",
		Evidence:     security,
	}
	if len(security) > 0 {
		twofa.Verification = "security settings changed after the incident start (see evidence); confirm 2FA is required"
	}
	items := []atoguard.ChecklistItem{pw, twofa,
		{
			ID: "malware", Guidance: 6, AccountSID: account,
			Title:        "Scan every computer used to log in to Twilio for malware",
			Why:          "Credentials are often stolen from a developer's machine; rotating them helps little if the machine still leaks.",
			How:          "Run up-to-date anti-virus / anti-malware on every computer used for the Console or holding Twilio credentials; rebuild machines that show an infection.",
			Status:       atoguard.CheckManual,
			Verification: "not verifiable through the Twilio API",
		},
		{
			ID: "user-emails", Guidance: 8, AccountSID: account,
			Title:        "Verify the e-mail address of every user",
			Why:          "An attacker who changes a user's e-mail can reset the password and return.",
			How:          "Console → Manage users: check each address; change any you do not recognise and tell the owner.",
			Status:       atoguard.CheckPending,
			Verification: "user.updated events after the incident start are listed as evidence; the API does not show e-mail addresses",
			Evidence:     emails,
		},
		{
			ID: "website", Guidance: 10, AccountSID: account,
			Title:        "Secure the website and servers that use Twilio",
			Why:          "Webhooks and apps run on servers the attacker may also have reached; open ports and stale files leak tokens.",
			How:          "Close unneeded ports, remove unnecessary files (backups, .env, debug pages), update frameworks and admin tools (WordPress, cPanel), and make sure no app runs in debug mode or stores tokens in plain text.",
			Status:       atoguard.CheckManual,
			Verification: "not verifiable through the Twilio API; `atoguard scan` finds tokens in code and files",
		},
		{
			ID: "security-firm", Guidance: 12, AccountSID: account,
			Title:        "Consider a third-party security firm",
			Why:          "An independent review finds what one team misses and helps secure the accounts for good.",
			How:          "Send them the incident report (Markdown or JSON) that atoguard respond report writes: verdict, evidence, timeline and every change made.",
			Status:       atoguard.CheckManual,
			Verification: "not verifiable through the Twilio API",
		},
		{
			ID: "contact-support", AccountSID: account,
			Title:        "Contact Twilio Support to review the account",
			Why:          "Twilio asks customers to report account takeover; Support can review the account and advise on charges from fraudulent traffic.",
			How:          "Open a request at https://help.twilio.com/ and paste the summary from the incident report.",
			Status:       atoguard.CheckManual,
			Verification: "not verifiable through the Twilio API",
		},
	}
	return items
}

// checklistEvents is what Monitor events tell the checklist.
type checklistEvents struct {
	users            []string            // user SIDs seen, sorted
	changed          map[string][]string // user → password-change events after the start
	emails, security []string            // user.updated and security-settings events after the start
}

func readChecklistEvents(incidentStart time.Time, evs []atoguard.Event, attacker map[string]bool) checklistEvents {
	users := map[string]bool{}
	out := checklistEvents{changed: map[string][]string{}}
	for _, ev := range evs {
		for _, u := range []string{ev.ActorSID, ev.ResourceSID} {
			if strings.HasPrefix(u, "US") {
				users[u] = true
			}
		}
		after := !ev.EventDate.Before(incidentStart) && !attacker[ev.SID]
		switch {
		case strings.HasPrefix(ev.EventType, "user-password.") && after:
			u := ev.ResourceSID
			if !strings.HasPrefix(u, "US") {
				u = ev.ActorSID
			}
			out.changed[u] = append(out.changed[u], fmt.Sprintf("%s %s %s", ev.SID, ev.EventType, ev.EventDate.Format(time.RFC3339)))
		case ev.EventType == "user.updated" && !ev.EventDate.Before(incidentStart):
			out.emails = append(out.emails, fmt.Sprintf("%s user %s updated %s%s", ev.SID, ev.ResourceSID, ev.EventDate.Format(time.RFC3339), attackerMark(attacker[ev.SID])))
		case strings.HasPrefix(ev.EventType, "security-settings.") && !ev.EventDate.Before(incidentStart):
			out.security = append(out.security, fmt.Sprintf("%s %s %s", ev.SID, ev.EventType, ev.EventDate.Format(time.RFC3339)))
		}
	}
	for u := range users {
		out.users = append(out.users, u)
	}
	sort.Strings(out.users)
	return out
}

// passwordItem is verified when every known user changed the password
// after the incident start (attacker events excluded).
func passwordItem(account string, incidentStart time.Time, ev checklistEvents) atoguard.ChecklistItem {
	ids := ev.users
	pw := atoguard.ChecklistItem{
		ID: "passwords", Guidance: 1, AccountSID: account,
		Title: "Change the password of every user",
		Why:   "The attacker may know or have set a Console password; a new token does not end a Console session opened with a stolen password.",
		How: "Each user: Console → User settings → change the password to a long passphrase (Twilio's minimum password requirements). " +
			"If the same password is used for the user's e-mail, change that too, and use a different password per service.",
		Status: atoguard.CheckPending,
	}
	var pending []string
	for _, u := range ids {
		if ch := ev.changed[u]; len(ch) > 0 {
			pw.Evidence = append(pw.Evidence, u+": "+ch[len(ch)-1])
		} else {
			pending = append(pending, u)
		}
	}
	switch {
	case len(ids) == 0:
		pw.Verification = "no users seen in Monitor events; cannot verify"
	case len(pending) == 0:
		pw.Status = atoguard.CheckVerified
		pw.Verification = fmt.Sprintf("all %d known users changed their password after %s (user-password events, attacker events excluded)", len(ids), incidentStart.Format(time.RFC3339))
	default:
		pw.Verification = fmt.Sprintf("%d of %d known users have no password change after %s: %s", len(pending), len(ids), incidentStart.Format(time.RFC3339), strings.Join(pending, ", "))
	}
	return pw
}

func attackerMark(b bool) string {
	if b {
		return " (attacker)"
	}
	return ""
}

type eventsAPI interface {
	ListEvents(ctx context.Context, f atoguard.EventFilter) iter.Seq2[atoguard.Event, error]
}
