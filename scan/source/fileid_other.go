//go:build !unix

package source

import "io/fs"

// idOf has no inode to offer here; loops are then bounded by path depth.
func idOf(fs.FileInfo) (fileID, bool) { return fileID{}, false }
