// Package atoguard holds the domain types shared by every part of atoguard:
// credentials and the redacting Secret, scan findings, Twilio activity
// (messages, calls, events, usage), account configuration, signals, verdicts
// and response actions. It imports only the standard library.
package atoguard
