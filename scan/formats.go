package scan

import (
	"bytes"
	"strings"
)

// csvHeaderAbove: a line within the 20 above p is a comma-separated header
// with a token or secret column (account_sid,auth_token).
func csvHeaderAbove(buf []byte, p int) bool {
	limit := p - pairRadius
	ls := lineStart(buf, p, limit)
	for n := 0; ls > max(limit, 0) && n < 20; n++ {
		prev := lineStart(buf, ls-1, limit)
		line := bytes.ToLower(buf[prev : ls-1])
		ls = prev
		if bytes.IndexByte(line, ',') < 0 {
			return false
		}
		if bytes.Contains(line, []byte("token")) || bytes.Contains(line, []byte("secret")) {
			return !deniedContext(line)
		}
	}
	return false
}

// namedKey is keyBefore, except that a generic slot name (value, default)
// defers to the name its object gives it: {"key": "password", "value": "…"}
// (Postman, many JSON key/value lists) or variable "auth_token" { default = "…" }.
func namedKey(buf []byte, q int) []byte {
	if name := xmlElementName(buf, q); name != nil {
		return name
	}
	key := keyBefore(buf, q)
	if len(key) == 0 {
		return keyOnLineAbove(buf, q)
	}
	k := strings.ToLower(string(key))
	if k == "string" {
		return plistKey(buf, q, key)
	}
	if k == "--value" || k == "--body" || k == "-b" {
		if name, ok := flagName(buf, q, k); ok {
			return name
		}
	}
	if k != "value" && k != "default" {
		return key
	}
	if k == "value" {
		if name := yamlItemName(buf, q); name != nil {
			return name
		}
		if name := yamlParentKey(buf, q); name != nil {
			return name
		}
		if name := xmlValueName(buf, q); name != nil {
			return name
		}
	}
	from := max(0, q-300)
	open := bytes.LastIndexByte(buf[from:q], '{')
	if open < 0 {
		return key
	}
	open += from
	if k == "value" {
		obj := buf[open:q]
		for _, name := range [...]string{`"key"`, `"name"`} {
			if i := bytes.Index(obj, []byte(name)); i >= 0 {
				rest := bytes.TrimLeft(obj[i+len(name):], " \t:")
				if len(rest) > 0 && rest[0] == '"' {
					if e := bytes.IndexByte(rest[1:], '"'); e >= 0 {
						return rest[1 : 1+e]
					}
				}
			}
		}
		return objectName(buf, open, key)
	}
	// default = "…" inside variable "name" { … }
	head := bytes.TrimSpace(lineBefore(buf, open))
	if f := bytes.Fields(head); len(f) == 2 && string(f[0]) == "variable" {
		return bytes.Trim(f[1], `"`)
	}
	return objectName(buf, open, key)
}

// yamlItemName: in a YAML list of name/value mappings (a Kubernetes
// container's env, Helm values, Tekton params) the value is named by the
// name key of the same list item:
//
//	env:
//	  - name: TWILIO_AUTH_TOKEN
//	    value: "…"
//
// The value's line must hold only `value:` (after an optional "- "); the
// name is a key at the same column in the same item, above or below it
// (deeper lines, like a neighbour's valueFrom block, are skipped). It
// returns nil when the item has no such name.
func yamlItemName(buf []byte, q int) []byte {
	line := lineBefore(buf, q)
	ind := indentOf(line)
	rest, kcol := line[ind:], ind
	first := false // the value's line starts the item ("- value: …")
	if r, ok := bytes.CutPrefix(rest, []byte("- ")); ok {
		n := indentOf(r)
		rest, kcol, first = r[n:], ind+2+n, true
	}
	r, ok := bytes.CutPrefix(rest, []byte("value"))
	if !ok {
		return nil
	}
	r = bytes.TrimLeft(r, " \t")
	if len(r) == 0 || r[0] != ':' || len(bytes.Trim(r[1:], " \t\"'")) != 0 {
		return nil
	}
	const maxItemLines = 32
	ls := q - len(line)
	for n, e := 0, ls; !first && e > 0 && n < maxItemLines; n++ {
		s := lineStart(buf, e-1, e-1-512)
		name, stop := yamlItemKey(buf[s:e-1], kcol, false)
		if name != nil || stop {
			return name
		}
		e = s
	}
	for n, s := 0, q; n < maxItemLines; n++ {
		nl := bytes.IndexByte(buf[s:min(len(buf), s+512)], '\n')
		if nl < 0 {
			return nil
		}
		s += nl + 1
		e := min(len(buf), s+512)
		if le := bytes.IndexByte(buf[s:e], '\n'); le >= 0 {
			e = s + le
		}
		name, stop := yamlItemKey(buf[s:e], kcol, true)
		if name != nil || stop {
			return name
		}
	}
	return nil
}

