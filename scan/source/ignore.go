package source

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"regexp"
	"strings"
)

// ignoreRule is one line of a .gitignore (or .atoguardignore) file.
type ignoreRule struct {
	negate  bool
	dirOnly bool
	// anchored rules match the path relative to the file's directory;
	// the others match the base name at any depth below it.
	anchored bool
	literal  string         // exact match when the pattern has no wildcard
	re       *regexp.Regexp // otherwise; RE2 keeps hostile patterns linear
	// prefix re-bases a rule from an enclosing directory: anchored rules
	// see prefix + "/" + rel.
	prefix string
}

// ignoreFile is the parsed content of one ignore file, rooted at base (a
// slash-separated path relative to the walk root, "" for the root).
type ignoreFile struct {
	base  string
	rules []ignoreRule
}

// parseIgnore parses gitignore syntax (https://git-scm.com/docs/gitignore):
// comments, escaped leading '#'/'!', trailing-space trimming, negation,
// dir-only patterns, anchoring by an inner slash, and the three forms of "**".
func parseIgnore(r io.Reader, base string) *ignoreFile {
	f := &ignoreFile{base: base}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		if rule, ok := parseIgnoreLine(sc.Text()); ok {
			f.rules = append(f.rules, rule)
		}
	}
	return f
}

