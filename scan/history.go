package scan

import "github.com/atoguard/atoguard"

// EarliestPerSecret keeps, for each secret at each path (atoguard.Finding.Key),
// the finding from the earliest commit. A leaked .env edited fifty times is
// fifty blobs that all hold the token; the commit that matters is the one
// that introduced it. Order is otherwise kept.
func EarliestPerSecret(fs []atoguard.Finding) []atoguard.Finding {
	first := map[string]int{}
	out := fs[:0:0]
	for _, f := range fs {
		k := f.Key()
		i, ok := first[k]
		switch {
		case !ok:
			first[k] = len(out)
			out = append(out, f)
		case f.Date.Before(out[i].Date):
			out[i] = f
		}
	}
	return out
}
