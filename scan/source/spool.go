package source

import "os"

// unlinkedTemp creates a temporary file and removes its name while it is
// still empty: the open descriptor keeps the content reachable, and no
// secret spooled into it is ever reachable by name. Where an open file
// cannot be removed (Windows), remove is retried by the returned cleanup.
func unlinkedTemp(dir string) (*os.File, func(), error) {
	f, err := os.CreateTemp(dir, "atoguard-*.zip")
	if err != nil {
		return nil, nil, err
	}
	name := f.Name()
	if err := os.Remove(name); err != nil {
		return f, func() { f.Close(); os.Remove(name) }, nil
	}
	return f, func() { f.Close() }, nil
}