func parseIgnoreLine(line string) (ignoreRule, bool) {
	var r ignoreRule
	line = strings.TrimSuffix(line, "\r")
	line = trimTrailingSpaces(line)
	if line == "" || line[0] == '#' {
		return r, false
	}
	switch {
	case line[0] == '!':
		r.negate = true
		line = line[1:]
	case strings.HasPrefix(line, `\!`), strings.HasPrefix(line, `\#`):
		line = line[1:]
	}
	if strings.HasSuffix(line, "/") {
		r.dirOnly = true
		line = strings.TrimRight(line, "/")
	}
	if line == "" {
		return r, false
	}
	if strings.Contains(line, "/") {
		r.anchored = true
		line = strings.TrimPrefix(line, "/")
	}
	if !strings.ContainsAny(line, `*?[\`) {
		r.literal = line
		return r, true
	}
	re, err := regexp.Compile(globToRegexp(line))
	if err != nil {
		return r, false // an unparsable pattern matches nothing, as in git
	}
	r.re = re
	return r, true
}

// trimTrailingSpaces removes unescaped trailing spaces.
func trimTrailingSpaces(s string) string {
	for strings.HasSuffix(s, " ") && !strings.HasSuffix(s, `\ `) {
		s = s[:len(s)-1]
	}
	return s
}

// globToRegexp translates a gitignore glob into an anchored regular expression.
func globToRegexp(p string) string {
	var b strings.Builder
	b.WriteString(`^`)
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '*' && strings.HasPrefix(p[i:], "**"):
			// "**" is special only as a whole path segment.
			atStart := i == 0 || p[i-1] == '/'
			j := i
			for j < len(p) && p[j] == '*' {
				j++
			}
			atEnd := j == len(p) || p[j] == '/'
			switch {
			case atStart && atEnd && j == len(p):
				b.WriteString(`.*`) // "foo/**": everything inside
			case atStart && atEnd:
				b.WriteString(`(?:.*/)?`) // "**/" : zero or more directories
				j++                       // the slash is part of the group
			default:
				b.WriteString(`[^/]*`)
			}
			i = j
		case c == '*':
			b.WriteString(`[^/]*`)
			i++
		case c == '?':
			b.WriteString(`[^/]`)
			i++
		case c == '[':
			end, class := globClass(p[i:])
			if end < 0 {
				b.WriteString(`\[`)
				i++
				continue
			}
			b.WriteString(class)
			i += end
		case c == '\\' && i+1 < len(p):
			b.WriteString(regexp.QuoteMeta(p[i+1 : i+2]))
			i += 2
		default:
			b.WriteString(regexp.QuoteMeta(p[i : i+1]))
			i++
		}
	}
	b.WriteString(`$`)
	return b.String()
}

// globClass converts a bracket expression starting at p[0]=='[' and returns
// its length and regexp form, or -1 when it is not closed.
func globClass(p string) (int, string) {
	i := 1
	var b strings.Builder
	b.WriteString("[")
	if i < len(p) && (p[i] == '!' || p[i] == '^') {
		b.WriteString("^/")
		i++
	}
	first := true
	for i < len(p) {
		c := p[i]
		if c == ']' && !first {
			b.WriteString("]")
			return i + 1, b.String()
		}
		first = false
		switch {
		case c == '\\' && i+1 < len(p):
			b.WriteString(regexp.QuoteMeta(p[i+1 : i+2]))
			i += 2
		case c == '[' && strings.HasPrefix(p[i:], "[:"):
			end := strings.Index(p[i+2:], ":]")
			if end < 0 {
				b.WriteString(`\[`)
				i++
				continue
			}
			b.WriteString(p[i : i+2+end+2]) // POSIX class, same syntax in RE2
			i += 2 + end + 2
		case c == '-':
			b.WriteString("-")
			i++
		default:
			b.WriteString(regexp.QuoteMeta(p[i : i+1]))
			i++
		}
	}
	return -1, ""
}

// match reports whether rel (slash-separated, relative to the file's base)
// matches the rule.
func (r *ignoreRule) match(rel string, isDir bool) bool {
	if r.dirOnly && !isDir {
		return false
	}
	subject := rel
	if r.anchored && r.prefix != "" {
		subject = r.prefix + "/" + rel
	}
	if !r.anchored {
		if i := strings.LastIndexByte(rel, '/'); i >= 0 {
			subject = rel[i+1:]
		}
	}
	if r.re == nil {
		return subject == r.literal
	}
	return r.re.MatchString(subject)
}

// decide returns (ignored, matched) for path (relative to the walk root).
// The last matching rule of the file wins.
func (f *ignoreFile) decide(path string, isDir bool) (bool, bool) {
	rel := path
	if f.base != "" {
		if !strings.HasPrefix(path, f.base+"/") {
			return false, false
		}
		rel = path[len(f.base)+1:]
	}
	for i := len(f.rules) - 1; i >= 0; i-- {
		if f.rules[i].match(rel, isDir) {
			return !f.rules[i].negate, true
		}
	}
	return false, false
}

// ignoreStack holds the ignore files that apply at the current depth of a
// walk, outermost first. Deeper files override shallower ones.
type ignoreStack []*ignoreFile

func (s ignoreStack) ignored(path string, isDir bool) bool {
	for i := len(s) - 1; i >= 0; i-- {
		if ign, ok := s[i].decide(path, isDir); ok {
			return ign
		}
	}
	return false
}

// loadIgnoreFile reads name in dir; a missing file yields nil.
func loadIgnoreFile(dir, name, base string) (*ignoreFile, error) {
	data, err := os.ReadFile(dir + string(os.PathSeparator) + name)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	f := parseIgnore(bytes.NewReader(data), base)
	if len(f.rules) == 0 {
		return nil, nil
	}
	return f, nil
}

// Matcher matches slash-separated paths against gitignore-syntax patterns;
// git sources use it for .atoguardignore.
type Matcher struct{ files ignoreStack }

// NewMatcher parses patterns in gitignore syntax (one per line).
func NewMatcher(patterns string) *Matcher {
	f := parseIgnore(strings.NewReader(patterns), "")
	return &Matcher{files: ignoreStack{f}}
}

// Match reports whether path, or one of its parent directories, is ignored.
func (m *Matcher) Match(path string) bool {
	if m == nil {
		return false
	}
	parts := strings.Split(path, "/")
	for i := 1; i < len(parts); i++ {
		if m.files.ignored(strings.Join(parts[:i], "/"), true) {
			return true
		}
	}
	return m.files.ignored(path, false)
}