// xmlValueName: .NET configuration files name a value in another
// attribute of its element, before or after it:
//
//	<add key="TwilioAuthToken" value="…" />
//	<add value="…" name="TwilioAuthToken" />
//
// or, in applicationSettings, in the <setting> element around <value>:
//
//	<setting name="TwilioAuthToken" serializeAs="String">
//	  <value>…</value>
//
// It returns nil for anything else.
func xmlValueName(buf []byte, q int) []byte {
	line := lineBefore(buf, q)
	lt := bytes.LastIndexByte(line, '<')
	if lt < 0 {
		return nil
	}
	ts := q - len(line) + lt // the tag's '<'
	if string(line[lt:]) == "<value>" {
		e := skipSpaceBack(buf, ts, 200)
		if e == 0 || buf[e-1] != '>' {
			return nil
		}
		open := bytes.LastIndexByte(buf[max(0, e-512):e], '<')
		if open < 0 {
			return nil
		}
		tag := buf[max(0, e-512)+open : e]
		if !bytes.HasPrefix(tag, []byte("<setting ")) {
			return nil
		}
		return xmlAttr(tag, "name")
	}
	if q == 0 || !isQuote(buf[q-1]) || bytes.IndexByte(line[lt:], '>') >= 0 {
		return nil // not inside an attribute value of an open tag
	}
	te := bytes.IndexByte(buf[q:min(len(buf), q+512)], '>')
	if te < 0 {
		return nil
	}
	tag := buf[ts : q+te]
	if name := xmlAttr(tag, "key"); name != nil {
		return name
	}
	return xmlAttr(tag, "name")
}

// xmlAttr is the value of attribute attr in tag (from '<' to before '>'), or nil.
func xmlAttr(tag []byte, attr string) []byte {
	for i := 0; i < len(tag); {
		j := bytes.Index(tag[i:], []byte(attr))
		if j < 0 {
			return nil
		}
		j += i
		i = j + len(attr)
		if j == 0 || (tag[j-1] != ' ' && tag[j-1] != '\t' && tag[j-1] != '\n' && tag[j-1] != '\r') {
			continue
		}
		r := bytes.TrimLeft(tag[i:], " \t")
		if len(r) == 0 || r[0] != '=' {
			continue
		}
		r = bytes.TrimLeft(r[1:], " \t")
		if len(r) == 0 || (r[0] != '"' && r[0] != '\'') {
			continue
		}
		if e := bytes.IndexByte(r[1:], r[0]); e > 0 {
			return r[1 : 1+e]
		}
		return nil
	}
	return nil
}

// yamlItemKey reads one line beside a list item's value key at column kcol:
// the name if the line is that item's `name:` key, stop when the line is
// outside the item (less indented, or another item's first line; going
// up, the item's own first line ends the search too).
func yamlItemKey(line []byte, kcol int, below bool) (name []byte, stop bool) {
	line = bytes.TrimRight(line, " \t\r")
	ind := indentOf(line)
	c, col := line[ind:], ind
	if len(c) == 0 || c[0] == '#' {
		return nil, false
	}
	dash := false
	if r, ok := bytes.CutPrefix(c, []byte("- ")); ok {
		n := indentOf(r)
		c, col, dash = r[n:], ind+2+n, true
	}
	switch {
	case col > kcol || (dash && ind >= kcol):
		return nil, false // inside a sibling key's block
	case col < kcol:
		return nil, true
	case dash && below:
		return nil, true // the next item
	}
	if r, ok := bytes.CutPrefix(c, []byte("name")); ok {
		r = bytes.TrimLeft(r, " \t")
		if len(r) > 0 && r[0] == ':' {
			v := bytes.TrimSpace(r[1:])
			if i := bytes.Index(v, []byte(" #")); i >= 0 {
				v = bytes.TrimSpace(v[:i])
			}
			return bytes.Trim(v, `"'`), true
		}
	}
	return nil, dash
}

