package atoguard

import (
	"context"
	"errors"
	"fmt"
)

// ErrorCode classifies failures so the CLI can map them to exit statuses in one place.
type ErrorCode string

const (
	ECONFLICT     ErrorCode = "conflict"
	EINTERNAL     ErrorCode = "internal"
	EINVALID      ErrorCode = "invalid" // bad input or usage
	ENOTFOUND     ErrorCode = "not_found"
	EUNAUTHORIZED ErrorCode = "unauthorized" // rejected credentials
	EUNAVAILABLE  ErrorCode = "unavailable"  // network, timeouts, 5xx after retries
	ERATELIMITED  ErrorCode = "rate_limited"
	ECANCELED     ErrorCode = "canceled"
)

// Error is atoguard's error: a code for programs, an operation for people,
// and the cause.
type Error struct {
	Code ErrorCode
	Op   string // e.g. "scan.open", "twilio.list_messages"
	Err  error
}

func (e *Error) Error() string {
	switch {
	case e.Op != "" && e.Err != nil:
		return e.Op + ": " + e.Err.Error()
	case e.Err != nil:
		return e.Err.Error()
	case e.Op != "":
		return e.Op + ": " + string(e.Code)
	}
	return string(e.Code)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error with a formatted cause.
func Errorf(code ErrorCode, op, format string, args ...any) *Error {
	return &Error{Code: code, Op: op, Err: fmt.Errorf(format, args...)}
}

// CodeOf returns the code of the first *Error in err's chain, EINTERNAL for
// other errors and "" for nil.
func CodeOf(err error) ErrorCode {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if errors.Is(err, context.Canceled) {
		return ECANCELED
	}
	return EINTERNAL
}
