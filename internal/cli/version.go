package cli

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// BuildInfo says which build is running. Release builds stamp it through
// package main's -ldflags (goreleaser); any other build, `go install …@v1.2.3`
// or `go build` in a checkout, gets what the Go toolchain recorded: the module
// version or a pseudo-version from git, and the commit.
type BuildInfo struct {
	Version  string `json:"version"`
	Commit   string `json:"commit,omitempty"`
	Date     string `json:"date,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go"`
}

// complete fills what the stamp left empty from the toolchain's build info.
func (b BuildInfo) complete() BuildInfo {
	b.Go = runtime.Version()
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		if b.Version == "" {
			b.Version = "(devel)"
		}
		return b
	}
	if b.Version == "" {
		b.Version = bi.Main.Version
	}
	if b.Version == "" {
		b.Version = "(devel)"
	}
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision" && b.Commit == "":
			b.Commit = s.Value
		case s.Key == "vcs.time" && b.Date == "":
			b.Date = s.Value
		case s.Key == "vcs.modified":
			b.Modified = b.Modified || s.Value == "true"
		}
	}
	return b
}

func (b BuildInfo) String() string {
	s := "atoguard " + b.Version
	if b.Commit != "" {
		s += " (commit " + shortCommit(b.Commit)
		if b.Modified {
			s += ", modified"
		}
		if b.Date != "" {
			s += ", built " + b.Date
		}
		s += ")"
	}
	return s + " " + b.Go
}

func shortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}

// version is the running build's version, for User-Agent headers.
func version() string { return BuildInfo{}.complete().Version }

func newVersionCommand(streams IO) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print atoguard's version, commit and build date",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if asJSON {
				enc := json.NewEncoder(streams.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(streams.Build)
			}
			_, err := fmt.Fprintln(streams.Out, streams.Build)
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the build information as JSON")
	return cmd
}
