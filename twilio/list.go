package twilio

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"log/slog"
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

// pageDecoder turns a list body into items and the next-page link.
type pageDecoder[T any] func(body []byte) (items []T, next string, err error)

// jsonPage decodes pages with encoding/json into wire type W and converts
// each item with conv (items for which conv returns false are dropped).
// key names the item array ("messages", "events", …).
func jsonPage[W, T any](key string, conv func(*W) (T, bool)) pageDecoder[T] {
	return func(body []byte) ([]T, string, error) {
		var p page[W]
		if err := decodePage(body, key, &p); err != nil {
			return nil, "", err
		}
		out := make([]T, 0, len(p.items))
		for i := range p.items {
			if t, ok := conv(&p.items[i]); ok {
				out = append(out, t)
			}
		}
		return out, p.next, nil
	}
}

// list pages through a list endpoint at the configured page size, following
// the server's next links; see listPages.
func list[W, T any](c *Client, ctx context.Context, r *request, key string, conv func(*W) (T, bool)) iter.Seq2[T, error] {
	return listPages(c, ctx, r, jsonPage(key, conv))
}

type pageResult[T any] struct {
	items []T
	next  string
	err   error
}

// listPages yields every item of a paged list. The next page is fetched
// while the current one is consumed, so the network and the consumer
// overlap; a consumer that stops early cancels that fetch. Iteration ends at
// the first error, which is yielded once.
func listPages[T any](c *Client, parent context.Context, r *request, decode pageDecoder[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		ctx, cancel := context.WithCancel(parent)
		defer cancel()
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
		res := fetchPage(c, ctx, &cur, decode)
		for {
			if res.err != nil {
				yield(zero, res.err)
				return
			}
			var (
				pending chan pageResult[T]
				nextErr error
			)
			if res.next != "" {
				next, err := c.mapNext(cur.product, res.next)
				switch {
				case err != nil:
					nextErr = &atoguard.Error{Code: atoguard.EINTERNAL, Op: cur.op, Err: err}
				case seen[next]:
					nextErr = atoguard.Errorf(atoguard.EINTERNAL, cur.op, "paging loop: %s returned twice", res.next)
				default:
					seen[next] = true
					cur = request{op: cur.op, method: "GET", product: cur.product, rawURL: next, retrySafe: true}
					pending = make(chan pageResult[T], 1)
					req := cur
					go func() { pending <- fetchPage(c, ctx, &req, decode) }()
				}
			}
			for i, it := range res.items {
				// A canceled context ends the listing within a few items,
				// not at the end of a 1,000-item page.
				if i&63 == 63 && parent.Err() != nil {
					break
				}
				if !yield(it, nil) {
					if pending != nil {
						cancel()
						<-pending
					}
					return
				}
			}
			if err := parent.Err(); err != nil {
				cancel()
				if pending != nil {
					<-pending
				}
				yield(zero, wrapCtx(cur.op, err))
				return
			}
			if nextErr != nil {
				yield(zero, nextErr)
				return
			}
			if pending == nil {
				return
			}
			res = <-pending
		}
	}
}

// fetchPage gets and decodes one page. A body that does not decode (cut
// short by a proxy or a dropped connection) is fetched again like a failed
// read.
func fetchPage[T any](c *Client, ctx context.Context, r *request, decode pageDecoder[T]) pageResult[T] {
	for attempt := 1; ; attempt++ {
		resp, err := c.do(ctx, r)
		if err != nil {
			return pageResult[T]{err: err}
		}
		items, next, err := decode(resp.body)
		c.release(resp)
		if err == nil {
			return pageResult[T]{items: items, next: next}
		}
		if attempt > c.sh.opts.MaxRetries {
			return pageResult[T]{err: atoguard.Errorf(atoguard.EUNAVAILABLE, r.op, "decode page: %v", err)}
		}
		d := c.backoff(attempt)
		c.sh.log.LogAttrs(ctx, slog.LevelDebug, "twilio retry",
			slog.String("op", r.op), slog.Int("attempt", attempt), slog.Duration("wait", d), slog.String("reason", "undecodable page"))
		if err := c.sh.opts.Sleep(ctx, d); err != nil {
			return pageResult[T]{err: wrapCtx(r.op, err)}
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
	mapped, err := c.mapNextRaw(product, next)
	if err != nil {
		return "", err
	}
	// Defence in depth: whatever was built must parse and point at a
	// configured host.
	u, err := url.Parse(mapped)
	if err != nil || u.User != nil {
		return "", fmt.Errorf("bad paging link %q", next)
	}
	for _, base := range c.sh.bases {
		if b, err := url.Parse(base); err == nil && strings.EqualFold(b.Scheme, u.Scheme) && strings.EqualFold(b.Host, u.Host) {
			return mapped, nil
		}
	}
	return "", fmt.Errorf("refusing paging link to unconfigured host %q", u.Host)
}

func (c *Client) mapNextRaw(product, next string) (string, error) {
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