// flagName: command lines that take the name and the value as separate
// arguments — `gh secret set NAME --body v` (or -b), `aws ssm put-parameter
// --name /app/twilio/auth_token --value v`. The value at q follows flag.
func flagName(buf []byte, q int, flag string) ([]byte, bool) {
	line := bytes.TrimRight(lineBefore(buf, q), " \t=\"'")
	if !bytes.HasSuffix(bytes.ToLower(line), []byte(flag)) ||
		flag == "-b" && !bytes.Contains(line, []byte("secret set")) { // gh's short --body
		return nil, false
	}
	before := bytes.Fields(line[:len(line)-len(flag)])
	// The name may also come after the value: --value v --name /app/twilio/auth_token.
	rest := buf[q:min(len(buf), q+512)]
	if e := bytes.IndexByte(rest, '\n'); e >= 0 {
		rest = rest[:e]
	}
	for _, args := range [][][]byte{before, bytes.Fields(rest)} {
		for i, a := range args {
			// A parameter path keeps its folders: /notify/twilio/auth_token
			// says Twilio where auth_token alone would not.
			if v, ok := bytes.CutPrefix(a, []byte("--name=")); ok {
				return bytes.Trim(v, "\"'"), true
			}
			if string(a) == "--name" && i+1 < len(args) {
				return bytes.Trim(args[i+1], "\"'"), true
			}
		}
	}
	// gh secret set NAME [--repo o/r] --body v: the last word before the
	// value that is neither a flag nor a flag's value.
	for i := len(before) - 1; i >= 0; i-- {
		if !bytes.HasPrefix(before[i], []byte("-")) && (i == 0 || !bytes.HasPrefix(before[i-1], []byte("-"))) {
			return bytes.Trim(before[i], "\"'"), true
		}
	}
	return nil, false
}

// objectName is the name of the object opening at open, as in Heroku's
// app.json ("TWILIO_AUTH_TOKEN": {"value": "…"}) or a JSON schema default,
// or key when the object has none.
func objectName(buf []byte, open int, key []byte) []byte {
	if name := keyBefore(buf, open); len(name) > 0 {
		return name
	}
	return key
}

// plistKey: in an Apple property list the name is the <key> element before
// the value's <string> element, often on the line above:
//
//	<key>TwilioAuthToken</key>
//	<string>…</string>
//
// Anything else keeps the key it was given.
func plistKey(buf []byte, q int, key []byte) []byte {
	const open = "<string>"
	e := q - len(open)
	if e < 0 || string(buf[e:q]) != open {
		return key
	}
	e = skipSpaceBack(buf, e, 200)
	const closeKey = "</key>"
	if e < len(closeKey) || string(buf[e-len(closeKey):e]) != closeKey {
		return key
	}
	e -= len(closeKey)
	from := max(0, e-64)
	s := bytes.LastIndex(buf[from:e], []byte("<key>"))
	if s < 0 {
		return key
	}
	return buf[from+s+len("<key>") : e]
}

// skipSpaceBack returns the position after the last non-space byte before
// i, looking back at most max bytes.
func skipSpaceBack(buf []byte, i, max int) int {
	for n := 0; i > 0 && n < max; i, n = i-1, n+1 {
		switch buf[i-1] {
		case ' ', '\t', '\r', '\n':
		default:
			return i
		}
	}
	return i
}

