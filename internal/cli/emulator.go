package cli

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/twilio/emulator"
	"github.com/atoguard/atoguard/twilio/emulator/scenario"
	"github.com/spf13/cobra"
)

type emulatorOptions struct {
	addr, scenario, scenarioFile, faultsFile, now string
	seed                                          int64
	concurrency                                   int
	faults                                        []string
	json, verbose                                 bool
}

func newEmulatorCommand(streams IO) *cobra.Command {
	var o emulatorOptions
	cmd := &cobra.Command{
		Use:   "emulator",
		Short: "Run the stateful Twilio emulator (drills, demos, integration tests)",
		Long: `emulator serves an in-memory Twilio — Accounts, auth tokens, API keys, Messages,
Calls, Usage, Monitor events, phone numbers, applications, Messaging Services,
caller IDs, Voice and SMS geo permissions, Event Streams — loaded with a named
scenario or a scenario file, on one listener. Products are reached by path
prefix ({url}/api/2010-04-01/…, {url}/monitor/v1/Events, …) or by the Host
header of a Twilio host. It prints the URL and the fabricated test credentials
and runs until interrupted.

Faults (--fault, repeatable; or --faults FILE with JSON/TOML rules):
  429,p=0.3,product=api,retry_after=1s    503,p=0.1,path=/2010-04-01/Accounts/*/Messages.json
  latency,latency=50ms,jitter=100ms,dist=exp    reset,p=0.05    truncate,p=0.05    slow,latency=2s
Admin endpoints: {url}/_emulator/state, /credentials, /clock, /clock/advance, /scenario, /faults.`,
		Example: `  atoguard emulator --scenario full-takeover
  atoguard emulator --addr 127.0.0.1:0 --scenario sms-pumping --seed 7 --json
  atoguard emulator --scenario baseline --fault 429,p=0.3 --fault latency,latency=20ms`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runEmulator(cmd, streams, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:0", "listen address (port 0 picks a free port)")
	f.StringVar(&o.scenario, "scenario", "full-takeover", "named scenario to serve: "+joinNames())
	f.StringVar(&o.scenarioFile, "scenario-file", "", "serve the world in this scenario file (JSON or YAML) instead of a named scenario")
	f.Int64Var(&o.seed, "seed", 1, "seed: the same seed gives the same world, credentials and faults")
	f.StringVar(&o.now, "now", "", "the world's present (RFC 3339; default now — pin it for a byte-identical world)")
	f.StringArrayVar(&o.faults, "fault", nil, "fault rule (repeatable), e.g. 429,p=0.3,product=api")
	f.StringVar(&o.faultsFile, "faults", "", "file of fault rules (JSON or TOML)")
	f.IntVar(&o.concurrency, "concurrency-limit", 0, "per-account requests in flight before 429/20429, as Twilio does (0 = no limit)")
	f.BoolVar(&o.json, "json", false, `print {"url","account_sid","auth_token"} as JSON`)
	f.BoolVarP(&o.verbose, "verbose", "v", false, "log every request to stderr")
	return cmd
}

func joinNames() string {
	s := ""
	for i, n := range scenario.Names() {
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s
}

func runEmulator(cmd *cobra.Command, streams IO, o emulatorOptions) error {
	invalid := func(format string, args ...any) error {
		return atoguard.Errorf(atoguard.EINVALID, "emulator", format, args...)
	}
	var rules []emulator.FaultRule
	if o.faultsFile != "" {
		r, err := emulator.LoadFaults(o.faultsFile)
		if err != nil {
			return invalid("--faults: %v", unwrapPath(err))
		}
		rules = r
	}
	for _, spec := range o.faults {
		r, err := emulator.ParseFaultSpec(spec)
		if err != nil {
			return invalid("--fault: %v", err)
		}
		rules = append(rules, r)
	}
	// Worlds are anchored at the present so that a drill's attack falls in
	// an investigation's default window; --now pins a reproducible world.
	now := streams.Now().UTC().Truncate(time.Second)
	if o.now != "" {
		t, err := time.Parse(time.RFC3339, o.now)
		if err != nil {
			return invalid("--now %q: want an RFC 3339 time such as 2026-11-20T15:00:00Z", o.now)
		}
		now = t
	}
	var (
		w   *scenario.World
		err error
	)
	if o.scenarioFile != "" {
		// A file with "base" is built at the same present as a named
		// scenario; one that cannot follow --now says so.
		if w, err = scenario.LoadAt(o.scenarioFile, now, o.now != ""); err != nil {
			// The message points at the file and line: usage would not help.
			return atoguard.Errorf(atoguard.ENOTFOUND, "emulator", "%v", err)
		}
	} else if w, err = scenario.Build(o.scenario, o.seed, now); err != nil {
		return invalid("%v", err)
	}
	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	emu, err := emulator.New(emulator.Options{
		World: w, Seed: o.seed, Faults: rules, ConcurrencyLimit: o.concurrency,
		Logger:  slog.New(slog.NewTextHandler(streams.Err, &slog.HandlerOptions{Level: level})),
		Builder: scenario.Build,
	})
	if err != nil {
		return invalid("%v", err)
	}
	url, stop, err := emu.Start(o.addr)
	if err != nil {
		return atoguard.Errorf(atoguard.EUNAVAILABLE, "emulator", "listen on %s: %v", o.addr, err)
	}
	defer stop()
	sid, token, ok := emu.TestCredential()
	if !ok {
		return invalid("the world has no main account")
	}
	// These are fabricated emulator credentials: printing them is the point.
	if o.json {
		b, _ := json.Marshal(map[string]string{"url": url, "account_sid": sid, "auth_token": token.Reveal()})
		fmt.Fprintln(streams.Out, string(b))
	} else {
		fmt.Fprintf(streams.Out, "Twilio emulator serving %q (seed %d) at %s\n", w.Name, o.seed, url)
		fmt.Fprintf(streams.Out, "  account_sid  %s\n  auth_token   %s\n", sid, token.Reveal())
		fmt.Fprintf(streams.Out, "  admin        %s/_emulator/state\n\n", url)
		fmt.Fprintf(streams.Out, "export ATOGUARD_TWILIO_API_URL=%s TWILIO_ACCOUNT_SID=%s TWILIO_AUTH_TOKEN=%s\n", url, sid, token.Reveal())
		fmt.Fprintln(streams.Err, "Press Ctrl+C to stop.")
	}
	<-cmd.Context().Done()
	return nil
}
