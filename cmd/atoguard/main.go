// Command atoguard defends Twilio accounts against account takeover.
package main

import (
	"os"

	"github.com/atoguard/atoguard/internal/cli"
)

// Stamped by release builds (-ldflags "-X main.version=… -X main.commit=…
// -X main.date=…", see .goreleaser.yaml); other builds leave them empty and
// the toolchain's build info is used instead.
var version, commit, date string

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.StdIO(cli.BuildInfo{Version: version, Commit: commit, Date: date})))
}
