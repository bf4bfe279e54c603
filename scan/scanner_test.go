package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	atoguard "github.com/atoguard/atoguard"
)

// items is a Source over fixed items.
type items []Item

func (s items) Items(ctx context.Context, yield func(Item) error) error {
	for _, it := range s {
		if err := yield(it); err != nil {
			return err
		}
	}
	return nil
}

func textItem(path, content string) Item {
	return Item{Path: path, Size: int64(len(content)), Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(content)), nil
	}}
}

// filler is source-like text without anything to find.
func filler(n int) string {
	const line = "func handler(w http.ResponseWriter, r *http.Request) { log.Printf(\"ACTION %s\", r.URL) }\n"
	return strings.Repeat(line, n/len(line)+1)[:n]
}

func TestChunkBoundaries(t *testing.T) {
	pair := expand("account_sid = \"{SID}\"\nauth_token = \"{TOK}\"\n")
	const chunk = 4096
	// Place the pair at every offset around several chunk boundaries.
	for _, off := range []int{0, 1, chunk - 40, chunk - 20, chunk - 1, chunk, chunk + 3, 2*chunk + windowMargin - 30, 3*chunk + 2*windowMargin - 10} {
		head := filler(off)
		content := head + pair + filler(3*chunk)
		s := New(Options{ChunkSize: chunk, Concurrency: 1})
		res, err := s.Scan(context.Background(), items{textItem("f.py", content)})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Findings) != 1 || res.Findings[0].Rule != RuleAuthToken {
			t.Fatalf("offset %d: got %v", off, gotWants(res.Findings))
		}
		f := res.Findings[0]
		wantLine := strings.Count(head, "\n") + 2
		tokAt := len(head) + strings.Index(pair, tok1)
		wantCol := tokAt - strings.LastIndexByte(content[:tokAt], '\n')
		if f.Line != wantLine || f.Column != wantCol {
			t.Errorf("offset %d: at %d:%d, want %d:%d", off, f.Line, f.Column, wantLine, wantCol)
		}
		if res.Stats.Bytes != int64(len(content)) || res.Stats.Files != 1 {
			t.Errorf("stats %+v", res.Stats)
		}
	}
}