// keyOnLineAbove handles a value alone on its line under its key:
//
//	auth_token:
//	  "…"
//
// (YAML block style, also "key =" continued on the next line).
func keyOnLineAbove(buf []byte, q int) []byte {
	line := lineBefore(buf, q)
	if len(bytes.Trim(line, " \t\"'-")) != 0 {
		return nil
	}
	ls := q - len(line)
	if ls == 0 {
		return nil
	}
	prev := lineBefore(buf, ls-1)
	t := bytes.TrimRight(prev, " \t\r")
	if name := continuedName(buf, ls-1-len(prev), t); name != nil {
		return name
	}
	if len(t) == 0 || (t[len(t)-1] != ':' && t[len(t)-1] != '=') {
		return nil
	}
	t = bytes.TrimRight(t[:len(t)-1], " \t")
	t = bytes.Trim(t, `"'`)
	i := len(t) - 1
	for i >= 0 && (classTable[t[i]]&clIdent != 0 || t[i] == '.' || t[i] == '-') {
		i--
	}
	return t[i+1:]
}

// xmlElementName: an element's text named by its name (or key) attribute,
// whatever other attributes follow it (Android resources):
//
//	<string name="twilio_auth_token" translatable="false">…</string>
//
// nil when the value does not directly follow such an opening tag.
func xmlElementName(buf []byte, q int) []byte {
	if q == 0 || buf[q-1] != '>' {
		return nil
	}
	line := lineBefore(buf, q-1)
	lt := bytes.LastIndexByte(line, '<')
	if lt < 0 || lt+1 >= len(line) || line[lt+1] == '/' || !bytes.ContainsAny(line[lt:], " \t") {
		return nil
	}
	tag := line[lt:]
	if name := xmlAttr(tag, "name"); name != nil {
		return name
	}
	return xmlAttr(tag, "key")
}

// yamlParentKey: CI variables in object form name the value by the mapping
// that holds it (GitLab CI, Azure pipelines):
//
//	TWILIO_AUTH_TOKEN:
//	  value: "…"
//	  description: "…"
//
// The value's line holds only `value:`; sibling keys at its indentation may
// stand above it; the first less indented line must be `NAME:` alone.
func yamlParentKey(buf []byte, q int) []byte {
	line := lineBefore(buf, q)
	ind := indentOf(line)
	if ind == 0 || !bytes.HasPrefix(line[ind:], []byte("value")) {
		return nil
	}
	ls := q - len(line)
	for n := 0; ls > 0 && n < 8; n++ {
		prev := lineBefore(buf, ls-1)
		ls -= len(prev) + 1
		pi := indentOf(prev)
		t := bytes.TrimRight(prev, " \t\r")
		switch {
		case len(t) == pi:
			continue // blank
		case pi == ind:
			continue // a sibling key (description:, expand:)
		case pi > ind:
			return nil
		}
		if t[len(t)-1] != ':' {
			return nil
		}
		name := bytes.Trim(t[pi:len(t)-1], `"' `)
		if len(name) == 0 || bytes.ContainsAny(name, " :") {
			return nil
		}
		return name
	}
	return nil
}

// continuedName handles a literal on the line after an expression that
// goes on: a fallback (process.env.TWILIO_AUTH_TOKEN ??, || …), whose
// operand names the value, or a call left open (= JSON.stringify(), whose
// assignment does. t is the line above (starting at ls) without trailing
// space; nil for anything else.
func continuedName(buf []byte, ls int, t []byte) []byte {
	switch {
	case bytes.HasSuffix(t, []byte("??")), bytes.HasSuffix(t, []byte("||")):
		e := len(bytes.TrimRight(t[:len(t)-2], " \t"))
		i := e - 1
		for i >= 0 && (classTable[t[i]]&clIdent != 0 || t[i] == '.' || t[i] == '-') {
			i--
		}
		if i+1 < e {
			return t[i+1 : e]
		}
	case bytes.HasSuffix(t, []byte("(")):
		i := len(t) - 2
		for i >= 0 && (classTable[t[i]]&clIdent != 0 || t[i] == '.') {
			i--
		}
		if i+1 < len(t)-1 && i >= 0 {
			return keyBefore(buf, ls+i+1)
		}
	}
	return nil
}
