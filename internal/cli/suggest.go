package cli

import (
	"fmt"
	"strings"

	"github.com/atoguard/atoguard"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// closest is the candidate nearest to name by edit distance, if it is near
// enough to be a typo (at most a third of the name's length, and at least 1).
func closest(name string, candidates []string) string {
	best, bestDist := "", max(1, len(name)/3)+1
	for _, c := range candidates {
		if d := editDistance(name, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance with adjacent transpositions
// counted as one edit (optimal string alignment), over bytes.
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// flagError turns a flag-parsing error into a usage error, with "did you
// mean" for an unknown flag that is a typo of a known one.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "unknown flag: --"); ok {
		var names []string
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			if !f.Hidden {
				names = append(names, f.Name)
			}
		})
		if s := closest(name, names); s != "" {
			err = fmt.Errorf("%s (did you mean --%s?)", msg, s)
		}
	}
	return &atoguard.Error{Code: atoguard.EINVALID, Op: "flags", Err: err}
}

// noArgs is cobra.NoArgs with a message for the usual cause: a flag value
// with a space in it (--max-key-age 6 months), not a mistyped command.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return atoguard.Errorf(atoguard.EINVALID, cmd.Name(),
		"unexpected argument %q: %s takes no arguments (a flag value with a space must be quoted, and most take one word: --since 48h, --max-key-age 180d)",
		args[0], cmd.CommandPath())
}
