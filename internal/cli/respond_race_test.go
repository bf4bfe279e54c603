//go:build race

package cli

// raceEnabled: the race detector slows everything 5–10×; the slowest
// respond tests thin out their loops and sizes under it.
const raceEnabled = true
