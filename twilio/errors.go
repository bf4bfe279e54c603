package twilio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/atoguard/atoguard"
)

// Twilio error codes the rest of atoguard tests for.
const (
	CodeAuthenticate     = 20003 // 401: bad or revoked credentials
	CodeNoAPIAccess      = 20403 // 403: account lacks API access (suspended/closed)
	CodeNotFound         = 20404
	CodeTooManyRequests  = 20429 // never processed; safe to retry
	CodeInvalidPageToken = 21481
	CodeGeoHighRisk      = 30649 // SMS geo permission only changeable in the Console
)

// APIError is Twilio's error reply: {"code","message","more_info","status"}.
type APIError struct {
	Status   int    `json:"status"`
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`

	retryAfter time.Duration
}

func (e *APIError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	if e.Code != 0 {
		return fmt.Sprintf("twilio %d (code %d): %s", e.Status, e.Code, msg)
	}
	return fmt.Sprintf("twilio %d: %s", e.Status, msg)
}

// RetryAfter is the wait the server asked for (0 when none).
func (e *APIError) RetryAfter() time.Duration { return e.retryAfter }

// parseAPIError builds an APIError from a non-2xx reply; bodies that are not
// Twilio error JSON still yield the HTTP status.
func parseAPIError(resp *http.Response, body []byte, now time.Time) *APIError {
	e := &APIError{}
	var wire struct {
		Status   json.RawMessage `json:"status"`
		Code     json.RawMessage `json:"code"`
		Message  string          `json:"message"`
		MoreInfo string          `json:"more_info"`
	}
	if json.Unmarshal(body, &wire) == nil {
		e.Code = lenientInt(wire.Code)
		e.Message = wire.Message
		e.MoreInfo = wire.MoreInfo
	}
	e.Status = resp.StatusCode // the HTTP status is authoritative
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	e.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), now)
	return e
}

func lenientInt(raw json.RawMessage) int {
	if len(raw) == 0 {
		return 0
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		if i, err := strconv.Atoi(n.String()); err == nil {
			return i
		}
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		i, _ := strconv.Atoi(s)
		return i
	}
	return 0
}

// codeFor maps an API error to atoguard's error codes.
func codeFor(e *APIError) atoguard.ErrorCode {
	switch {
	case e.Status == http.StatusUnauthorized || e.Code == CodeAuthenticate:
		return atoguard.EUNAUTHORIZED
	case e.Status == http.StatusForbidden:
		return atoguard.EUNAUTHORIZED
	case e.Status == http.StatusNotFound || e.Code == CodeNotFound:
		return atoguard.ENOTFOUND
	case e.Status == http.StatusTooManyRequests || e.Code == CodeTooManyRequests:
		return atoguard.ERATELIMITED
	case e.Status == http.StatusConflict:
		return atoguard.ECONFLICT
	case e.Status >= 500:
		return atoguard.EUNAVAILABLE
	case e.Status >= 400:
		return atoguard.EINVALID
	}
	return atoguard.EINTERNAL
}

// wrapErr gives a failure its atoguard code.
func wrapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	var ae *atoguard.Error
	if errors.As(err, &ae) {
		return err
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return &atoguard.Error{Code: codeFor(apiErr), Op: op, Err: apiErr}
	}
	var te *transportError
	if errors.As(err, &te) {
		return &atoguard.Error{Code: atoguard.EUNAVAILABLE, Op: op, Err: err}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return wrapCtx(op, err)
	}
	return &atoguard.Error{Code: atoguard.EINTERNAL, Op: op, Err: err}
}

func wrapCtx(op string, err error) error {
	code := atoguard.ECANCELED
	if errors.Is(err, context.DeadlineExceeded) {
		code = atoguard.EUNAVAILABLE
	}
	return &atoguard.Error{Code: code, Op: op, Err: err}
}

// AsAPIError returns the Twilio error in err's chain.
func AsAPIError(err error) (*APIError, bool) {
	var e *APIError
	ok := errors.As(err, &e)
	return e, ok
}

// IsUnauthorized reports rejected credentials (401, code 20003, 403).
func IsUnauthorized(err error) bool {
	return atoguard.CodeOf(err) == atoguard.EUNAUTHORIZED
}

// IsNotFound reports a missing resource (404, code 20404).
func IsNotFound(err error) bool { return atoguard.CodeOf(err) == atoguard.ENOTFOUND }

// IsRateLimited reports a 429 that outlasted the retries.
func IsRateLimited(err error) bool { return atoguard.CodeOf(err) == atoguard.ERATELIMITED }

// CodeOf returns the Twilio error code in err's chain (0 when none).
func CodeOf(err error) int {
	if e, ok := AsAPIError(err); ok {
		return e.Code
	}
	return 0
}

// StatusOf returns the HTTP status of the Twilio error in err's chain (0 when none).
func StatusOf(err error) int {
	if e, ok := AsAPIError(err); ok {
		return e.Status
	}
	return 0
}
