// Package report renders atoguard's results. For scan findings: text for
// people, a JSON document with a fixed contract for programs, SARIF 2.1.0
// for code-scanning platforms (scan.ReadBaseline reads the JSON back as a
// baseline). Investigation and incident renderers live beside them.
//
// No renderer ever prints a secret: the text shows a fixed mask plus the
// fingerprint, JSON and SARIF carry "<redacted>" and the fingerprint. Account
// and API key SIDs are identifiers and are shown in full.
//
//	err := report.Write(w, report.FormatJSON, result, report.Options{})
package report

import (
	"fmt"
	"io"
	"strings"

	atoguard "github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/scan"
)

// Format names an output format.
type Format string

const (
	FormatText  Format = "text"
	FormatJSON  Format = "json"
	FormatSARIF Format = "sarif"
)

// Mask is what the text format prints in place of a secret.
const Mask = "********"

// ParseFormat accepts text, json or sarif.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case FormatText, FormatJSON, FormatSARIF:
		return f, nil
	}
	return "", &atoguard.Error{Code: atoguard.EINVALID, Op: "report.ParseFormat",
		Err: fmt.Errorf("unknown format %q (want text, json or sarif)", s)}
}

// Options tune rendering.
type Options struct {
	Color       bool   // ANSI colours in text (only on a terminal, never with NO_COLOR)
	ToolVersion string // atoguard's version, for SARIF
}

// Write renders res in format f.
func Write(w io.Writer, f Format, res scan.Result, opts Options) error {
	switch f {
	case FormatText:
		return Text(w, res, opts)
	case FormatJSON:
		return JSON(w, res)
	case FormatSARIF:
		return SARIF(w, res, opts)
	}
	_, err := ParseFormat(string(f))
	return err
}

// verification is the finding's verification state, "unverified" by default.
func verification(f atoguard.Finding) string {
	if f.Verification == "" {
		return atoguard.Unverified
	}
	return f.Verification
}
