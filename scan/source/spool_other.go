//go:build !linux

package source

import "os"

// spoolFile returns a read-write file in dir ("" is the system's), unlinked
// as soon as it is open so that a killed process leaves nothing behind, and
// the cleanup that closes it.
func spoolFile(dir string) (*os.File, func(), error) { return unlinkedTemp(dir) }
