// Command mangen writes atoguard's man pages (section 1), one per command,
// from the cobra command tree: `make man` runs it.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/atoguard/atoguard/internal/cli"
	"github.com/spf13/cobra/doc"
)

func main() {
	dir := flag.String("dir", "man/man1", "directory to write the pages to")
	flag.Parse()
	if err := write(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "mangen:", err)
		os.Exit(1)
	}
}

func write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	root := cli.NewRootCommand(cli.IO{})
	root.DisableAutoGenTag = true   // no date in the pages: the same tree gives the same files
	root.InitDefaultCompletionCmd() // cobra adds it only when executing
	header := &doc.GenManHeader{Title: "ATOGUARD", Section: "1", Source: "atoguard", Manual: "atoguard manual"}
	return doc.GenManTree(root, header, dir)
}
