package phish

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

//go:embed brands.json
var brandsJSON []byte

// Brand is an organisation whose customers phishers target, with the
// registrable domains it really owns.
type Brand struct {
	Name string `json:"name"`
	// Domains are the brand's own registrable domains (eTLD+1, e.g.
	// paypal.com, paypal.me); their subdomains are the brand's too.
	// "google.*" means the label under any country-code suffix (google.fr,
	// google.co.uk); an entry without a dot is a brand top-level domain (goog).
	Domains []string `json:"domains"`
	// Tokens are the strings phishers put in domains (paypal, icloud).
	Tokens []string `json:"tokens"`
	// StrictTokens are tokens that are also common words or parts of them
	// (chase → purchase, apple → pineapple, ups → groups): they match only
	// a whole hyphen-separated word and are never typo-matched.
	StrictTokens []string `json:"strict_tokens,omitempty"`
	// PrefixTokens are short tokens that may start or end a word (hsbcsecure).
	PrefixTokens []string `json:"prefix_tokens,omitempty"`
	// Aliases are how a message names the brand ("bank of america"). An
	// alias with an upper-case letter matches case-sensitively ("UPS").
	Aliases []string `json:"aliases,omitempty"`
	// Platforms are the brand's domains where anyone can host content
	// (amazonaws.com, web.app, sharepoint.com, twil.io). They are not
	// official: the part of the host a customer chose is judged like a
	// registrable domain (paypal-login.s3.amazonaws.com is impersonation),
	// while the platform's own name never counts as the brand's.
	Platforms []string `json:"platforms,omitempty"`
	// Allow lists registrable domains that contain a token but belong to
	// someone else (applebees.com); they never match the brand.
	Allow []string `json:"allow,omitempty"`
}

// DefaultBrands returns the shipped brand list (a fresh copy each call).
func DefaultBrands() []Brand {
	b, err := LoadBrands(strings.NewReader(string(brandsJSON)))
	if err != nil {
		panic("phish: embedded brands.json: " + err.Error()) // caught by tests
	}
	return b
}

// maxBrandList caps a brand list read from a file (the shipped one is ~50 KiB).
const maxBrandList = 64 << 20

const brandListShape = `{"brands":[{"name":"Acme Bank","domains":["acmebank.com"],"tokens":["acmebank"]}]}`

// describeJSONError says where a JSON document is wrong in a person's terms
// (line, field, what was expected) rather than Go's type names.
func describeJSONError(data []byte, err error) string {
	line := func(off int64) int { return 1 + bytes.Count(data[:min(int(off), len(data))], []byte("\n")) }
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("line %d: not valid JSON: %v", line(syn.Offset), syn)
	case errors.As(err, &typ):
		want := map[string]string{"slice": "a list", "string": "a string", "struct": "an object"}[typ.Type.Kind().String()]
		if want == "" {
			want = typ.Type.Kind().String()
		}
		return fmt.Sprintf("line %d: %q is a JSON %s, want %s", line(typ.Offset), typ.Field, typ.Value, want)
	case errors.Is(err, io.EOF):
		return "empty file"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends early"
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "unknown field " + f
	}
	return err.Error()
}

// LoadBrands reads a brand list in the brands.json format:
// {"brands":[{"name","domains","tokens","strict_tokens","prefix_tokens","aliases","platforms","allow"}]}.
func LoadBrands(r io.Reader) ([]Brand, error) {
	var doc struct {
		Brands []Brand `json:"brands"`
	}
	data, err := io.ReadAll(io.LimitReader(r, maxBrandList+1))
	if err != nil {
		return nil, fmt.Errorf("brand list: %w", err)
	}
	if len(data) > maxBrandList {
		return nil, fmt.Errorf("brand list: larger than %d MiB", maxBrandList>>20)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("brand list: %s; the format is %s (README, check-message)", describeJSONError(data, err), brandListShape)
	}
	for i, b := range doc.Brands {
		if b.Name == "" {
			return nil, fmt.Errorf("brand list: brand %d has no name", i+1)
		}
		if len(b.Domains) == 0 {
			return nil, fmt.Errorf("brand list: brand %q has no domains", b.Name)
		}
		for _, d := range slices.Concat(b.Domains, b.Platforms, b.Allow) {
			if d == "" || d != strings.ToLower(d) || strings.ContainsAny(d, "/:@ ") {
				return nil, fmt.Errorf("brand list: brand %q: bad domain %q (lower-case registrable domain expected)", b.Name, d)
			}
		}
		for _, t := range append(append(append([]string{}, b.Tokens...), b.StrictTokens...), b.PrefixTokens...) {
			if t == "" || t != strings.ToLower(t) || !labelOK(t) || strings.ContainsAny(t, "-_") {
				return nil, fmt.Errorf("brand list: brand %q: bad token %q (lower-case letters and digits)", b.Name, t)
			}
		}
	}
	return doc.Brands, nil
}

// mergeBrands adds extra to base: a brand with the same name (any case)
// gains the extra domains and tokens, a new name is appended.
func mergeBrands(base, extra []Brand) []Brand {
	out := append([]Brand(nil), base...)
	for _, e := range extra {
		merged := false
		for i := range out {
			if strings.EqualFold(out[i].Name, e.Name) {
				b := &out[i]
				b.Domains = append(append([]string(nil), b.Domains...), e.Domains...)
				b.Tokens = append(append([]string(nil), b.Tokens...), e.Tokens...)
				b.StrictTokens = append(append([]string(nil), b.StrictTokens...), e.StrictTokens...)
				b.PrefixTokens = append(append([]string(nil), b.PrefixTokens...), e.PrefixTokens...)
				b.Aliases = append(append([]string(nil), b.Aliases...), e.Aliases...)
				b.Allow = append(append([]string(nil), b.Allow...), e.Allow...)
				b.Platforms = append(append([]string(nil), b.Platforms...), e.Platforms...)
				merged = true
				break
			}
		}
		if !merged {
			out = append(out, e)
		}
	}
	return out
}
