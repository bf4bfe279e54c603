//go:build !unix

package source

import "os"

// openFile opens a file to read it once (see open_unix.go).
func openFile(path string) (*os.File, error) { return os.Open(path) }
