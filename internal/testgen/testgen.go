// Package testgen generates realistic inputs for scanner benchmarks: a mixed
// source tree (Go, Python, JavaScript, JSON, YAML, Markdown, logs, .env) and
// a git repository with a long history, built with `git fast-import`.
// Content is pseudo-random from a seed, so a size and seed always give the
// same bytes; generated trees are cached under the temp directory.
//
// Credentials in the output are fabricated: a few well-formed pairs (about
// one per SecretEvery files) so the detectors do real work, and plenty of
// near misses (hashes, UUIDs, words starting with AC or SK).
package testgen

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
)

// gen produces lines of several file kinds from a seeded generator.
type gen struct {
	r     *rand.Rand
	words []string
}

func newGen(seed uint64) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), words: strings.Fields(vocabulary)}
}

const vocabulary = `account accountSid action activate active backup balance
batch callback cancel channel client config connect context count create customer
data debug delete deliver device disable email enable error event fetch filter
handler header index invoice items key limit list load logger message metadata
method notify number order options page params payload phone process queue rate
record region request response retry route schedule secret send service session
setting signal skip status stream subaccount success task template timeout token
trace update upload user value verify webhook worker ACCESS ACTIVE BACKEND SKIP
TASK ACK SKU ACME`

func (g *gen) word() string { return g.words[g.r.IntN(len(g.words))] }

func (g *gen) ident() string {
	w := g.word()
	if g.r.IntN(2) == 0 {
		w += strings.ToUpper(g.word()[:1]) + g.word()[1:]
	}
	return w
}

func (g *gen) hex(n int) string {
	b := make([]byte, (n+1)/2)
	for i := range b {
		b[i] = byte(g.r.Uint32())
	}
	return hex.EncodeToString(b)[:n]
}

func (g *gen) alnum(n int) string {
	const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = a[g.r.IntN(len(a))]
	}
	return string(b)
}

