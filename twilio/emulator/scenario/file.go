package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Format is a scenario file encoding.
type Format string

const (
	JSON Format = "json"
	YAML Format = "yaml"
)

// FormatOf guesses the format from a file name: .json is JSON, everything
// else YAML (a superset of JSON).
func FormatOf(path string) Format {
	if strings.EqualFold(filepath.Ext(path), ".json") {
		return JSON
	}
	return YAML
}

// Spec is a scenario file that names a base scenario and adds overlays. A
// file without "base" describes a whole World instead (and may still carry
// "overlays").
type Spec struct {
	Base        string `json:"base"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	Seed        int64  `json:"seed,omitempty"`
	// Now is an RFC 3339 time; empty means DefaultNow.
	Now            string       `json:"now,omitempty"`
	Subaccounts    int          `json:"subaccounts,omitempty"`
	MessagesPerDay int          `json:"messages_per_day,omitempty"`
	Days           int          `json:"days,omitempty"`
	Overlays       []Overlay    `json:"overlays,omitempty"`
	Expect         *Expectation `json:"expect,omitempty"`
}

// worldFile is a whole world plus optional overlays.
type worldFile struct {
	World
	Overlays []Overlay `json:"overlays,omitempty"`
}

// maxFileSize bounds what Parse accepts (a 1 M-message world is ~400 MB of JSON).
const maxFileSize = 2 << 30

// Load reads a scenario file; the format follows the extension.
func Load(path string) (*World, error) { return LoadAt(path, time.Time{}, false) }

// LoadAt reads a scenario file anchored at now: a file with "base" and no
// "now" of its own is built at now (zero: DefaultNow). With pinned (the
// caller's --now), a file whose own "now" differs, or a whole-world file
// (its times are fixed), is an error rather than a silent mismatch.
// Errors name the file and, when known, the line: "f.yaml:12: overlay 2 …".
func LoadAt(path string, now time.Time, pinned bool) (*World, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	w, err := parse(data, FormatOf(path), defaultLimits(), anchor{now: now, pinned: pinned})
	if err != nil {
		if line := errorLine(data, err); line > 0 {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return w, nil
}

// anchor is the present a scenario file is built at.
type anchor struct {
	now    time.Time
	pinned bool
}

// errorLine finds the line of what err is about: an overlay, or a field
// named by a decoding error. JSON is YAML, so one reader serves both.
func errorLine(data []byte, err error) int {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil || len(root.Content) == 0 {
		return 0
	}
	var path []string
	var oe *OverlayError
	var fe *fieldError
	switch {
	case errors.As(err, &oe):
		path = []string{"overlays", strconv.Itoa(oe.Index)}
	case errors.As(err, &fe):
		path = strings.Split(fe.field, ".")
	default:
		return 0
	}
	n := root.Content[0]
	line := n.Line
	for _, p := range path {
		n = child(n, p)
		if n == nil {
			break
		}
		line = n.Line
	}
	return line
}

func child(n *yaml.Node, key string) *yaml.Node {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i+1]
			}
		}
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(key); err == nil && i >= 0 && i < len(n.Content) {
			return n.Content[i]
		}
	}
	return nil
}

// fieldError is a value of the wrong type in a named field.
type fieldError struct {
	field string
	err   error
}

func (e *fieldError) Error() string { return e.err.Error() }

// limits bound what a scenario file may ask the generator for.
type limits struct {
	messages int // messages_per_day × days
	subs     int
	days     int
	count    int // an overlay's count
}

func defaultLimits() limits {
	return limits{messages: 20_000_000, subs: 1000, days: 400, count: 100_000}
}

// Parse decodes a scenario file. Unknown fields are errors (a typo must not
// silently give a different world); the result is validated.
func Parse(data []byte, f Format) (*World, error) {
	return parse(data, f, defaultLimits(), anchor{})
}

func parse(data []byte, f Format, lim limits, at anchor) (*World, error) {
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("scenario: file too large (%d bytes)", len(data))
	}
	var js []byte
	switch f {
	case JSON:
		js = data
	case YAML, "yml", "":
		var err error
		if js, err = yamlToJSON(data); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("scenario: unknown format %q (want json or yaml)", f)
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(js, &probe); err != nil {
		return nil, fmt.Errorf("scenario: %w", jsonError(err))
	}
	if probe == nil {
		return nil, errors.New("scenario: empty file (want an object with \"base\" or \"accounts\")")
	}
	if _, ok := probe["base"]; ok {
		var s Spec
		if err := strictJSON(js, &s); err != nil {
			return nil, err
		}
		if err := at.apply(&s); err != nil {
			return nil, err
		}
		return fromSpec(s, lim)
	}
	if at.pinned {
		return nil, errors.New("scenario: a whole-world file fixes its own times and cannot be moved to --now; drop --now, or write a file with \"base\" (its \"now\" follows --now)")
	}
	var wf worldFile
	if err := strictJSON(js, &wf); err != nil {
		return nil, err
	}
	w := &wf.World
	if len(wf.Overlays) > 0 {
		if err := applyWith(w, wf.Overlays, lim); err != nil {
			return nil, fmt.Errorf("scenario: %w", err)
		}
	}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	return w, nil
}

// apply anchors a spec without its own now at the caller's present.
func (at anchor) apply(s *Spec) error {
	if at.now.IsZero() {
		return nil
	}
	if s.Now == "" {
		s.Now = at.now.UTC().Format(time.RFC3339)
		return nil
	}
	if t, err := time.Parse(time.RFC3339, s.Now); at.pinned && err == nil && !t.Equal(at.now) {
		return fmt.Errorf("scenario: field now: the file says %s and --now says %s; drop one", s.Now, at.now.UTC().Format(time.RFC3339))
	}
	return nil
}

// FromSpec builds the base scenario with the spec's sizes and applies its
// overlays.
func FromSpec(s Spec) (*World, error) { return fromSpec(s, defaultLimits()) }

func fromSpec(s Spec, lim limits) (*World, error) {
	o := Options{Seed: s.Seed, Subaccounts: s.Subaccounts, MessagesPerDay: s.MessagesPerDay, Days: s.Days}
	if s.Now != "" {
		t, err := time.Parse(time.RFC3339, s.Now)
		if err != nil {
			return nil, fmt.Errorf("scenario: bad now %q: want an RFC 3339 time such as 2026-11-20T15:00:00Z", s.Now)
		}
		o.Now = t.UTC()
	}
	if s.Subaccounts < 0 || s.MessagesPerDay < 0 || s.Days < 0 {
		return nil, errors.New("scenario: subaccounts, messages_per_day and days must not be negative")
	}
	o = o.withDefaults()
	if o.Days > lim.days || o.Subaccounts > lim.subs || o.MessagesPerDay*o.Days > lim.messages {
		return nil, fmt.Errorf("scenario: too large (at most %d days, %d subaccounts, %d messages in all)", lim.days, lim.subs, lim.messages)
	}
	w, err := BuildWith(s.Base, o)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	if s.Name != "" {
		w.Name = s.Name
	}
	if s.Description != "" {
		w.Description = s.Description
	}
	if err := applyWith(w, s.Overlays, lim); err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	if s.Expect != nil {
		w.Expect = *s.Expect
	}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	return w, nil
}

func strictJSON(js []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("scenario: %w", jsonError(err))
	}
	if dec.More() {
		return errors.New("scenario: trailing data after the scenario object")
	}
	return nil
}

// jsonError rewords decoding errors for people writing scenario files.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &fieldError{te.Field, fmt.Errorf("field %q: cannot use a %s as %s", te.Field, te.Value, te.Type)}
	}
	return err
}

// yamlToJSON converts YAML to JSON so that both formats share the JSON field
// names (the domain types carry json tags only).
func yamlToJSON(data []byte) ([]byte, error) {
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("scenario: yaml: %w", err)
	}
	v, err := jsonable(v, 0)
	if err != nil {
		return nil, fmt.Errorf("scenario: yaml: %w", err)
	}
	js, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("scenario: yaml: %w", err)
	}
	return js, nil
}

// jsonable turns YAML values into ones encoding/json accepts.
func jsonable(v any, depth int) (any, error) {
	if depth > 64 {
		return nil, errors.New("nested too deeply")
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			c, err := jsonable(e, depth+1)
			if err != nil {
				return nil, err
			}
			x[k] = c
		}
		return x, nil
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			ks, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("mapping key %v is not a string", k)
			}
			c, err := jsonable(e, depth+1)
			if err != nil {
				return nil, err
			}
			m[ks] = c
		}
		return m, nil
	case []any:
		for i, e := range x {
			c, err := jsonable(e, depth+1)
			if err != nil {
				return nil, err
			}
			x[i] = c
		}
		return x, nil
	case time.Time:
		return x.Format(time.RFC3339Nano), nil
	case float64:
		if x != x || x > 1e308 || x < -1e308 {
			return nil, fmt.Errorf("number %v cannot be represented", x)
		}
	}
	return v, nil
}

// Write encodes a world in the given format. YAML output keeps the JSON field
// names and order so that either file parses back to the same world.
func Write(out io.Writer, w *World, f Format) error {
	js, err := json.MarshalIndent(w, "", "  ")
	if err != nil {
		return fmt.Errorf("scenario: encode: %w", err)
	}
	switch f {
	case JSON:
		js = append(js, '\n')
		_, err = out.Write(js)
		return err
	case YAML, "yml":
	default:
		return fmt.Errorf("scenario: unknown format %q (want json or yaml)", f)
	}
	var node yaml.Node
	if err := yaml.Unmarshal(js, &node); err != nil {
		return fmt.Errorf("scenario: encode: %w", err)
	}
	blockStyle(&node)
	enc := yaml.NewEncoder(out)
	enc.SetIndent(2)
	if err := enc.Encode(&node); err != nil {
		return fmt.Errorf("scenario: encode: %w", err)
	}
	return enc.Close()
}

// blockStyle drops the JSON flow and quoting styles so the encoder writes
// ordinary block YAML (it still quotes strings that would otherwise change
// type).
func blockStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		blockStyle(c)
	}
}
