package scan

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	atoguard "github.com/atoguard/atoguard"
)

func FuzzDecodeBase64(f *testing.F) {
	f.Add([]byte(basic(sid1, tok1)))
	f.Add([]byte("QUM="))
	f.Add([]byte("===="))
	f.Add([]byte("not base64!"))
	f.Fuzz(func(t *testing.T, data []byte) {
		decodeBase64(data) // must not panic on anything
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding} {
			got, ok := decodeBase64([]byte(enc.EncodeToString(data)))
			if !ok || !bytes.Equal(got, data) {
				t.Fatalf("round trip %q: got %q ok=%v", data, got, ok)
			}
		}
	})
}

func FuzzPercentDecode(f *testing.F) {
	f.Add([]byte("AC%3Atoken%40api"))
	f.Add([]byte("%"))
	f.Add([]byte("%4"))
	f.Add([]byte("%zz%41"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if out := percentDecode(data); len(out) > len(data) {
			t.Fatalf("decoded longer than input")
		}
		var enc strings.Builder
		for _, c := range data {
			fmt.Fprintf(&enc, "%%%02X", c)
		}
		if got := percentDecode([]byte(enc.String())); !bytes.Equal(got, data) {
			t.Fatalf("round trip %q: got %q", data, got)
		}
	})
}

func FuzzUnescapeJSON(f *testing.F) {
	f.Add("plain")
	f.Add(`quote " backslash \ tab 	 <html> & é 😀`)
	f.Add("\\u00")
	f.Add("\\ud83d\\ude00 \\ud83d")
	f.Fuzz(func(t *testing.T, s string) {
		unescapeJSON([]byte(s)) // must not panic on raw escapes either
		if !utf8.ValidString(s) {
			return
		}
		q, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(unescapeJSON(q[1 : len(q)-1])); got != s {
			t.Fatalf("unescape(%s) = %q, want %q", q, got, s)
		}
	})
}

// FuzzDetect: no panic, and every finding points at its own evidence: the
// bytes at its line:column start with the secret (or the SID for a bare
// SID, or the base64 that decodes to SID:secret).
func FuzzDetect(f *testing.F) {
	for _, tc := range detectCases() {
		f.Add([]byte(expand(tc.in)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkEvidence(t, data, New(Options{IncludePlaceholders: true}).ScanBytes("f", data))
	})
}

// FuzzDetectContext mutates the text around and between a real SID and
// token, which is where the context rules (key names, separators, quotes,
// escapes, sections) do their work.
func FuzzDetectContext(f *testing.F) {
	f.Add("account_sid = \"", "\"\nauth_token = \"", "\"\n")
	f.Add("Client(\"", "\", \"", "\")")
	f.Add("https://", ":", "@api.twilio.com")
	f.Add("twilio:\n  sid: ", "\nstripe:\n  secret: ", "\n")
	f.Add("{\"key\": \"password\", \"value\": \"", "\"}", "")
	f.Add("sid=", "%3A", "%40")
	f.Fuzz(func(t *testing.T, before, between, after string) {
		data := []byte(before + sid1 + between + tok1 + after)
		checkEvidence(t, data, New(Options{IncludePlaceholders: true}).ScanBytes("f", data))
	})
}

// encoded is s in unpadded standard base64.
func encoded(s string) []byte { return []byte(base64.RawStdEncoding.EncodeToString([]byte(s))) }

// checkEvidence: every finding points at its own evidence.
func checkEvidence(t *testing.T, data []byte, fs []atoguard.Finding) {
	t.Helper()
	{
		lines := bytes.SplitAfter(data, []byte("\n"))
		for _, fd := range fs {
			if fd.Line < 1 || fd.Line > len(lines) || fd.Column < 1 || fd.Column > len(lines[fd.Line-1]) {
				t.Fatalf("position %d:%d out of range: %+v", fd.Line, fd.Column, fd)
			}
			at := bytes.Join(lines[fd.Line-1:], nil)[fd.Column-1:]
			secret := fd.Secret.Reveal()
			switch {
			case fd.Rule == RuleAccountSID:
				if !bytes.HasPrefix(at, []byte(fd.AccountSID)) && !bytes.HasPrefix(at, encoded(fd.AccountSID)) {
					t.Fatalf("bare SID %s not at its position, plain or base64-encoded", fd.AccountSID)
				}
			case bytes.HasPrefix(at, []byte(secret)), bytes.HasPrefix(at, encoded(secret)):
			default:
				user := fd.AccountSID
				if fd.KeySID != "" {
					user = fd.KeySID
				}
				if !bytes.HasPrefix(at, encoded(user+":"+secret)) {
					t.Fatalf("%s: secret %q neither at %d:%d nor base64-encoded there", fd.Rule, secret, fd.Line, fd.Column)
				}
			}
			for _, sid := range []string{fd.AccountSID, fd.KeySID} {
				if sid != "" && !bytes.Contains(data, []byte(sid)) && !bytes.Contains(data, encoded(sid)) &&
					!strings.HasPrefix(string(at), "QU") && !strings.HasPrefix(string(at), "U0") {
					t.Fatalf("SID %s not in input", sid)
				}
			}
		}
	}
}

// FuzzUTF16 compares the streaming UTF-16 decoder with unicode/utf16 on
// whole input, through reads of odd sizes.
func FuzzUTF16(f *testing.F) {
	f.Add([]byte("A\x00C\x00"), false, 3)
	f.Add([]byte("\x3d\xd8\x00\xde"), false, 1)
	f.Add([]byte("\xd8\x3d"), true, 7)
	f.Fuzz(func(t *testing.T, data []byte, big bool, step int) {
		step = 1 + abs(step)%64
		u := &utf16Reader{r: bytes.NewReader(data), big: big}
		var got []byte
		buf := make([]byte, step)
		for {
			n, err := u.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				break
			}
		}
		units := make([]uint16, len(data)/2)
		for i := range units {
			if big {
				units[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
			} else {
				units[i] = uint16(data[2*i+1])<<8 | uint16(data[2*i])
			}
		}
		if want := string(utf16.Decode(units)); string(got) != want {
			t.Fatalf("decoded %q, want %q", got, want)
		}
	})
}