func (g *gen) uuid() string {
	h := g.hex(32)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func (g *gen) sentence() string {
	n := 5 + g.r.IntN(12)
	ws := make([]string, n)
	for i := range ws {
		ws[i] = g.word()
	}
	return strings.Join(ws, " ")
}

// kinds of generated files, with their extensions.
func kinds() []string { return []string{"go", "py", "js", "json", "yaml", "md", "log", "env"} }

// line returns one line for a file of kind k. The switch is a table of
// kinds.
func (g *gen) line(k string) string {
	switch k {
	case "go":
		return g.goLine()
	case "py":
		return g.pyLine()
	case "js":
		return g.jsLine()
	case "json":
		return g.jsonLine()
	case "yaml":
		return g.yamlLine()
	case "md":
		return g.mdLine()
	case "log":
		return g.logLine()
	case "env":
		return g.envLine()
	}
	return g.sentence()
}

// goLine returns a Go source line.
func (g *gen) goLine() string {
	switch g.r.IntN(8) {
	case 0:
		return fmt.Sprintf("func (s *%sService) %s(ctx context.Context, id string) error {", title(g.word()), title(g.ident()))
	case 1:
		return fmt.Sprintf("\tif err := s.%s(ctx, %q); err != nil {", g.ident(), g.word())
	case 2:
		return fmt.Sprintf("\t\treturn fmt.Errorf(\"%s: %%w\", err)", g.sentence())
	case 3:
		return fmt.Sprintf("\t// %s", g.sentence())
	case 4:
		return fmt.Sprintf("\t%s := %s.%s(%d, %q)", g.ident(), g.word(), title(g.ident()), g.r.IntN(10000), g.hex(8))
	case 5:
		return "\t}"
	case 6:
		return fmt.Sprintf("const %sChecksum = %q // sha1", g.ident(), g.hex(40))
	}
	return ""
}

// pyLine returns a Python line.
func (g *gen) pyLine() string {
	switch g.r.IntN(6) {
	case 0:
		return fmt.Sprintf("def %s_%s(self, %s, %s=None):", g.word(), g.word(), g.word(), g.word())
	case 1:
		return fmt.Sprintf("    %s = self.%s.get(%q, %d)", g.ident(), g.word(), g.word(), g.r.IntN(500))
	case 2:
		return fmt.Sprintf("    # %s", g.sentence())
	case 3:
		return fmt.Sprintf("    logger.info(\"%s %%s\", %s)", g.sentence(), g.word())
	case 4:
		return fmt.Sprintf("    return {%q: %s, \"id\": %q}", g.word(), g.word(), g.uuid())
	}
	return ""
}

// jsLine returns a JavaScript line.
func (g *gen) jsLine() string {
	switch g.r.IntN(5) {
	case 0:
		return fmt.Sprintf("export async function %s(%s, %s) {", g.ident(), g.word(), g.word())
	case 1:
		return fmt.Sprintf("  const %s = await fetch(`/api/%s/${%s}`);", g.ident(), g.word(), g.word())
	case 2:
		return fmt.Sprintf("  // %s", g.sentence())
	case 3:
		return fmt.Sprintf("  if (!%s.%s) throw new Error(%q);", g.word(), g.ident(), g.sentence())
	}
	return "}"
}

// jsonLine returns a JSON member line.
func (g *gen) jsonLine() string {
	switch g.r.IntN(4) {
	case 0:
		return fmt.Sprintf("  %q: %q,", g.ident(), g.sentence())
	case 1:
		return fmt.Sprintf("  %q: %d,", g.ident(), g.r.IntN(1<<20))
	case 2:
		return fmt.Sprintf("  %q: %q,", "integrity", "sha512-"+g.alnum(86)+"==")
	}
	return fmt.Sprintf("  %q: %q,", g.word()+"_id", g.hex(32))
}

// yamlLine returns a YAML line.
func (g *gen) yamlLine() string {
	switch g.r.IntN(4) {
	case 0:
		return fmt.Sprintf("%s:", g.ident())
	case 1:
		return fmt.Sprintf("  %s: %s", g.word(), g.word())
	case 2:
		return fmt.Sprintf("  %s: %d", g.word(), g.r.IntN(1000))
	}
	return fmt.Sprintf("  image: registry.example.com/%s@sha256:%s", g.word(), g.hex(64))
}

// mdLine returns a Markdown line.
func (g *gen) mdLine() string {
	if g.r.IntN(6) == 0 {
		return "## " + title(g.sentence())
	}
	return g.sentence() + ". " + g.sentence() + "."
}

// logLine returns a structured log line.
func (g *gen) logLine() string {
	return fmt.Sprintf("2025-%02d-%02dT%02d:%02d:%02dZ %s request_id=%s %s=%s latency=%dms msg=%q",
		1+g.r.IntN(12), 1+g.r.IntN(28), g.r.IntN(24), g.r.IntN(60), g.r.IntN(60),
		[]string{"INFO", "WARN", "DEBUG", "ERROR"}[g.r.IntN(4)], g.uuid(), g.word(), g.hex(12), g.r.IntN(900), g.sentence())
}

// envLine returns a .env assignment.
func (g *gen) envLine() string {
	return fmt.Sprintf("%s_%s=%s", strings.ToUpper(g.word()), strings.ToUpper(g.word()), g.alnum(8+g.r.IntN(24)))
}

// secret returns a fabricated leaked credential in the syntax of kind k.
func (g *gen) secret(k string) string {
	sid, tok := "AC"+g.hex(32), g.hex(32)
	switch k {
	case "py":
		return fmt.Sprintf("client = Client(%q, %q)", sid, tok)
	case "js":
		return fmt.Sprintf("const client = twilio(%q, %q);", sid, tok)
	case "json":
		return fmt.Sprintf("  \"twilio\": {\"account_sid\": %q, \"auth_token\": %q},", sid, tok)
	case "yaml":
		return fmt.Sprintf("twilio:\n  account_sid: %s\n  auth_token: %s", sid, tok)
	case "env":
		return fmt.Sprintf("TWILIO_ACCOUNT_SID=%s\nTWILIO_AUTH_TOKEN=%s", sid, tok)
	case "go":
		return fmt.Sprintf("\tclient := twilio.NewRestClientWithParams(twilio.ClientParams{Username: %q, Password: %q})", sid, tok)
	}
	return fmt.Sprintf("curl -u %s:%s https://api.twilio.com/2010-04-01/Accounts.json", sid, tok)
}

// file returns a file of kind k of about size bytes; with leak it contains
// one credential.
func (g *gen) file(k string, size int, leak bool) []byte {
	var b strings.Builder
	b.Grow(size + 256)
	leakAt := -1
	if leak {
		leakAt = g.r.IntN(max(1, size))
	}
	if k == "json" {
		b.WriteString("{\n")
	}
	for b.Len() < size {
		if leakAt >= 0 && b.Len() >= leakAt {
			b.WriteString(g.secret(k))
			b.WriteByte('\n')
			leakAt = -1
			continue
		}
		b.WriteString(g.line(k))
		b.WriteByte('\n')
	}
	if k == "json" {
		b.WriteString("  \"end\": true\n}\n")
	}
	return []byte(b.String())
}

// size draws a file size: mostly small source files, a few large ones,
// like a real tree.
func (g *gen) size() int {
	switch p := g.r.IntN(100); {
	case p < 60:
		return 512 + g.r.IntN(8<<10)
	case p < 95:
		return 8<<10 + g.r.IntN(56<<10)
	case p < 99:
		return 64<<10 + g.r.IntN(448<<10)
	}
	return 1<<20 + g.r.IntN(3<<20)
}

// title upper-cases the first letter of an ASCII word.
func title(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

func (g *gen) kind() string {
	ks := kinds()
	return ks[g.r.IntN(len(ks))]
}
