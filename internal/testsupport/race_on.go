//go:build race

package testsupport

// Race: the race detector slows everything 5–10×; the slowest tests thin out
// their loops and sizes under it.
const Race = true
