package atoguard

import "iter"

// Collect drains a listing (an iterator of items and errors, as the Twilio
// client returns them) into a slice, stopping at the first error; the items
// read so far are returned with it.
func Collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}
