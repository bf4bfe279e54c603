package phish

import (
	"strings"
	"testing"
)

func TestExtract(t *testing.T) {
	type want struct {
		host, url, path, userinfo, ipForm string
		obfuscated, fileLike, malformed   bool
	}
	tests := []struct {
		name string
		text string
		want []want
	}{
		{"schemeless with path", "Visit paypal-login.com/verify now.", []want{{host: "paypal-login.com", url: "paypal-login.com/verify", path: "/verify"}}},
		{"www", "see www.example.co.uk today", []want{{host: "www.example.co.uk", url: "www.example.co.uk"}}},
		{"https", "Login: https://Secure-PayPal.com/a?b=1#c", []want{{host: "secure-paypal.com", url: "https://Secure-PayPal.com/a?b=1#c", path: "/a?b=1#c"}}},
		{"hxxp and [.]", "hxxps://secure-paypal[.]com/login", []want{{host: "secure-paypal.com", url: "https://secure-paypal.com/login", path: "/login", obfuscated: true}}},
		{"(.) and {.}", "paypal(.)com and amazon{.}com", []want{{host: "paypal.com", url: "paypal.com", obfuscated: true}, {host: "amazon.com", url: "amazon.com", obfuscated: true}}},
		{"[dot] with spaces", "go to paypal [dot] com", []want{{host: "paypal.com", url: "paypal.com", obfuscated: true}}},
		{"spelled dot", "paypal dot com/x", []want{{host: "paypal.com", url: "paypal.com/x", path: "/x", obfuscated: true}}},
		{"ideographic dot", "paypal。com/x", []want{{host: "paypal.com", url: "paypal.com/x", path: "/x", obfuscated: true}}},
		{"zero width", "pay\u200bpal.com/x", []want{{host: "paypal.com", url: "paypal.com/x", path: "/x", obfuscated: true}}},
		{"trailing punctuation", "Links: bit.ly/3xYz! (example.com/a). tinyurl.com/abc,", []want{
			{host: "bit.ly", url: "bit.ly/3xYz", path: "/3xYz"}, {host: "example.com", url: "example.com/a", path: "/a"}, {host: "tinyurl.com", url: "tinyurl.com/abc", path: "/abc"}}},
		{"balanced parens kept", "https://en.wikipedia.org/wiki/Foo_(bar)", []want{{host: "en.wikipedia.org", url: "https://en.wikipedia.org/wiki/Foo_(bar)", path: "/wiki/Foo_(bar)"}}},
		{"decimal ip", "http://3232235777/", []want{{host: "192.168.1.1", url: "http://3232235777/", path: "/", ipForm: "decimal"}}},
		{"hex ip", "http://0xC0.0xA8.0x01.0x01/x", []want{{host: "192.168.1.1", url: "http://0xC0.0xA8.0x01.0x01/x", path: "/x", ipForm: "hex"}}},
		{"octal ip", "http://0300.0250.01.01/", []want{{host: "192.168.1.1", url: "http://0300.0250.01.01/", path: "/", ipForm: "octal"}}},
		{"short ip", "http://127.1/", []want{{host: "127.0.0.1", url: "http://127.1/", path: "/", ipForm: "short"}}},
		{"dotted ip", "http://203.0.113.9:8080/login", []want{{host: "203.0.113.9", url: "http://203.0.113.9:8080/login", path: "/login", ipForm: "dotted"}}},
		{"schemeless ip with path", "open 203.0.113.9/login", []want{{host: "203.0.113.9", url: "203.0.113.9/login", path: "/login", ipForm: "dotted"}}},
		{"ipv6", "http://[2001:db8::1]:8443/x", []want{{host: "2001:db8::1", url: "http://[2001:db8::1]:8443/x", path: "/x", ipForm: "ipv6"}}},
		{"userinfo trick", "https://paypal.com@evil.ru/login", []want{{host: "evil.ru", url: "https://paypal.com@evil.ru/login", path: "/login", userinfo: "paypal.com"}}},
		{"schemeless userinfo", "paypal.com@evil.ru/login", []want{{host: "evil.ru", url: "paypal.com@evil.ru/login", path: "/login", userinfo: "paypal.com"}}},
		{"punycode", "http://xn--pypal-4ve.com/", []want{{host: "xn--pypal-4ve.com", url: "http://xn--pypal-4ve.com/", path: "/"}}},
		{"unicode host", "раураl.com/login", []want{{host: "xn--l-7sba6dbr.com", url: "раураl.com/login", path: "/login"}}},
		{"percent host", "https://%70aypal.com/", []want{{host: "paypal.com", url: "https://%70aypal.com/", path: "/"}}},
		{"percent path", "https://evil.ru/%70aypal/login", []want{{host: "evil.ru", url: "https://evil.ru/%70aypal/login", path: "/paypal/login"}}},
		{"file name with TLD extension", "run setup.py", []want{{host: "setup.py", url: "setup.py", fileLike: true}}},
		{"glued text", "foo.com,bar", []want{{host: "foo.com", url: "foo.com"}}},
		{"port schemeless", "paypal.com:8080/x", []want{{host: "paypal.com", url: "paypal.com:8080/x", path: "/x"}}},
		{"none: numbers and abbreviations", "version 3.5, e.g. at 5 a.m. see report.pdf and U.S. Mr.Smith i.e. done", nil},
		{"none: sentence without space", "Done.Click the button", nil},
		{"none: sentence end", "Act now.", nil},
		{"none: email", "write to support@paypal.com please", nil},
		{"none: dotted ip without path", "Ping 10.0.0.1 now", nil},
		{"none: other scheme", "ftp://files.example.com/x", nil},
		{"none: empty", "", nil},
		{"none: unknown tld", "hello.wrld and foo.barz", nil},
		{"none: bad port", "http://example.com:99999/", nil},
		{"none: bad ip", "http://256.1.1.1/", nil},
		{"rtl override stripped", "\u202emoc.lapyap\u202c paypal-verify.com", []want{{host: "paypal-verify.com", url: "paypal-verify.com"}}},
		{"one slash", "Pay now http:/toll-pay.com/x", []want{{host: "toll-pay.com", url: "http:/toll-pay.com/x", path: "/x", malformed: true}}},
		{"three slashes", "go http:///toll-pay.com/x", []want{{host: "toll-pay.com", url: "http:///toll-pay.com/x", path: "/x", malformed: true}}},
		{"l for slash", "go http:l/toll-pay.com/x", []want{{host: "toll-pay.com", url: "http:l/toll-pay.com/x", path: "/x", malformed: true}}},
		{"no colon", "go http/toll-pay.com/x", []want{{host: "toll-pay.com", url: "http/toll-pay.com/x", path: "/x", malformed: true}}},
		{"space after scheme", "login http:// 1.2.3.4/bank", []want{{host: "1.2.3.4", url: "1.2.3.4/bank", path: "/bank", ipForm: "dotted", malformed: true}}},
		{"space after scheme, bare ip", "login https:// 1.2.3.4", []want{{host: "1.2.3.4", url: "1.2.3.4", ipForm: "dotted", malformed: true}}},
		{"glued scheme", "for a better experiencehttp://usps-track.top/p", []want{{host: "usps-track.top", url: "http://usps-track.top/p", path: "/p"}}},
		{"glued word and colon", "Here:1200cash.com/", []want{{host: "1200cash.com", url: "1200cash.com/", path: "/"}}},
		{"glued word and colon www", "Visit:www.example.org now", []want{{host: "www.example.org", url: "www.example.org"}}},
		{"word before colon in authority", "http://bank:netbank.com/login", []want{{host: "netbank.com", url: "http://bank:netbank.com/login", path: "/login"}}},
		{"bare .pl", "Dopłata: inpost-pl.pl", []want{{host: "inpost-pl.pl", url: "inpost-pl.pl"}}},
		{"bare .ai .cc .rs", "see toll-due.ai or parcel-fee.cc or posta-srbija.rs", []want{{host: "toll-due.ai", url: "toll-due.ai"}, {host: "parcel-fee.cc", url: "parcel-fee.cc"}, {host: "posta-srbija.rs", url: "posta-srbija.rs"}}},
		{"file names on busy TLDs", "edit main.rs and build_all.pl and MyScript.pl", []want{{host: "main.rs", url: "main.rs", fileLike: true}, {host: "build_all.pl", url: "build_all.pl", fileLike: true}, {host: "myscript.pl", url: "MyScript.pl", fileLike: true}}},
		{"none: http version", "HTTP/1.1 200 OK over http/2 and HTTP/3", nil},
		{"none: https in a word", "httpserver.Start and httpsx", nil},
		{"none: time with colons", "Time:10:30 today", nil},
		{"emoji around", "🎁 Claim: 🎁prize-claim.top/x🎁", []want{{host: "prize-claim.top", url: "prize-claim.top/x", path: "/x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Extract(tt.text)
			if len(got) != len(tt.want) {
				t.Fatalf("Extract(%q) = %d links %+v, want %d", tt.text, len(got), got, len(tt.want))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Host != w.host || g.URL != w.url || g.Path != w.path || g.Userinfo != w.userinfo ||
					g.IPForm != w.ipForm || g.Obfuscated != w.obfuscated || g.FileLike != w.fileLike || g.Malformed != w.malformed {
					t.Errorf("link %d = %+v, want %+v", i, g, w)
				}
				if !ValidHost(g.Host) {
					t.Errorf("invalid host %q", g.Host)
				}
			}
		})
	}
}

func TestExtractUnicodeForm(t *testing.T) {
	l := Extract("http://xn--pypal-4ve.com/")
	if len(l) != 1 || l[0].Unicode != "pаypal.com" {
		t.Fatalf("got %+v", l)
	}
}

func TestExtractBounds(t *testing.T) {
	huge := strings.Repeat("see example.com/x ", 10000)
	if got := len(Extract(huge)); got != maxLinks {
		t.Errorf("links in huge body = %d, want cap %d", got, maxLinks)
	}
	long := strings.Repeat("a", 1<<20) + ".com"
	if got := Extract(long); len(got) != 0 {
		t.Errorf("over-long label accepted: %d", len(got))
	}
	bad := "\xff\xfe paypal-login.com/\xff x"
	got := Extract(bad)
	if len(got) != 1 || got[0].Host != "paypal-login.com" {
		t.Errorf("non-UTF-8 body: %+v", got)
	}
}

func TestParseIPv4(t *testing.T) {
	tests := []struct {
		in, want, form string
		ok             bool
	}{
		{"3232235777", "192.168.1.1", "decimal", true},
		{"0xc0a80101", "192.168.1.1", "hex", true},
		{"192.168.1.1", "192.168.1.1", "dotted", true},
		{"192.168.257", "192.168.1.1", "short", true},
		{"4294967296", "", "", false},
		{"1.2.3.4.5", "", "", false},
		{"08.1.1.1", "", "", false},
		{"0x", "0.0.0.0", "hex", true},
	}
	for _, tt := range tests {
		a, form, ok := parseIPv4(tt.in)
		if ok != tt.ok || ok && (a.String() != tt.want || form != tt.form) {
			t.Errorf("parseIPv4(%q) = %v %q %v, want %q %q %v", tt.in, a, form, ok, tt.want, tt.form, tt.ok)
		}
	}
}

func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		"Visit paypal-login.com/verify now.", "hxxps://secure-paypal[.]com/login", "http://3232235777/",
		"https://paypal.com@evil.ru/", "http://[2001:db8::1]:80/", "раураl.com", "http://xn--pypal-4ve.com/",
		"paypal [dot] com", "3.5 e.g. a.m.", "\u202emoc.lapyap", "http://%70aypal.com/", "a@b.c/d", "(x.com)",
		"http://0x.0x/", "https://[::ffff:1.2.3.4]/", "paypal。com", "hxxp://[.]",
		"http:/x.com", "http:///x.com/a", "http:l/x.com", "http/x.com", "http:// 1.2.3.4", "http://",
		"experiencehttp://x.co/p", "Here:1200cash.com/", "http://bank:netbank.com", "a:b:c:d.pl",
		"HTTP/1.1 http/2", "inpost.pl main.rs x_y.ai", "http:\\\\x.com", "https:",
	} {
		f.Add(s)
	}
	a := New(Options{CacheSize: -1})
	f.Fuzz(func(t *testing.T, s string) {
		for _, l := range Extract(s) {
			if !ValidHost(l.Host) {
				t.Fatalf("Extract(%q): invalid host %q", s, l.Host)
			}
			if l.URL == "" {
				t.Fatalf("Extract(%q): empty URL", s)
			}
		}
		_ = Template(s)
		r := a.Analyze(s)
		for _, u := range r.URLs {
			if u.Score < 0 || u.Score > 1 || !ValidHost(u.Host) {
				t.Fatalf("Analyze(%q): bad URL %+v", s, u)
			}
		}
	})
}
