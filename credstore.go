package atoguard

import (
	"context"
	"errors"
)

// CredentialStore keeps new credentials where applications read them (the
// --credential-sink of respond: a file, an env file or a command). Store
// returns only once the value is durably stored (fsynced, or acknowledged by
// the command). Load reads a stored value back; it returns ErrNotStored when
// the store has none for the account and ErrNoReadBack when it cannot be read
// (a command without "load" support). Implementations: package credstore.
type CredentialStore interface {
	Kind() string     // file | env | cmd
	Location() string // path or command, for reports (never a secret)
	Store(ctx context.Context, account string, token Secret) error
	Load(ctx context.Context, account string) (Secret, error)
}

var (
	// ErrNotStored: the credential store holds nothing for the account.
	ErrNotStored = errors.New("no credential stored for the account")
	// ErrNoReadBack: the credential store cannot give a stored value back.
	ErrNoReadBack = errors.New("sink cannot read credentials back")
)
