// Package oaitest validates HTTP requests and responses against Twilio's
// official OpenAPI specs, embedded from specs/. It is a test helper shared by
// the Twilio client tests and the emulator conformance tests.
//
// A request is matched to its product by the Host (api.twilio.com,
// accounts.twilio.com, …) or, for plain local clients, by the emulator path
// prefix that names the host's first label ({url}/api/2010-04-01/...,
// {url}/accounts/v1/...). Operations are then found by method and path
// template; routing is done here rather than by kin-openapi's routers because
// Twilio's specs declare servers per path and the emulator serves every host
// on one listener.
package oaitest

import (
	"bytes"
	"compress/gzip"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// EnvDir names an environment variable that, when set, points at the
// directory holding the twilio_*.json specs (overrides the upward search).
const EnvDir = "ATOGUARD_TWILIO_OAI"

// specFile names the spec of a product (a host's first label); "" when the
// product is unknown.
func specFile(product string) string {
	switch product {
	case "api":
		return "twilio_api_v2010.json"
	case "accounts", "monitor", "voice", "messaging", "iam", "events":
		return "twilio_" + product + "_v1.json"
	}
	return ""
}

// Products lists the products (host first labels) the Router knows.
func Products() []string {
	return []string{"accounts", "api", "events", "iam", "messaging", "monitor", "voice"}
}

// Router matches requests to operations of the loaded specs.
type Router struct {
	products map[string]*product
}

type product struct {
	doc    *openapi3.T
	routes []*route
}

type route struct {
	path     string // template, e.g. /2010-04-01/Accounts/{Sid}.json
	re       *regexp.Regexp
	names    []string
	literal  int // literal characters, to prefer /Records/Daily.json over /Records/{X}.json
	pathItem *openapi3.PathItem
}

// Operation identifies a matched spec operation.
type Operation struct {
	Product     string // api, accounts, …
	Path        string // the spec path template
	Method      string
	OperationID string
}

func (o Operation) String() string { return o.Product + " " + o.Method + " " + o.Path }

// specs holds Twilio's OpenAPI specs (github.com/twilio/twilio-oai, MIT
// licence in specs/LICENSE), gzipped so the repository carries them at a
// fifteenth of their size. Only tests import this package, so the binary
// does not grow.
//
//go:embed specs/*.json.gz specs/LICENSE
var specs embed.FS

// specData returns a product spec: from $ATOGUARD_TWILIO_OAI when it is set
// (to try newer specs), else the copy embedded in this package. Nothing
// outside the repository is read unless the override asks for it.
func specData(file string) ([]byte, error) {
	if d := os.Getenv(EnvDir); d != "" {
		b, err := os.ReadFile(filepath.Join(d, file))
		if err != nil {
			return nil, fmt.Errorf("twilio OpenAPI specs not found: %s=%s has no %s", EnvDir, d, file)
		}
		return b, nil
	}
	f, err := specs.Open("specs/" + file + ".gz")
	if err != nil {
		return nil, fmt.Errorf("embedded twilio OpenAPI spec %s: %w", file, err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("embedded twilio OpenAPI spec %s: %w", file, err)
	}
	return io.ReadAll(zr)
}

// Load loads every spec and fails the test with a clear message when the
// specs cannot be found or parsed. Loading the 2010 spec takes a moment:
// share one Router per test binary (see Cache).
func Load(t testing.TB) *Router {
	t.Helper()
	r, err := LoadRouter()
	if err != nil {
		t.Fatal("oaitest: ", err)
	}
	return r
}

// Cache loads the specs once; hold one in TestMain or a test-local variable.
type Cache struct {
	once sync.Once
	r    *Router
	err  error
}

// Load returns the cached Router, loading it on first use.
func (c *Cache) Load(t testing.TB) *Router {
	t.Helper()
	c.once.Do(func() { c.r, c.err = LoadRouter() })
	if c.err != nil {
		t.Fatal("oaitest: ", c.err)
	}
	return c.r
}

// LoadRouter loads every spec (see specData).
func LoadRouter() (*Router, error) {
	r := &Router{products: map[string]*product{}}
	for _, name := range Products() {
		file := specFile(name)
		data, err := specData(file)
		if err != nil {
			return nil, err
		}
		doc, err := openapi3.NewLoader().LoadFromData(data)
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", file, err)
		}
		fixFormSchemas(doc)
		fixActorSID(doc)
		p := &product{doc: doc}
		for path, item := range doc.Paths.Map() {
			p.routes = append(p.routes, compile(path, item))
		}
		// Most literal first, so fixed segments beat parameters.
		sort.Slice(p.routes, func(i, j int) bool {
			if p.routes[i].literal != p.routes[j].literal {
				return p.routes[i].literal > p.routes[j].literal
			}
			return p.routes[i].path < p.routes[j].path
		})
		r.products[name] = p
	}
	return r, nil
}

// fixFormSchemas patches a spec quirk: some form parameters that carry JSON
// text (SinkConfiguration, Permissions items, Types items) have an empty
// schema, which kin-openapi cannot decode from a form. On the wire they are
// strings, so they are declared as such.
func fixFormSchemas(doc *openapi3.T) {
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			mt := op.RequestBody.Value.Content.Get("application/x-www-form-urlencoded")
			if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
				continue
			}
			for _, prop := range mt.Schema.Value.Properties {
				if prop == nil || prop.Value == nil {
					continue
				}
				v := prop.Value
				if prop.Ref == "" && untyped(v) {
					v.Type = &openapi3.Types{openapi3.TypeString}
				}
				if v.Items != nil && v.Items.Ref == "" && v.Items.Value != nil && untyped(v.Items.Value) {
					v.Items.Value.Type = &openapi3.Types{openapi3.TypeString}
				}
			}
		}
	}
}