func TestLongLineColumn(t *testing.T) {
	// A single line longer than several chunks: the column counts from the line start.
	prefix := strings.Repeat("a ", 10000)
	content := prefix + expand("{SID}\n")
	s := New(Options{ChunkSize: 1024})
	res, err := s.Scan(context.Background(), items{textItem("long", content)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 || res.Findings[0].Line != 1 || res.Findings[0].Column != len(prefix)+1 {
		t.Fatalf("got %+v", res.Findings)
	}
}

type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestScanStatsBinaryOriginsWarnings(t *testing.T) {
	date := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	var warned []string
	var lastBytes, lastFiles int64
	src := items{
		textItem("a.env", expand("TWILIO_ACCOUNT_SID={SID}\nTWILIO_AUTH_TOKEN={TOK}\n")),
		textItem("bin.dat", "\x00\x01"+expand("{SID}:{TOK}")),
		{Path: "forced.dat", Text: true, Open: func() (io.ReadCloser, error) {
			return io.NopCloser(strings.NewReader("\x00" + expand(" {SID2}:{TOK2}"))), nil
		}},
		// A member of an archive committed to git: the finding names the
		// member, the origin gives the commit.
		{Path: "dump.zip!config/old.yml", Origins: []Origin{{Path: "dump.zip", Commit: "abc123", Author: "Eve", Email: "eve@example.com", Date: date}},
			Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(expand("sid: {SID2}\n"))), nil }},
		{Path: "gone", Open: func() (io.ReadCloser, error) { return nil, errors.New("permission denied") }},
		{Path: "broken", Open: func() (io.ReadCloser, error) {
			return io.NopCloser(&failingReader{data: []byte(expand("x = '{SID}'\n")), err: errors.New("disk error")}), nil
		}},
	}
	s := New(Options{Concurrency: 3, Warn: func(p string, err error) {
		mu.Lock()
		warned = append(warned, p+": "+err.Error())
		mu.Unlock()
	}, Progress: func(b, f int64) {
		mu.Lock()
		if b < lastBytes || f < lastFiles {
			t.Errorf("progress went back: %d,%d after %d,%d", b, f, lastBytes, lastFiles)
		}
		lastBytes, lastFiles = b, f
		mu.Unlock()
	}})
	res, err := s.Scan(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	st := res.Stats
	// Skipped: the binary item, the one that cannot be opened and the one
	// whose read failed part way (scanned as far as it was read).
	if st.Files != 3 || st.Blobs != 1 || st.Skipped != 3 || st.Binary != 1 || st.Incomplete() != 2 {
		t.Errorf("stats %+v", st)
	}
	if want := []Skip{{"broken", "read: disk error"}, {"gone", "permission denied"}}; !slices.Equal(res.Skipped, want) {
		t.Errorf("skipped %q, want %q", res.Skipped, want)
	}
	if lastFiles != int64(len(src)) || lastBytes != st.Bytes {
		t.Errorf("final progress %d,%d; stats %+v", lastBytes, lastFiles, st)
	}
	if len(warned) != 2 {
		t.Errorf("warnings %v", warned)
	}
	var paths []string
	for _, f := range res.Findings {
		paths = append(paths, f.Path+"|"+f.Rule)
		if f.Path == "dump.zip!config/old.yml" && (f.Commit != "abc123" || f.Author != "Eve" || f.Email != "eve@example.com" || !f.Date.Equal(date)) {
			t.Errorf("origin not copied: %+v", f)
		}
	}
	want := "a.env|twilio-auth-token broken|twilio-account-sid dump.zip!config/old.yml|twilio-account-sid forced.dat|twilio-auth-token"
	if strings.Join(paths, " ") != want {
		t.Errorf("findings %v\nwant %s", paths, want)
	}
}

func TestScanCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := New(Options{}).Scan(ctx, items{textItem("a", "x")})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestScanManyItemsConcurrently(t *testing.T) {
	var src items
	for i := range 200 {
		c := filler(3000)
		if i%10 == 0 {
			c += expand("\nclient = Client(\"{SID}\", \"{TOK}\")\n")
		}
		src = append(src, textItem(string(rune('a'+i%26))+"/"+strings.Repeat("x", i%7), c))
	}
	res, err := New(Options{Concurrency: 4, ChunkSize: 1024}).Scan(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 20 || res.Stats.Files != 200 {
		t.Fatalf("findings %d stats %+v", len(res.Findings), res.Stats)
	}
	for i := 1; i < len(res.Findings); i++ {
		if res.Findings[i-1].Path > res.Findings[i].Path {
			t.Fatal("findings not sorted")
		}
	}
}

func TestScanBytesMatchesStreaming(t *testing.T) {
	var b bytes.Buffer
	for _, tc := range detectCases() {
		if !tc.ph {
			b.WriteString(expand(tc.in))
			b.WriteString("\n" + filler(5000) + "\n")
		}
	}
	data := b.String()
	whole := New(Options{}).ScanBytes("x", []byte(data))
	streamed, err := New(Options{ChunkSize: 2048}).Scan(context.Background(), items{textItem("x", data)})
	if err != nil {
		t.Fatal(err)
	}
	// Repeated credentials are one finding each: compare the places too.
	g1, g2 := placed(whole), placed(streamed.Findings)
	if strings.Join(g1, "\n") != strings.Join(g2, "\n") || occurrences(whole) < 50 {
		t.Fatalf("whole %d findings (%d occurrences), streamed %d:\n%s\n--\n%s", len(whole), occurrences(whole),
			len(streamed.Findings), strings.Join(g1, "\n"), strings.Join(g2, "\n"))
	}
}

// placed renders findings with their count and every listed position.
func placed(fs []atoguard.Finding) []string {
	var out []string
	for _, f := range fs {
		w := want{f.Rule, f.AccountSID, f.KeySID, f.Secret.Reveal(), f.Placeholder}.String()
		out = append(out, fmt.Sprintf("%s x%d at %d:%d %v", w, f.Count, f.Line, f.Column, f.More))
	}
	slices.Sort(out)
	return out
}

func occurrences(fs []atoguard.Finding) (n int) {
	for _, f := range fs {
		n += f.Occurrences()
	}
	return n
}

// endless yields filler forever and cancels the scan once it has been read from.
type endless struct{ cancel func() }

func (e endless) Read(p []byte) (int, error) {
	e.cancel()
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

func TestScanCancelInsideLargeItem(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var warned int
	src := items{{Path: "huge", Size: -1, Open: func() (io.ReadCloser, error) { return io.NopCloser(endless{cancel}), nil }}}
	done := make(chan error, 1)
	go func() {
		_, err := New(Options{ChunkSize: 4096, Warn: func(string, error) { warned++ }}).Scan(ctx, src)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) || warned != 0 {
			t.Fatalf("err = %v, warnings %d", err, warned)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("scan did not stop inside an endless item")
	}
}

func utf16Bytes(s string, big bool) []byte {
	out := []byte{0xFF, 0xFE}
	if big {
		out = []byte{0xFE, 0xFF}
	}
	for _, u := range utf16.Encode([]rune(s)) {
		if big {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

func TestUTF16Text(t *testing.T) {
	text := "# é 😀 notes\r\n" + filler(9000) + expand("\r\n$env:TWILIO_ACCOUNT_SID = \"{SID}\"\r\n$env:TWILIO_AUTH_TOKEN = \"{TOK}\"\r\n")
	for _, big := range []bool{false, true} {
		data := utf16Bytes(text, big)
		res, err := New(Options{ChunkSize: 4096}).Scan(context.Background(), items{textItem("out.txt", string(data)), textItem("odd.txt", string(data)+"\x00")})
		if err != nil {
			t.Fatal(err)
		}
		if got := gotWants(res.Findings); len(got) != 2 || got[0] != authTok(sid1, tok1).String() || res.Stats.Skipped != 0 {
			t.Fatalf("big=%v: %v stats %+v", big, got, res.Stats)
		}
		f := res.Findings[0]
		if wantLine := strings.Count(text, "\n") - 1 + 1; f.Line != wantLine || f.Column != len("$env:TWILIO_AUTH_TOKEN = \"")+1 {
			t.Errorf("big=%v: at %d:%d", big, f.Line, f.Column)
		}
	}
	// NUL bytes without a byte-order mark are still binary.
	res, _ := New(Options{}).Scan(context.Background(), items{textItem("bin", "\x00"+expand("{SID}:{TOK}"))})
	if len(res.Findings) != 0 || res.Stats.Skipped != 1 {
		t.Fatalf("binary scanned: %+v", res)
	}
}
