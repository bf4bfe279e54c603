package scan

import (
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// utf16BOM recognises a UTF-16 byte-order mark (Windows PowerShell's
// Out-File and many Windows tools write UTF-16LE): such text is decoded to
// UTF-8 and scanned instead of being skipped as binary for its NUL bytes.
func utf16BOM(p []byte) (ok, big bool) {
	if len(p) < 2 {
		return false, false
	}
	switch {
	case p[0] == 0xFF && p[1] == 0xFE:
		return true, false
	case p[0] == 0xFE && p[1] == 0xFF:
		return true, true
	}
	return false, false
}

// utf16Reader decodes UTF-16 code units to UTF-8.
type utf16Reader struct {
	r    io.Reader
	big  bool
	high rune   // pending high surrogate
	out  []byte // decoded bytes not yet returned
	err  error
}

func (u *utf16Reader) unit() (rune, error) {
	var b [2]byte
	if _, err := io.ReadFull(u.r, b[:]); err != nil {
		if err == io.ErrUnexpectedEOF {
			err = io.EOF // a trailing odd byte is dropped
		}
		return 0, err
	}
	if u.big {
		return rune(b[0])<<8 | rune(b[1]), nil
	}
	return rune(b[1])<<8 | rune(b[0]), nil
}

func (u *utf16Reader) Read(p []byte) (int, error) {
	for len(u.out) < len(p) && u.err == nil {
		c, err := u.unit()
		if err != nil {
			if u.high != 0 { // a lone high surrogate at the end
				u.out = utf8.AppendRune(u.out, utf8.RuneError)
				u.high = 0
			}
			u.err = err
			break
		}
		switch {
		case utf16.IsSurrogate(c) && c < 0xDC00: // high
			if u.high != 0 {
				u.out = utf8.AppendRune(u.out, utf8.RuneError)
			}
			u.high = c
			continue
		case utf16.IsSurrogate(c): // low
			r := utf16.DecodeRune(u.high, c)
			u.high = 0
			u.out = utf8.AppendRune(u.out, r)
			continue
		}
		if u.high != 0 {
			u.out = utf8.AppendRune(u.out, utf8.RuneError)
			u.high = 0
		}
		u.out = utf8.AppendRune(u.out, c)
	}
	n := copy(p, u.out)
	u.out = u.out[n:]
	if n == 0 && u.err != nil {
		return 0, u.err
	}
	return n, nil
}
