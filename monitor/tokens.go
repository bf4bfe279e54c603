package monitor

import (
	"context"
	"time"

	"github.com/atoguard/atoguard"
)

// TokenFetcher reads a subaccount's auth token through its parent (the
// Twilio client): Event Streams signs a subaccount's deliveries with it.
type TokenFetcher interface {
	SubaccountAuthToken(ctx context.Context, subSID string) (atoguard.Secret, error)
}

type cachedToken struct {
	secret  atoguard.Secret
	fetched time.Time
}

// How long a fetched subaccount token is trusted before it is read again
// (a rotated token fails for at most this long; Twilio retries for hours),
// and how often an unknown account SID may refresh the account list.
const (
	tokenTTL        = 5 * time.Minute
	accountsRefresh = 30 * time.Second
)

// SubaccountToken is the auth token of one of the watched subaccounts, read
// through the parent and cached. Unknown SIDs never reach the API more than
// once per accountsRefresh, so forged account parameters cannot make serve
// hammer Twilio.
func (e *Engine) SubaccountToken(ctx context.Context, sid string) (atoguard.Secret, bool) {
	if e.o.Tokens == nil {
		return atoguard.Secret{}, false
	}
	e.tokMu.Lock()
	defer e.tokMu.Unlock()
	if t, ok := e.tokens[sid]; ok && time.Since(t.fetched) < tokenTTL {
		return t.secret, true
	}
	if !e.knownSubaccount(ctx, sid) {
		return atoguard.Secret{}, false
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	s, err := e.o.Tokens.SubaccountAuthToken(ctx, sid)
	if err != nil {
		e.o.Logger.Warn("reading a subaccount's auth token failed", "account", sid, "err", err)
		return atoguard.Secret{}, false
	}
	e.tokens[sid] = cachedToken{secret: s, fetched: time.Now()}
	return s, true
}

func (e *Engine) knownSubaccount(ctx context.Context, sid string) bool {
	e.mu.Lock()
	a, ok := e.accounts[sid]
	e.mu.Unlock()
	if !ok && time.Since(e.listedAt) >= accountsRefresh {
		e.listedAt = time.Now()
		lctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		accts, _ := e.o.Source.Accounts(lctx)
		e.mu.Lock()
		for _, x := range accts {
			e.accounts[x.SID] = x
		}
		a, ok = e.accounts[sid]
		e.mu.Unlock()
	}
	return ok && a.IsSubaccount()
}

// tokenSecrets are the cached subaccount tokens (scrubbed from alerts).
func (e *Engine) tokenSecrets() []atoguard.Secret {
	e.tokMu.Lock()
	defer e.tokMu.Unlock()
	out := make([]atoguard.Secret, 0, len(e.tokens))
	for _, t := range e.tokens {
		out = append(out, t.secret)
	}
	return out
}
