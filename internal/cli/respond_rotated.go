package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/credstore"
	"github.com/atoguard/atoguard/playbook"
	"github.com/atoguard/atoguard/twilio"
)

// useRotatedCredential serves the commands that follow an apply (plan,
// report): when the configured auth token is rejected because apply rotated
// it, the new token is read from the sink apply stored it in (the
// --credential-sink given, else the one the journal names) and used, and
// stderr says so and what to update. apply itself leaves this to the
// playbook, which also finishes an interrupted rotation.
func useRotatedCredential(ctx context.Context, env *respondEnv, stderr io.Writer) error {
	cred := env.opts.Credential
	if cred.KeySID != "" || env.opts.Journal == nil {
		return nil
	}
	rec, rotated := journalRotation(env.opts.Journal, cred.AccountSID)
	if !rotated {
		return nil
	}
	if _, err := env.client.FetchAccount(ctx, cred.AccountSID); !twilio.IsUnauthorized(err) {
		return nil // it works, or the failure is not about the token
	}
	where := rec.StoreKind + ":" + rec.Location
	var s atoguard.CredentialStore
	if env.opts.Store != nil {
		s, where = env.opts.Store, env.opts.Store.Kind()+":"+env.opts.Store.Location()
	} else if rec.StoreKind == "file" || rec.StoreKind == "env" {
		if fs, err := credstore.Parse(where, cred.AccountSID); err == nil {
			s = fs
		}
	}
	stale := fmt.Sprintf("the configured auth token of %s is rejected: respond apply rotated it (new token %s, stored in %s)",
		cred.AccountSID, rec.Fingerprint, where)
	if s == nil {
		return atoguard.Errorf(atoguard.EUNAUTHORIZED, "respond", "%s; that sink cannot be read back here: set TWILIO_AUTH_TOKEN to the new token, or pass --credential-sink", stale)
	}
	tok, err := s.Load(ctx, cred.AccountSID)
	if err != nil {
		return atoguard.Errorf(atoguard.EUNAUTHORIZED, "respond", "%s; reading it back failed (%v): set TWILIO_AUTH_TOKEN to the new token, or pass --credential-sink", stale, err)
	}
	next := atoguard.Credential{AccountSID: cred.AccountSID, Secret: tok}
	c := env.client.As(next)
	if _, err := c.FetchAccount(ctx, cred.AccountSID); err != nil {
		return atoguard.Errorf(atoguard.EUNAUTHORIZED, "respond", "%s; the token in the sink (%s) does not work either: %v", stale, tok.Fingerprint(), err)
	}
	env.client, env.opts.Credential = c, next
	fmt.Fprintf(stderr, "atoguard: %s; using the token found there (fingerprint %s). Update TWILIO_AUTH_TOKEN (or twilio-auth-token in the config) to it.\n",
		stale, tok.Fingerprint())
	return nil
}

// journalRotation returns the latest credential record of account.
func journalRotation(j *playbook.Journal, account string) (atoguard.CredentialRecord, bool) {
	for _, c := range j.Credentials() {
		if c.AccountSID == account {
			return c, true
		}
	}
	return atoguard.CredentialRecord{}, false
}
