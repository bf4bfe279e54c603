//go:build !unix

package credstore

import (
	"os"
	"os/exec"
)

// ownGroup: without process groups, cancellation kills the shell only.
func ownGroup(*exec.Cmd) {}

// keepGroup is a no-op where files have no Unix group.
func keepGroup(*os.File, os.FileInfo) {}
