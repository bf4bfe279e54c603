//go:build !race

package cli

const investigateRace = false
