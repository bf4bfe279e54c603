package cli

import (
	"strings"

	"github.com/atoguard/atoguard"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// applyCommand is the `respond apply` command that carries out the plan cmd
// (respond plan) just showed: the same flags, quoted for a POSIX shell, one
// a line.
func applyCommand(cmd *cobra.Command) string {
	parts := []string{"atoguard respond apply"}
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if f.Name == "json" || f.Name == "help" {
			return
		}
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			for _, v := range sv.GetSlice() {
				parts = append(parts, "--"+f.Name+" "+shellQuote(v))
			}
			return
		}
		if f.Value.Type() == "bool" {
			if f.Value.String() == "true" {
				parts = append(parts, "--"+f.Name)
			} else {
				parts = append(parts, "--"+f.Name+"=false")
			}
			return
		}
		parts = append(parts, "--"+f.Name+" "+shellQuote(f.Value.String()))
	})
	return atoguard.ShellCommand("  ", parts...)
}

// shellQuote quotes s for a POSIX shell when it holds anything but safe
// characters.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@,+%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
