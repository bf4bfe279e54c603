//go:build race

package cli

// investigateRace shrinks the emulated worlds under the race detector, which
// slows the end-to-end investigation tests about tenfold.
const investigateRace = true
