package alert

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/smtp"
	"strings"
	"time"

	"github.com/atoguard/atoguard"
)

// Email sends alerts over SMTP. STARTTLS is used whenever the server offers
// it; credentials, when set, are sent only over TLS (or to localhost).
type Email struct {
	Addr     string // host:port
	From     string
	To       []string
	Username string
	Password atoguard.Secret
	Now      func() time.Time // Date header (default time.Now)
}

func (m *Email) Name() string { return "email" }

func (m *Email) Send(ctx context.Context, a atoguard.Alert) error {
	host, _, err := net.SplitHostPort(m.Addr)
	if err != nil {
		return &PermanentError{fmt.Errorf("email: address %q: %v", m.Addr, err)}
	}
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", m.Addr)
	if err != nil {
		return fmt.Errorf("email: %w", err)
	}
	defer conn.Close()
	// net/smtp has no context: the connection's deadline bounds the dialogue.
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("email: %w", err)
	}
	defer c.Close()
	if err := m.dialogue(c, host, a); err != nil {
		return fmt.Errorf("email: %w", err)
	}
	return nil
}

func (m *Email) dialogue(c *smtp.Client, host string, a atoguard.Alert) error {
	if err := c.Hello("atoguard"); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			return err
		}
	}
	if m.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", m.Username, m.Password.Reveal(), host)); err != nil {
			return err
		}
	}
	if err := c.Mail(m.From); err != nil {
		return err
	}
	for _, to := range m.To {
		if err := c.Rcpt(to); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(m.message(a)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// message is a plain-text RFC 5322 message; header values are printable
// ASCII (Printable escapes the rest), so nothing can inject a header.
func (m *Email) message(a atoguard.Alert) []byte {
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	subject := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, atoguard.Clip(atoguard.Printable(text(a)), 200))
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n", m.From, strings.Join(m.To, ", "), subject, now().Format(time.RFC1123Z))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	fmt.Fprintf(&b, "%s\r\n\r\nAccount: %s\r\nSeverity: %s\r\nState: %s\r\nFirst seen: %s\r\n", atoguard.Printable(a.Title),
		a.AccountSID, a.Severity, a.State, a.FirstSeen.Format(time.RFC3339))
	if r := respondOf(a); r != "" && a.State != atoguard.AlertResolved {
		fmt.Fprintf(&b, "\r\nContain it: %s\r\n", r)
	}
	return []byte(b.String())
}
