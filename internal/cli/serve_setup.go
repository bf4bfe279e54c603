package cli

import (
	"fmt"
	"time"

	"github.com/atoguard/atoguard"
	"github.com/atoguard/atoguard/monitor"
	"github.com/spf13/cobra"
)

func newServeSetupCommand(streams IO) *cobra.Command {
	var o serveOptions
	var wait time.Duration
	cmd := &cobra.Command{
		Use:   "setup",
		Short: "Create or update the Event Streams sink and subscription of every account for serve",
		Long: `setup makes sure the main account and every subaccount has an active Event
Streams webhook sink pointing at serve (--public-url + --events-path, with the
account's SID in the query) and a subscription of it to the message and call
status events detection reads. What exists is kept, what is missing is
created; a sink that is not active is tested and validated, which needs serve
running on the same store (--data-dir or --database-url) and reachable at
--public-url. Running it again changes nothing.`,
		Example: `  atoguard serve setup --public-url https://hooks.example.com
  atoguard serve setup --public-url http://127.0.0.1:8080 --twilio-api-url http://127.0.0.1:4010`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runServeSetup(cmd, streams, o, wait) },
	}
	f := cmd.Flags()
	f.StringVar(&o.dataDir, "data-dir", "", "directory of serve's SQLite database (default $XDG_STATE_HOME/atoguard)")
	f.StringVar(&o.databaseURL, "database-url", "", "serve's PostgreSQL URL (postgres://…); or $ATOGUARD_DATABASE_URL")
	f.StringVar(&o.publicURL, "public-url", "", "URL Twilio reaches serve at (required)")
	f.StringVar(&o.eventsPath, "events-path", "/v1/twilio/events", "path of serve's Event Streams sink")
	f.String("twilio-api-url", "", "Twilio API base `URL` (the emulator's URL in drills)")
	f.DurationVar(&wait, "wait", 30*time.Second, "how long to wait for each sink's test event (1s to 5m)")
	return cmd
}

func runServeSetup(cmd *cobra.Command, streams IO, o serveOptions, wait time.Duration) error {
	cfg, err := loadConfig(cmd, streams)
	if err != nil {
		return err
	}
	o.addr, o.maxBody = "127.0.0.1:0", 1<<20
	s, err := serveSettingsFrom(cmd, cfg, o, streams)
	if err != nil {
		return err
	}
	switch {
	case s.publicURL == "":
		return atoguard.Errorf(atoguard.EINVALID, "serve setup", "--public-url: name the URL Twilio reaches serve at, e.g. https://hooks.example.com")
	case wait < time.Second || wait > 5*time.Minute:
		return atoguard.Errorf(atoguard.EINVALID, "serve setup", "--wait %s: want a duration from 1s to 5m", wait)
	}
	client, err := serveClient(cmd, cfg, streams)
	if err != nil {
		return err
	}
	st, _, err := openServeStore(cmd.Context(), s, streams.Now)
	if err != nil {
		return err
	}
	defer st.Close()
	accounts, err := twilioSource{client}.Accounts(cmd.Context())
	if err != nil {
		return err
	}
	eventsURL := s.publicURL + s.eventsPath
	var failed int
	for _, a := range accounts {
		if a.Status == "closed" {
			continue
		}
		api := client
		if a.IsSubaccount() {
			tok, err := client.SubaccountAuthToken(cmd.Context(), a.SID)
			if err != nil {
				return err
			}
			api = client.As(atoguard.Credential{AccountSID: a.SID, Secret: tok})
		}
		r, err := monitor.SetupStreams(cmd.Context(), api, st, a.SID, eventsURL, wait, streams.Now)
		if err != nil {
			failed++
			fmt.Fprintf(streams.Err, "%s: %v\n", a.SID, err)
			continue
		}
		fmt.Fprintf(streams.Out, "%s sink %s%s, subscription %s%s\n", a.SID, r.SinkSID, said(r.Created, " (created)", ""),
			r.SubscriptionSID, said(r.Subscribed, " (created)", ""))
	}
	if failed > 0 {
		return atoguard.Errorf(atoguard.EUNAVAILABLE, "serve setup", "%d of %d accounts not set up (above)", failed, len(accounts))
	}
	return nil
}

func said(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}