// fixActorSID patches a spec quirk: monitor.v1.event actor_sid's pattern
// allows only US… although its description (and Twilio) also gives AC… for
// actions taken with account credentials.
func fixActorSID(doc *openapi3.T) {
	if doc.Components == nil {
		return
	}
	ev := doc.Components.Schemas["monitor.v1.event"]
	if ev == nil || ev.Value == nil {
		return
	}
	if a := ev.Value.Properties["actor_sid"]; a != nil && a.Value != nil && a.Value.Pattern == "^US[0-9a-fA-F]{32}$" {
		a.Value.Pattern = "^(US|AC)[0-9a-fA-F]{32}$"
	}
}

func untyped(s *openapi3.Schema) bool {
	return (s.Type == nil || len(*s.Type) == 0) && len(s.OneOf) == 0 && len(s.AnyOf) == 0 && len(s.AllOf) == 0 && s.Items == nil && len(s.Properties) == 0
}

var paramRE = regexp.MustCompile(`\{[^}]+\}`)

func compile(path string, item *openapi3.PathItem) *route {
	rt := &route{path: path, pathItem: item}
	var b strings.Builder
	b.WriteString("^")
	last := 0
	for _, m := range paramRE.FindAllStringIndex(path, -1) {
		lit := path[last:m[0]]
		rt.literal += len(lit)
		b.WriteString(regexp.QuoteMeta(lit))
		b.WriteString(`([^/]+?)`)
		rt.names = append(rt.names, path[m[0]+1:m[1]-1])
		last = m[1]
	}
	rt.literal += len(path) - last
	b.WriteString(regexp.QuoteMeta(path[last:]))
	b.WriteString("$")
	rt.re = regexp.MustCompile(b.String())
	return rt
}

// productAndPath works out the product and spec path of a request.
func productAndPath(req *http.Request) (string, string, error) {
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	host = strings.ToLower(host)
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	path := req.URL.Path
	if label, ok := strings.CutSuffix(host, ".twilio.com"); ok {
		if specFile(label) != "" {
			return label, path, nil
		}
	}
	rest := strings.TrimPrefix(path, "/")
	label, sub, _ := strings.Cut(rest, "/")
	if specFile(label) == "" {
		return "", "", fmt.Errorf("no Twilio product for host %q path %q", host, path)
	}
	return label, "/" + sub, nil
}

// Find matches a request to its operation.
func (r *Router) Find(req *http.Request) (*routers.Route, map[string]string, Operation, error) {
	name, path, err := productAndPath(req)
	if err != nil {
		return nil, nil, Operation{}, err
	}
	p := r.products[name]
	for _, rt := range p.routes {
		m := rt.re.FindStringSubmatch(path)
		if m == nil {
			continue
		}
		op := rt.pathItem.GetOperation(req.Method)
		if op == nil {
			continue // another template may accept the method
		}
		params := make(map[string]string, len(rt.names))
		for i, n := range rt.names {
			params[n] = m[i+1]
		}
		var server *openapi3.Server
		if len(rt.pathItem.Servers) > 0 {
			server = rt.pathItem.Servers[0]
		} else if len(p.doc.Servers) > 0 {
			server = p.doc.Servers[0]
		}
		return &routers.Route{Spec: p.doc, Server: server, Path: rt.path, PathItem: rt.pathItem, Method: req.Method, Operation: op},
			params, Operation{Product: name, Path: rt.path, Method: req.Method, OperationID: op.OperationID}, nil
	}
	return nil, nil, Operation{}, fmt.Errorf("no %s operation matches %s %s", name, req.Method, path)
}

