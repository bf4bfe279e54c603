package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/detect/phish"
	"github.com/atoguard/atoguard/report"
	"github.com/spf13/cobra"
)

// checkMessageOptions are the flags of `atoguard check-message`.
type checkMessageOptions struct {
	json      bool
	array     bool
	explain   bool
	brands    string
	threshold float64
}

func newCheckMessageCommand(streams IO) *cobra.Command {
	opts := &checkMessageOptions{}
	cmd := &cobra.Command{
		Use:   "check-message [TEXT|-]",
		Short: "Check message bodies for phishing links (brand impersonation, obfuscation, shorteners)",
		Long: `check-message runs investigate's phishing analysis on one message, or on one
message per line read from stdin ("-" or no argument). It extracts links (also
schemeless, defanged hxxp/[.], IP and decimal-IP hosts, userinfo tricks,
punycode) and judges each on its registrable domain against a list of brands
and their official domains. Nothing is ever fetched.

With --json each message gives {"text","phishing","score","urls":[{"url","host",
"registrable_domain","brand","reasons","score"}]}: one JSON object for a TEXT
argument; for stdin one object per line (JSON lines), or one JSON array with
--array. Empty input lines are skipped.

Exit status: 0 no phishing, 1 at least one phishing message, 2 error.`,
		Example: `  atoguard check-message "Your PayPal account is limited: paypal-secure-login.com/verify"
  atoguard check-message --json "hxxps://secure-paypal[.]com/login"
  cut -f3 messages.tsv | atoguard check-message --json - > verdicts.jsonl
  atoguard check-message --brands my-brands.json - < bodies.txt`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheckMessage(streams, opts, args)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.json, "json", false, "print JSON (an object per message; JSON lines for stdin)")
	f.BoolVar(&opts.array, "array", false, "with --json and stdin: print one JSON array instead of JSON lines")
	f.StringVar(&opts.brands, "brands", "", "extra brand list (`FILE`, brands.json format) added to the shipped one")
	f.BoolVar(&opts.explain, "explain", false, "text output: each reason's score and the evidence that carried the verdict")
	f.Float64Var(&opts.threshold, "threshold", phish.DefaultThreshold, "score from which a message counts as phishing (0–1)")
	return cmd
}

func runCheckMessage(streams IO, opts *checkMessageOptions, args []string) error {
	if err := checkFloat("check-message", "--threshold", opts.threshold, math.SmallestNonzeroFloat64, 1, "a number greater than 0 and at most 1"); err != nil {
		return err
	}
	a, err := newAnalyzer(opts)
	if err != nil {
		return err
	}
	if opts.array && !opts.json {
		return atoguard.Errorf(atoguard.EINVALID, "check-message", "--array needs --json")
	}
	if len(args) == 1 && args[0] != "-" {
		return checkOneMessage(streams, opts, a, args[0])
	}
	return checkMessageLines(streams, opts, a)
}

// newAnalyzer is the phishing analyzer with the shipped brands and --brands.
func newAnalyzer(opts *checkMessageOptions) (*phish.Analyzer, error) {
	popts := phish.Options{Threshold: opts.threshold}
	if opts.brands != "" {
		f, err := os.Open(opts.brands)
		if err != nil {
			return nil, atoguard.Errorf(atoguard.EINVALID, "check-message", "brand list: %v", err)
		}
		brands, err := phish.LoadBrands(f)
		f.Close()
		if err != nil {
			return nil, atoguard.Errorf(atoguard.EINVALID, "check-message", "%s: %v", opts.brands, err)
		}
		popts.Brands = brands
	}
	return phish.New(popts), nil
}

// checkOneMessage checks the message given as the argument.
func checkOneMessage(streams IO, opts *checkMessageOptions, a *phish.Analyzer, text string) error {
	r := a.Analyze(text)
	if opts.array { // one message, still the array shape asked for
		b, err := json.Marshal([]phish.Result{report.WithURLs(r)})
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(streams.Out, "%s\n", b); err != nil {
			return err
		}
		return foundErr(r.Phishing)
	}
	if err := report.CheckMessage(streams.Out, r, opts.json, opts.explain); err != nil {
		return err
	}
	return foundErr(r.Phishing)
}

// checkMessageLines checks one message per line of stdin.
func checkMessageLines(streams IO, opts *checkMessageOptions, a *phish.Analyzer) error {
	in := bufio.NewReaderSize(streams.In, 64<<10)
	out := bufio.NewWriter(streams.Out)
	found, first := false, true
	if opts.array {
		out.WriteString("[")
	}
	for lineNo := 1; ; lineNo++ {
		line, err := in.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			out.Flush()
			return atoguard.Errorf(atoguard.EINTERNAL, "check-message", "reading stdin at line %d: %v", lineNo, err)
		}
		if text := strings.TrimRight(line, "\r\n"); text != "" {
			r := a.Analyze(text)
			found = found || r.Phishing
			if werr := writeCheckLine(out, opts, r, first); werr != nil {
				return werr
			}
			first = false
		}
		if err != nil {
			break
		}
	}
	if opts.array {
		if !first {
			out.WriteString("\n")
		}
		out.WriteString("]\n")
	}
	if err := out.Flush(); err != nil {
		return err
	}
	return foundErr(found)
}

// writeCheckLine writes one stdin message's result: an array element with
// --array, else the chosen format.
func writeCheckLine(out *bufio.Writer, opts *checkMessageOptions, r phish.Result, first bool) error {
	if !opts.array {
		return report.CheckMessage(out, r, opts.json, opts.explain)
	}
	if !first {
		out.WriteString(",")
	}
	b, err := json.Marshal(report.WithURLs(r))
	if err != nil {
		return err
	}
	out.WriteString("\n")
	out.Write(b)
	return nil
}

func foundErr(found bool) error {
	if found {
		return ErrFindings
	}
	return nil
}
