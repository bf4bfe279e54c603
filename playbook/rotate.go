package playbook

import (
	"context"
	"errors"
	"fmt"

	"github.com/atoguard/atoguard"
)

// Token rotation. The order keeps a stored working credential at every
// moment:
//
//	create secondary → store it in the sink and read it back → verify it works
//	→ promote → verify the new token works and the old one is rejected.
//
// Only two tokens work at once (primary and secondary), so a rerun learns
// where a stopped rotation stood from live state: a token in the sink that
// works and is not the primary must be the secondary (promote it); a sink
// token that is the primary, with no verification in the journal, was
// promoted (verify it). The journal says which rotations finished, so a
// rerun never rotates twice for the same incident.

func (e *engine) inspectRotate(ctx context.Context, a *acct) ([]op, error) {
	if a.cred.KeySID != "" {
		return nil, atoguard.Errorf(atoguard.EINVALID, "rotate", "%s: rotating the auth token needs the auth token, not an API key", a.info.SID)
	}
	cur := a.cred.Secret
	if e.opts.Store == nil { // plan only: Apply refuses to start without a sink
		return []op{{action: atoguard.Action{
			ID: StepRotateTokens + "/" + a.info.SID, Step: StepRotateTokens, AccountSID: a.info.SID, Resource: a.info.SID,
			Summary: "rotate the auth token", Before: "primary token " + cur.Fingerprint(),
			After: "new primary token in the credential sink (set --credential-sink before apply), old token rejected"}}}, nil
	}
	act := atoguard.Action{
		ID: StepRotateTokens + "/" + a.info.SID, Step: StepRotateTokens, AccountSID: a.info.SID,
		Resource: a.info.SID, Summary: "rotate the auth token",
		Before: "primary token " + cur.Fingerprint(),
		After:  "new primary token in " + e.targets.CredentialStore + ", old token rejected",
	}
	if e.opts.Journal != nil && e.opts.Journal.rotationDone(a.info.SID, cur.Fingerprint(), e.opts.incidentStart()) {
		if stored, err := e.opts.Store.Load(ctx, a.info.SID); err != nil || stored.Fingerprint() == cur.Fingerprint() {
			return nil, nil
		}
	}
	return []op{{action: act, do: func(ctx context.Context) (string, error) { return e.rotate(ctx, a) }}}, nil
}

// works reports whether cred authenticates (GET the account), telling a
// rejected credential (false, nil) from a failure to find out (err).
func works(ctx context.Context, dial Dial, cred atoguard.Credential) (bool, error) {
	_, err := dial(cred).FetchAccount(ctx, cred.AccountSID)
	switch {
	case err == nil:
		return true, nil
	case isUnauthorized(err):
		return false, nil
	}
	return false, err
}

func (e *engine) rotate(ctx context.Context, a *acct) (string, error) {
	sid := a.info.SID
	store := e.opts.Store
	primary := a.cred // works: it was just used to reach the account
	old := primary
	if sid == e.main.AccountSID && e.oldMain.AccountSID != "" {
		old = e.oldMain // the configured token died in an interrupted run
	}
	mk := func(s atoguard.Secret) atoguard.Credential { return atoguard.Credential{AccountSID: sid, Secret: s} }

	rec := func(phase string, fp string, cr *atoguard.CredentialRecord) error {
		return e.journal(Record{Event: EventDone, Phase: phase, Fingerprint: fp, Previous: old.Secret.Fingerprint(),
			Action: atoguard.Action{ID: StepRotateTokens + "/" + sid, Step: StepRotateTokens, AccountSID: sid, Summary: phase}, Credential: cr})
	}

	// Where does the sink stand?
	var next atoguard.Secret
	stored, err := store.Load(ctx, sid)
	switch {
	case err == nil && !stored.IsZero() && stored.Fingerprint() != primary.Secret.Fingerprint():
		ok, err := works(ctx, e.dial, mk(stored))
		if err != nil {
			return "", err
		}
		if ok { // the secondary of an interrupted run, already stored
			next = stored
		}
	case err == nil && stored.Fingerprint() == primary.Secret.Fingerprint() && e.createdByUs(sid, stored.Fingerprint()):
		// promoted by an interrupted run; only the verification is missing
		return e.finishRotation(ctx, a, mk(stored), old, rec)
	case err != nil && !errors.Is(err, atoguard.ErrNotStored) && !errors.Is(err, atoguard.ErrNoReadBack):
		return "", fmt.Errorf("reading the credential sink: %w", err)
	}

	if next.IsZero() {
		if next, err = e.newStoredSecondary(ctx, a, old, rec); err != nil {
			return "", err
		}
	}

	// The secondary must work before it replaces the primary.
	ok, err := works(ctx, e.dial, mk(next))
	if err != nil {
		return "", fmt.Errorf("verifying the new token: %w", err)
	}
	if !ok {
		return "", fmt.Errorf("the new token %s is rejected before promotion; not promoting", next.Fingerprint())
	}
	if err := e.dial(mk(next)).PromoteSecondaryAuthToken(ctx); err != nil {
		// A lost response may hide a promote that happened: check.
		if ok, werr := works(ctx, e.dial, primary); werr != nil || ok {
			return "", fmt.Errorf("promoting the new token: %w", err)
		}
	}
	if err := rec(PhasePromoted, next.Fingerprint(), nil); err != nil {
		return "", err
	}
	return e.finishRotation(ctx, a, mk(next), old, rec)
}

