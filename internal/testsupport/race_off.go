//go:build !race

package testsupport

// Race: the race detector is off.
const Race = false
