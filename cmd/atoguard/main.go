// Command atoguard defends Twilio accounts against account takeover.
package main

import (
	"os"

	"github.com/atoguard/atoguard/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], cli.StdIO())) }
