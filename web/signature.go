package web

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
)

// Token is an auth token that signatures may be made with. During a
// rotation the previous token stays valid until NotAfter (zero: no end).
type Token struct {
	Secret   atoguard.Secret
	NotAfter time.Time
}

// Sign is how Twilio signs a JSON webhook: the signature is the base64
// HMAC-SHA1, keyed with the auth token, of the full URL, whose query holds
// bodySHA256 (the hex SHA-256 of the body). Tests and the emulator use it.
func Sign(token atoguard.Secret, fullURL string) string {
	mac := hmac.New(sha1.New, []byte(token.Reveal()))
	mac.Write([]byte(fullURL))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// SignedURL appends bodySHA256 for body to u, as Twilio does before signing.
func SignedURL(u string, body []byte) string {
	sum := sha256.Sum256(body)
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + "bodySHA256=" + hex.EncodeToString(sum[:])
}

// verify checks a JSON webhook: the signature must match fullURL under one
// of the tokens, AND the URL's bodySHA256 must be the body's SHA-256. The
// second half is what stops a replayed signature with a forged body: the
// signature covers only the URL. Both comparisons are constant-time.
func verify(tokens []Token, now time.Time, fullURL, signature string, body []byte) bool {
	u, err := url.Parse(fullURL)
	if err != nil || signature == "" {
		return false
	}
	want := u.Query().Get("bodySHA256")
	sum := sha256.Sum256(body)
	got := hex.EncodeToString(sum[:])
	bodyOK := subtle.ConstantTimeCompare([]byte(strings.ToLower(want)), []byte(got)) == 1
	sigOK := false
	for _, candidate := range urlVariants(u) {
		for _, t := range tokens {
			if t.Secret.IsZero() || (!t.NotAfter.IsZero() && now.After(t.NotAfter)) {
				continue
			}
			if subtle.ConstantTimeCompare([]byte(Sign(t.Secret, candidate)), []byte(signature)) == 1 {
				sigOK = true
			}
		}
	}
	return bodyOK && sigOK
}

// urlVariants is the URL as given and with its default port added or
// removed: Twilio's helper libraries accept both, since a proxy may add or
// strip ":443" between what Twilio signed and what the server sees.
func urlVariants(u *url.URL) []string {
	out := []string{u.String()}
	def := map[string]string{"https": "443", "http": "80"}[u.Scheme]
	if def == "" {
		return out
	}
	v := *u
	switch u.Port() {
	case "":
		v.Host = u.Host + ":" + def
	case def:
		v.Host = u.Hostname()
		if strings.Contains(v.Host, ":") { // IPv6 literal
			v.Host = "[" + v.Host + "]"
		}
	default:
		return out
	}
	return append(out, v.String())
}
