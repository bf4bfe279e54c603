package source

import (
	"context"
	"io"
	"sync/atomic"

	"github.com/atoguard/atoguard/scan"
)

// Stdin is the content of r as one item named "-".
type Stdin struct{ R io.Reader }

// Items yields stdin once. Its first bytes are read when the scanner opens
// it, so UTF-16 text without a byte-order mark is decoded like a file's.
func (s Stdin) Items(ctx context.Context, yield func(scan.Item) error) error {
	used := atomic.Bool{}
	return yield(scan.Item{Path: "-", Size: -1, Open: func() (io.ReadCloser, error) {
		if used.Swap(true) {
			return nil, errReopen
		}
		buf := make([]byte, prefixSize)
		n, _, err := readPrefix(s.R, buf)
		rest := s.R
		if err != nil {
			rest = failingReader{err}
		}
		return &prefixReader{prefix: buf[:n], rest: rest}, nil
	}})
}
