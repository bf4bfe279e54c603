package twilio

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"strings"

	"github.com/atoguard/atoguard"
)

// page is one decoded list page.
type page[W any] struct {
	items []W
	next  string // next_page_uri (2010) or meta.next_page_url (v1); "" at the end
}

// list pages through a list endpoint at the configured page size, yielding
// each item converted by conv (items for which conv returns false are
// skipped). key names the item array (e.g. "messages", "events").
// Iteration stops at the first error, which is yielded once.
func list[W, T any](c *Client, ctx context.Context, r *request, key string, conv func(*W) (T, bool)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		cur := *r
		cur.method = "GET"
		cur.retrySafe = true
		q := url.Values{}
		for k, v := range r.query {
			q[k] = v
		}
		q.Set("PageSize", strconv.Itoa(c.sh.opts.PageSize))
		cur.query = q
		seen := map[string]bool{}
		for {
			resp, err := c.do(ctx, &cur)
			if err != nil {
				yield(zero, err)
				return
			}
			var p page[W]
			if err := decodePage(resp.body, key, &p); err != nil {
				yield(zero, atoguard.Errorf(atoguard.EUNAVAILABLE, cur.op, "decode %s page: %v", key, err))
				return
			}
			for i := range p.items {
				t, ok := conv(&p.items[i])
				if !ok {
					continue
				}
				if !yield(t, nil) {
					return
				}
			}
			if p.next == "" {
				return
			}
			if err := ctx.Err(); err != nil {
				yield(zero, wrapCtx(cur.op, err))
				return
			}
			next, err := c.mapNext(cur.product, p.next)
			if err != nil {
				yield(zero, &atoguard.Error{Code: atoguard.EINTERNAL, Op: cur.op, Err: err})
				return
			}
			if seen[next] {
				yield(zero, atoguard.Errorf(atoguard.EINTERNAL, cur.op, "paging loop: %s returned twice", p.next))
				return
			}
			seen[next] = true
			cur = request{op: cur.op, method: "GET", product: cur.product, rawURL: next, retrySafe: true}
		}
	}
}

// decodePage reads a list body, streaming over its top-level keys so only
// the item array and the paging fields are decoded.
func decodePage[W any](body []byte, key string, p *page[W]) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("list body is not an object")
	}
	found := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		switch name {
		case key:
			if err := dec.Decode(&p.items); err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			found = true
		case "next_page_uri":
			var s *string
			if err := dec.Decode(&s); err != nil {
				return fmt.Errorf("next_page_uri: %w", err)
			}
			if s != nil {
				p.next = *s
			}
		case "meta":
			var m struct {
				NextPageURL *string `json:"next_page_url"`
			}
			if err := dec.Decode(&m); err != nil {
				return fmt.Errorf("meta: %w", err)
			}
			if m.NextPageURL != nil {
				p.next = *m.NextPageURL
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
		}
	}
	if !found {
		return fmt.Errorf("no %q array in list body", key)
	}
	return nil
}

// mapNext maps a server paging link onto the configured base URL: Twilio
// gives 2010 next_page_uri relative to api.twilio.com and v1 next_page_url
// absolute on https://<product>.twilio.com. Links to any other host are
// refused so credentials never leave for a host that was not configured.
func (c *Client) mapNext(product, next string) (string, error) {
	if strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") {
		if strings.HasPrefix(next, "/2010-04-01/") || strings.HasPrefix(next, "/v1/") {
			return c.sh.bases[product] + next, nil
		}
		if c.sh.opts.BaseURL != "" {
			return strings.TrimRight(c.sh.opts.BaseURL, "/") + next, nil
		}
		return "", fmt.Errorf("cannot map paging link %q", next)
	}
	u, err := url.Parse(next)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("bad paging link %q", next)
	}
	host := strings.ToLower(u.Hostname())
	if label, ok := strings.CutSuffix(host, ".twilio.com"); ok {
		if base, known := c.sh.bases[label]; known {
			s := base + u.EscapedPath()
			if u.RawQuery != "" {
				s += "?" + u.RawQuery
			}
			return s, nil
		}
	}
	// Already on a configured base (an emulator that returns its own URLs).
	for _, base := range c.sh.bases {
		b, err := url.Parse(base)
		if err == nil && strings.EqualFold(b.Scheme, u.Scheme) && strings.EqualFold(b.Host, u.Host) {
			return next, nil
		}
	}
	return "", fmt.Errorf("refusing paging link to unconfigured host %q", u.Host)
}

// Collect drains a list iterator into a slice, stopping at the first error
// (the items read so far are returned with it).
func Collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

// errSeq is an iterator that yields one error.
func errSeq[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}

// decodeJSON decodes a single-resource reply.
func decodeJSON(op string, resp *response, v any) error {
	if err := json.Unmarshal(resp.body, v); err != nil {
		return atoguard.Errorf(atoguard.EUNAVAILABLE, op, "decode reply: %v", err)
	}
	return nil
}

// get fetches one resource.
func (c *Client) get(ctx context.Context, op, product, path string, q url.Values, v any) error {
	resp, err := c.do(ctx, &request{op: op, method: "GET", product: product, path: path, query: q, retrySafe: true})
	if err != nil {
		return err
	}
	return decodeJSON(op, resp, v)
}

// post sends a form; retrySafe says whether repeating it is harmless.
func (c *Client) post(ctx context.Context, op, product, path string, form url.Values, retrySafe bool, v any) error {
	if form == nil {
		form = url.Values{}
	}
	resp, err := c.do(ctx, &request{op: op, method: "POST", product: product, path: path, form: form, retrySafe: retrySafe})
	if err != nil {
		return err
	}
	if v == nil {
		return nil
	}
	return decodeJSON(op, resp, v)
}

// del deletes a resource; a retry that finds it gone counts as success.
func (c *Client) del(ctx context.Context, op, product, path string) error {
	_, err := c.do(ctx, &request{op: op, method: "DELETE", product: product, path: path, retrySafe: true, gone404OK: true})
	return err
}

// needSID rejects empty or path-breaking identifiers before they reach a URL.
func needSID(op, what, sid string) error {
	if sid == "" || strings.ContainsAny(sid, "/?#%") {
		return atoguard.Errorf(atoguard.EINVALID, op, "invalid %s %q", what, sid)
	}
	return nil
}
