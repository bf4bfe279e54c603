package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/playbook"
)

// PlanText writes a respond plan for a person: per account what changes
// (now → target), then the checklist, then next, the command that applies
// the plan, already laid out by atoguard.ShellCommand ("" when the plan is
// shown as apply's own confirmation).
func PlanText(w io.Writer, p *playbook.Plan, next string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Response plan for %s (%s)\n", p.MainAccount, atoguard.Plural(len(p.Accounts), "account"))
	fmt.Fprintf(&b, "Incident start: %s\n", p.IncidentStart.Format(time.RFC3339))
	fmt.Fprintf(&b, "Steps: %s\n", strings.Join(p.Targets.Steps, ", "))
	if slices.Contains(p.Targets.Steps, playbook.StepGeoPermissions) {
		countries := strings.Join(p.Targets.AllowCountries, ", ")
		if countries == "" {
			countries = "none: every country is turned off"
		}
		fmt.Fprintf(&b, "Allowed countries: %s (%s)\n", atoguard.Printable(countries), p.Targets.AllowCountriesSource)
	}
	if p.Targets.CredentialStore != "" {
		fmt.Fprintf(&b, "New tokens go to: %s\n", atoguard.Printable(p.Targets.CredentialStore))
	}
	for _, a := range p.Accounts {
		writePlanAccount(&b, a)
	}
	n := p.Changes()
	fmt.Fprintf(&b, "\n%s planned.\n", atoguard.Plural(n, "change"))
	writeChecklist(&b, p.Checklist)
	if next != "" && n > 0 {
		fmt.Fprintf(&b, "\nTo apply this plan (it asks before changing anything):\n%s\n", next)
	}
	_, err := io.WriteString(w, atoguard.Wrap(b.String(), atoguard.TextWidth))
	return err
}

func writePlanAccount(b *strings.Builder, a playbook.AccountPlan) {
	kind := "main account"
	if a.Account.IsSubaccount() {
		kind = "subaccount"
	}
	fmt.Fprintf(b, "\n%s %s \"%s\"\n", kind, a.Account.SID, atoguard.Printable(a.Account.FriendlyName))
	if a.Error != "" {
		fmt.Fprintf(b, "  ! %s\n", atoguard.Printable(a.Error))
	}
	for _, x := range a.Actions {
		switch x.Status {
		case atoguard.ActionSkipped:
			fmt.Fprintf(b, "  = %-19s %s\n", x.Step, atoguard.Printable(x.Summary))
		case atoguard.ActionFailed:
			fmt.Fprintf(b, "  ! %-19s %s: %s\n", x.Step, atoguard.Printable(x.Summary), atoguard.Printable(x.Error))
		default:
			fmt.Fprintf(b, "  + %-19s %s\n", x.Step, atoguard.Printable(x.Summary))
			if x.Before != "" {
				fmt.Fprintf(b, "      now:    %s\n", atoguard.Printable(x.Before))
			}
			if x.After != "" {
				fmt.Fprintf(b, "      target: %s\n", atoguard.Printable(x.After))
			}
		}
	}
}

func writeChecklist(b *strings.Builder, items []atoguard.ChecklistItem) {
	b.WriteString("\nChecklist (what the API cannot do):\n")
	for _, c := range items {
		box := " "
		if c.Status == atoguard.CheckVerified {
			box = "x"
		}
		fmt.Fprintf(b, "  [%s] %s", box, atoguard.Printable(c.Title))
		if c.Guidance > 0 {
			fmt.Fprintf(b, " (step %d)", c.Guidance)
		}
		b.WriteString("\n")
		if c.Verification != "" {
			fmt.Fprintf(b, "      %s\n", atoguard.Printable(c.Verification))
		}
	}
}
