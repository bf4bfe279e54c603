//go:build !unix

package testsupport

import "time"

// CPUTime is unknown here: 0.
func CPUTime() time.Duration { return 0 }

// ChildrenCPUTime is unknown here: 0.
func ChildrenCPUTime() time.Duration { return 0 }
