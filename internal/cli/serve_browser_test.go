package cli

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/atoguard/atoguard/web/dashboard"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

const dashPassword = "fabricated-dashboard-pass"

// browser starts headless Chromium (Debian's package) with a fresh profile
// and no network beyond 127.0.0.1. Under CI=true a missing Chromium fails.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed (scripts/ensure-deps.sh installs it)")
		}
		t.Skip("chromium is not installed")
	}
	// Not t.TempDir: Chromium's helper processes may still write to the
	// profile for a moment after the browser is stopped, and t.TempDir's
	// cleanup fails the test on a directory that is not empty yet.
	profile, err := os.MkdirTemp("", "atoguard-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeSettled(t, profile) })
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.UserDataDir(profile), chromedp.WindowSize(1200, 900),
		chromedp.Env("TMPDIR=" + profile), // its own temporary files go with the profile
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true)}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancel3)
	return ctx
}

func dashboardConfig(t *testing.T, extra string) string {
	t.Helper()
	hash, err := dashboard.HashPassword(dashPassword)
	if err != nil {
		t.Fatal(err)
	}
	return writeServeConfig(t, "dashboard-password-hash = \""+hash+"\"\n"+extra)
}

// shot saves a screenshot into docs/ when ATOGUARD_SCREENSHOTS is set.
func shot(t *testing.T, ctx context.Context, name string) {
	if os.Getenv("ATOGUARD_SCREENSHOTS") == "" {
		return
	}
	var png []byte
	if err := chromedp.Run(ctx, chromedp.CaptureScreenshot(&png)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("..", "..", "docs", "dashboard-"+name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDashboardInBrowser: in headless Chromium, log in, watch the alert of
// the emulator's webhook hijack appear, acknowledge it, apply the respond
// plan behind its confirmation and find it in the containment log. The
// session cookie is Secure, HttpOnly and SameSite=Strict; a POST without
// the CSRF token is refused.
func TestDashboardInBrowser(t *testing.T) {
	ctx := browser(t)
	_, apiURL, env := emulated(t, "webhook-hijack")
	env["HOME"] = t.TempDir()
	base, _, stop := startServeAt(t, func() time.Time { return investigateNow }, env, "--addr", "127.0.0.1:0",
		"--data-dir", t.TempDir(), "--config", dashboardConfig(t, ""), "--twilio-api-url", apiURL,
		"--events-interval", "200ms", "--usage-interval", "200ms", "--config-interval", "200ms")
	defer stop()
	sid := env["TWILIO_ACCOUNT_SID"]
	must := func(what string, acts ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, acts...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("login", chromedp.Navigate(base+"/ui/login"), chromedp.WaitVisible("#password", chromedp.ByID))
	shot(t, ctx, "login")
	must("login", chromedp.SendKeys("#password", dashPassword, chromedp.ByID), chromedp.Click("#login", chromedp.ByID),
		chromedp.WaitVisible(`a[href="/ui/containment"]`))
	var title string
	must("accounts", chromedp.Text("main h1", &title))
	if title != "Accounts" {
		t.Fatalf("after login the page is %q", title)
	}
	var cookies []*network.Cookie
	must("cookies", chromedp.ActionFunc(func(ctx context.Context) (err error) {
		cookies, err = network.GetCookies().WithURLs([]string{base}).Do(ctx)
		return err
	}))
	var session string
	for _, c := range cookies {
		if c.Name == dashboard.SessionCookie {
			session = c.Value
			if !c.Secure || !c.HTTPOnly || c.SameSite != network.CookieSameSiteStrict {
				t.Errorf("session cookie flags: secure %v httponly %v samesite %v", c.Secure, c.HTTPOnly, c.SameSite)
			}
		}
	}
	if session == "" {
		t.Fatalf("no session cookie among %d", len(cookies))
	}
	waitAlert(t, ctx, base)
	shot(t, ctx, "alerts")
	var key string
	var ok bool
	must("ack", chromedp.AttributeValue("tr.alert", "data-key", &key, &ok), chromedp.Click("tr.alert button.ack"))
	if !eventually(ctx, `document.querySelector('tr.alert[data-key="`+key+`"] td.state')?.textContent === "acked"`) {
		t.Error("the acknowledged alert does not show as acked")
	}
	csrfRefused(t, base, session)
	must("account", chromedp.Navigate(base+"/ui/accounts/"+sid), chromedp.WaitVisible("#verdict", chromedp.ByID))
	shot(t, ctx, "account")
	must("plan", chromedp.Navigate(base+"/ui/accounts/"+sid+"/plan"), chromedp.WaitVisible("#apply", chromedp.ByID))
	shot(t, ctx, "plan")
	must("apply", chromedp.Click("#confirm", chromedp.ByID), chromedp.Click("#apply", chromedp.ByID),
		chromedp.WaitVisible("#applied", chromedp.ByID))
	must("log", chromedp.Navigate(base+"/ui/containment"), chromedp.WaitVisible("#containment", chromedp.ByID))
	var log string
	must("log", chromedp.Text("#containment", &log))
	if !strings.Contains(log, "dashboard") || !strings.Contains(log, "webhooks") {
		t.Errorf("containment log lacks the applied webhook restore: %s", log)
	}
	if strings.Contains(log, env["TWILIO_AUTH_TOKEN"]) {
		t.Error("the containment log shows the auth token")
	}
	shot(t, ctx, "containment")
}

// eventually evaluates expr until it is true (10 s); a navigation in
// between only delays it.
func eventually(ctx context.Context, expr string) bool {
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		var ok bool
		if chromedp.Run(ctx, chromedp.Evaluate(expr, &ok)) == nil && ok {
			return true
		}
	}
	return false
}

// waitAlert reloads the alerts page until the detector's alert shows.
func waitAlert(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var n int
		if err := chromedp.Run(ctx, chromedp.Navigate(base+"/ui/alerts"), chromedp.WaitVisible("main h1"),
			chromedp.Evaluate(`document.querySelectorAll("tr.alert").length`, &n)); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no alert on the dashboard within 60s")
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// csrfRefused: a logged-in POST without the form's CSRF token is 403 and
// changes nothing.
func csrfRefused(t *testing.T, base, session string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/ui/alerts/resolve", strings.NewReader(url.Values{"key": {"x"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: dashboard.SessionCookie, Value: session})
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("POST without CSRF token: %d, want 403", res.StatusCode)
	}
}

// removeSettled removes dir, trying again for a few seconds while processes
// that were just stopped finish writing into it.
func removeSettled(t *testing.T, dir string) {
	var err error
	for range 20 {
		if err = os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("could not remove the browser profile %s: %v", dir, err)
}