// newStoredSecondary creates a secondary token and stores it, read back,
// before anything is promoted: a token that is not safely stored is never
// the only one that works.
func (e *engine) newStoredSecondary(ctx context.Context, a *acct, old atoguard.Credential, rec func(string, string, *atoguard.CredentialRecord) error) (atoguard.Secret, error) {
	sid, store := a.info.SID, e.opts.Store
	s, err := a.tw.CreateSecondaryAuthToken(ctx)
	if atoguard.CodeOf(err) == atoguard.ECONFLICT {
		// a secondary nobody stored (a run that died before storing it):
		// it is in no sink, so deleting it loses nothing
		if derr := a.tw.DeleteSecondaryAuthToken(ctx); derr != nil && !isNotFound(derr) {
			return atoguard.Secret{}, fmt.Errorf("deleting a stale secondary token: %w", derr)
		}
		s, err = a.tw.CreateSecondaryAuthToken(ctx)
	}
	if err != nil {
		return atoguard.Secret{}, fmt.Errorf("creating the secondary token: %w", err)
	}
	if err := rec(PhaseSecondaryCreated, s.Fingerprint(), nil); err != nil {
		return atoguard.Secret{}, err
	}
	if err := store.Store(ctx, sid, s); err != nil {
		return atoguard.Secret{}, fmt.Errorf("storing the new token in %s (nothing promoted; the old token still works): %w", e.targets.CredentialStore, err)
	}
	back, err := store.Load(ctx, sid)
	switch {
	case errors.Is(err, atoguard.ErrNoReadBack):
		// the command acknowledged the store; that is its durability promise
	case err != nil:
		return atoguard.Secret{}, fmt.Errorf("reading the new token back from %s: %w", e.targets.CredentialStore, err)
	case back.Fingerprint() != s.Fingerprint():
		return atoguard.Secret{}, fmt.Errorf("the credential sink %s returned a different token than stored (fingerprint %s, want %s); not promoting", e.targets.CredentialStore, back.Fingerprint(), s.Fingerprint())
	}
	cr := &atoguard.CredentialRecord{AccountSID: sid, StoreKind: store.Kind(), Location: store.Location(),
		Fingerprint: s.Fingerprint(), PreviousFingerprint: old.Secret.Fingerprint(), StoredAt: e.opts.now()}
	if err := rec(PhaseStored, s.Fingerprint(), cr); err != nil {
		return atoguard.Secret{}, err
	}
	return s, nil
}

// finishRotation verifies the new token works and the old one is rejected,
// then switches the account (and, for the main account, the engine) to it.
func (e *engine) finishRotation(ctx context.Context, a *acct, next, old atoguard.Credential, rec func(string, string, *atoguard.CredentialRecord) error) (string, error) {
	ok, err := works(ctx, e.dial, next)
	if err != nil {
		return "", fmt.Errorf("verifying the new token: %w", err)
	}
	if !ok {
		return "", fmt.Errorf("the new token %s is rejected after promotion", next.Secret.Fingerprint())
	}
	if old.Secret.Fingerprint() != next.Secret.Fingerprint() {
		oldWorks, err := works(ctx, e.dial, old)
		if err != nil {
			return "", fmt.Errorf("checking the old token: %w", err)
		}
		if oldWorks {
			return "", fmt.Errorf("the old token %s still works after promotion", old.Secret.Fingerprint())
		}
	}
	cr := &atoguard.CredentialRecord{AccountSID: a.info.SID, StoreKind: e.opts.Store.Kind(), Location: e.opts.Store.Location(),
		Fingerprint: next.Secret.Fingerprint(), PreviousFingerprint: old.Secret.Fingerprint(), StoredAt: e.opts.now(), Verified: true}
	if err := rec(PhaseVerified, next.Secret.Fingerprint(), cr); err != nil {
		return "", err
	}
	a.cred = next
	a.tw = e.dial(next)
	if a.info.SID == e.main.AccountSID {
		e.main, e.tw = next, a.tw
		e.oldMain = atoguard.Credential{}
	}
	return fmt.Sprintf("primary token %s (in %s), old token %s rejected", next.Secret.Fingerprint(), e.targets.CredentialStore, old.Secret.Fingerprint()), nil
}

// createdByUs reports whether the journal shows this run family created the
// token with fingerprint fp for account.
func (e *engine) createdByUs(account, fp string) bool {
	if e.opts.Journal == nil {
		return false
	}
	return e.opts.Journal.any(func(r *Record) bool {
		return r.Action.AccountSID == account && r.Fingerprint == fp && (r.Phase == PhaseSecondaryCreated || r.Phase == PhaseStored)
	})
}

type tokensAPI interface {
	CreateSecondaryAuthToken(ctx context.Context) (atoguard.Secret, error)
	DeleteSecondaryAuthToken(ctx context.Context) error
	PromoteSecondaryAuthToken(ctx context.Context) error
}
