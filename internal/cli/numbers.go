package cli

import (
	"math"

	"github.com/atoguard/atoguard"
)

// maxConcurrency bounds --concurrency: Twilio's own per-account limit of
// requests in flight is in this range, and more only earns 429s.
const maxConcurrency = 100

// checkFloat rejects a numeric flag that is not a finite number in [lo, hi]
// (NaN compares false with everything, so every bound check must exclude
// it explicitly). want describes the range for the message.
func checkFloat(op, flag string, v, lo, hi float64, want string) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < lo || v > hi {
		return atoguard.Errorf(atoguard.EINVALID, op, "%s %v: want %s", flag, v, want)
	}
	return nil
}

// checkInt rejects an integer flag outside [lo, hi].
func checkInt(op, flag string, v, lo, hi int) error {
	if v < lo || v > hi {
		return atoguard.Errorf(atoguard.EINVALID, op, "%s %d: want a whole number from %d to %d", flag, v, lo, hi)
	}
	return nil
}

// checkConcurrency is checkInt for --concurrency.
func checkConcurrency(op string, v int) error {
	return checkInt(op, "--concurrency", v, 1, maxConcurrency)
}