// Operations lists every operation of a product, for coverage checks.
func (r *Router) Operations(productName string) []Operation {
	p := r.products[productName]
	if p == nil {
		return nil
	}
	var out []Operation
	for _, rt := range p.routes {
		for method, op := range rt.pathItem.Operations() {
			out = append(out, Operation{Product: productName, Path: rt.path, Method: method, OperationID: op.OperationID})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// Example returns the spec's own example reply for the operation req
// matches: the lowest documented 2xx status and its largest JSON example
// (valid is false when that example contradicts its own schema, as a few
// published ones do). ok is false when the operation has no
// example; a 204 has no body.
func (r *Router) Example(req *http.Request) (status int, body []byte, valid, ok bool) {
	route, _, _, err := r.Find(req)
	if err != nil || route.Operation.Responses == nil {
		return 0, nil, false, false
	}
	codes := []int{}
	for code := range route.Operation.Responses.Map() {
		var n int
		if _, err := fmt.Sscanf(code, "%d", &n); err == nil && n >= 200 && n < 300 {
			codes = append(codes, n)
		}
	}
	sort.Ints(codes)
	for _, code := range codes {
		resp := route.Operation.Responses.Status(code)
		if resp == nil || resp.Value == nil {
			continue
		}
		if code == http.StatusNoContent {
			return code, nil, true, true
		}
		mt := resp.Value.Content.Get("application/json")
		if mt == nil {
			continue
		}
		var cands [][]byte
		for _, ex := range mt.Examples {
			if ex == nil || ex.Value == nil {
				continue
			}
			if b, err := json.Marshal(ex.Value.Value); err == nil {
				cands = append(cands, b)
			}
		}
		if len(cands) == 0 && mt.Example != nil {
			if b, err := json.Marshal(mt.Example); err == nil {
				cands = append(cands, b)
			}
		}
		// Richest first: lists also have a "read_empty" example.
		sort.Slice(cands, func(i, j int) bool {
			if len(cands[i]) != len(cands[j]) {
				return len(cands[i]) > len(cands[j])
			}
			return string(cands[i]) < string(cands[j])
		})
		if len(cands) > 0 {
			_, err := r.CheckResponse(req, code, http.Header{"Content-Type": {"application/json"}}, cands[0])
			return code, cands[0], err == nil, true
		}
	}
	return 0, nil, false, false
}

// HeaderInvalidExample marks a reply from ExampleHandler whose example does
// not match its own schema; Transport does not validate such replies.
const HeaderInvalidExample = "X-Oaitest-Invalid-Example"

// ExampleHandler serves, for every request that matches an operation, the
// spec's example reply (404 in Twilio's error shape otherwise), with paging
// links nulled so that a client reads one page. A stand-in server for client
// tests: it checks that the client decodes what Twilio documents.
func (r *Router) ExampleHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		status, body, valid, ok := r.Example(req)
		if !ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"code":20404,"message":"no example for %s %s","more_info":"https://www.twilio.com/docs/errors/20404","status":404}`, req.Method, req.URL.Path)
			return
		}
		if !valid {
			w.Header().Set(HeaderInvalidExample, "true")
		}
		if body != nil {
			body = nullPaging(body)
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	})
}

// nullPaging sets next_page_uri / meta.next_page_url to null.
func nullPaging(body []byte) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	changed := false
	if _, ok := m["next_page_uri"]; ok {
		m["next_page_uri"] = json.RawMessage("null")
		changed = true
	}
	if raw, ok := m["meta"]; ok {
		var meta map[string]json.RawMessage
		if json.Unmarshal(raw, &meta) == nil {
			if _, ok := meta["next_page_url"]; ok {
				meta["next_page_url"] = json.RawMessage("null")
				if b, err := json.Marshal(meta); err == nil {
					m["meta"] = b
					changed = true
				}
			}
		}
	}
	if !changed {
		return body
	}
	out, err := json.Marshal(m)
	if err != nil {
		return body
	}
	return out
}

func options() *openapi3filter.Options {
	return &openapi3filter.Options{
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		IncludeResponseStatus: true,
		MultiError:            true,
	}
}

// CheckRequest validates a request against its operation; the body is read
// and restored so the request can still be sent or served.
func (r *Router) CheckRequest(req *http.Request) (Operation, error) {
	route, params, op, err := r.Find(req)
	if err != nil {
		return op, err
	}
	body, err := peekBody(req)
	if err != nil {
		return op, err
	}
	clone := req.Clone(context.Background())
	clone.Body = io.NopCloser(bytes.NewReader(body))
	in := &openapi3filter.RequestValidationInput{Request: clone, PathParams: params, Route: route, Options: options()}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		return op, fmt.Errorf("request %s: %w", op, err)
	}
	return op, nil
}

// CheckResponse validates a response (status, headers and body) against the
// operation of req. Error responses (4xx/5xx) must have Twilio's error shape:
// {"code", "message", "more_info", "status"}; the specs do not describe them.
func (r *Router) CheckResponse(req *http.Request, status int, header http.Header, body []byte) (Operation, error) {
	route, params, op, err := r.Find(req)
	if err != nil {
		return op, err
	}
	if status >= 400 {
		return op, checkTwilioError(status, body)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: options()}
	rin := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header, Options: options()}
	rin.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), rin); err != nil {
		return op, fmt.Errorf("response %d to %s: %w", status, op, err)
	}
	return op, nil
}

func checkTwilioError(status int, body []byte) error {
	var e struct {
		Code     *int    `json:"code"`
		Message  *string `json:"message"`
		MoreInfo *string `json:"more_info"`
		Status   *int    `json:"status"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		return fmt.Errorf("error response %d is not Twilio error JSON: %w (body %.200q)", status, err, body)
	}
	switch {
	case e.Code == nil, e.Message == nil, e.Status == nil:
		return fmt.Errorf("error response %d lacks code/message/status: %.200q", status, body)
	case *e.Status != status:
		return fmt.Errorf("error response: body status %d != HTTP status %d", *e.Status, status)
	case e.MoreInfo == nil:
		return fmt.Errorf("error response %d lacks more_info: %.200q", status, body)
	}
	return nil
}

func peekBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(b))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return b, nil
}

// ValidateRequest fails the test when req does not conform to the specs.
func (r *Router) ValidateRequest(t testing.TB, req *http.Request) Operation {
	t.Helper()
	op, err := r.CheckRequest(req)
	if err != nil {
		t.Errorf("oaitest: %v", err)
	}
	return op
}

// ValidateResponse fails the test when the response to req does not conform.
// resp supplies the status and headers; body is the full response body.
func (r *Router) ValidateResponse(t testing.TB, req *http.Request, resp *http.Response, body []byte) Operation {
	t.Helper()
	op, err := r.CheckResponse(req, resp.StatusCode, resp.Header, body)
	if err != nil {
		t.Errorf("oaitest: %v", err)
	}
	return op
}

// Transport is an http.RoundTripper that validates every request it sends and
// every response it receives, recording failures on T. Responses whose body
// cannot be read completely (an injected fault) are passed through
// unvalidated, as are error responses when SkipErrors is set.
type Transport struct {
	Router *Router
	Base   http.RoundTripper // nil: http.DefaultTransport
	T      testing.TB
	// SkipInjected skips validation of responses marked as injected faults
	// (the emulator sets the X-Emulator-Fault header on them).
	SkipInjected bool

	mu  sync.Mutex
	ops map[string]int
}

// Seen returns how many times each operation was exercised.
func (tr *Transport) Seen() map[string]int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	out := make(map[string]int, len(tr.ops))
	for k, v := range tr.ops {
		out[k] = v
	}
	return out
}

// RoundTrip implements http.RoundTripper.
func (tr *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := tr.Base
	if base == nil {
		base = http.DefaultTransport
	}
	op, err := tr.Router.CheckRequest(req)
	if err != nil {
		tr.T.Errorf("oaitest: %v", err)
	} else {
		tr.mu.Lock()
		if tr.ops == nil {
			tr.ops = map[string]int{}
		}
		tr.ops[op.String()]++
		tr.mu.Unlock()
	}
	resp, err := base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, rerr := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr != nil {
		// Truncated or reset body: hand the client what arrived plus the error.
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{rerr}))
		return resp, nil
	}
	if tr.SkipInjected && resp.Header.Get("X-Emulator-Fault") != "" {
		return resp, nil
	}
	if resp.Header.Get(HeaderInvalidExample) != "" {
		return resp, nil
	}
	if _, err := tr.Router.CheckResponse(req, resp.StatusCode, resp.Header, body); err != nil {
		tr.T.Errorf("oaitest: %v", err)
	}
	return resp, nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
