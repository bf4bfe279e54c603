package cli

import (
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// TestServeHashPassword: the printed hash verifies the password read from
// stdin (without its line end) and never contains it; a short password is
// refused with exit 2 naming the range.
func TestServeHashPassword(t *testing.T) {
	const pw = "correct horse battery"
	var out, errb syncBuffer
	if code := Run(t.Context(), []string{"serve", "hash-password"}, IO{In: strings.NewReader(pw + "\r\n"), Out: &out, Err: &errb}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	h := strings.TrimSpace(out.String())
	if err := bcrypt.CompareHashAndPassword([]byte(h), []byte(pw)); err != nil || strings.Contains(out.String()+errb.String(), pw) {
		t.Fatalf("hash %q: %v", h, err)
	}
	out, errb = syncBuffer{}, syncBuffer{}
	if code := Run(t.Context(), []string{"serve", "hash-password"}, IO{In: strings.NewReader("short\n"), Out: &out, Err: &errb}); code != 2 || !strings.Contains(errb.String(), "8 to 72") {
		t.Fatalf("short password: exit %d: %s", code, errb.String())
	}
}
