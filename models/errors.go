package models

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel errors. Every layer wraps them with %w; the HTTP layer maps them to
// status codes in one table (internal/httpapi/errors.go).
var (
	// ErrInvalid means the input failed validation (400).
	ErrInvalid = errors.New("invalid input")
	// ErrNotFound means the addressed object does not exist (404).
	ErrNotFound = errors.New("not found")
	// ErrConflict means the request no longer applies to the object's state (409).
	ErrConflict = errors.New("conflict")
	// ErrDuplicate means the same author already posted the same text on the post recently (409).
	ErrDuplicate = errors.New("duplicate comment")
	// ErrRateLimited means the client is over its limit (429).
	ErrRateLimited = errors.New("rate limited")
	// ErrUnauthorized means credentials are missing or wrong (401).
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden means the credentials are valid but lack the role (403).
	ErrForbidden = errors.New("forbidden")
	// ErrTooLarge means the request body is over its limit (413).
	ErrTooLarge = errors.New("request too large")
	// ErrUnsupportedMediaType means the body's content type is not accepted (415).
	ErrUnsupportedMediaType = errors.New("unsupported media type")
	// ErrUnavailable means a dependency the request needs is down (503).
	ErrUnavailable = errors.New("service unavailable")
)

// FieldError names one field that failed validation and a machine-readable reason
// such as "required", "too_long", "invalid_email", "control_character".
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// ValidationError is a list of field errors. It matches ErrInvalid with errors.Is.
type ValidationError struct {
	Fields []FieldError
}

// Error lists the failing fields.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Reason
	}
	return "invalid input: " + strings.Join(parts, ", ")
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Add appends a field error.
func (e *ValidationError) Add(field, reason string) {
	e.Fields = append(e.Fields, FieldError{Field: field, Reason: reason})
}

// Err returns e when it holds at least one field error, else nil.
func (e *ValidationError) Err() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}

// RateLimitError carries what a 429 response tells the client. It matches
// ErrRateLimited with errors.Is.
type RateLimitError struct {
	Scope      string        // "ip", "email", "login" ...
	Limit      int           // requests allowed per period
	Period     time.Duration // the period Limit refers to
	Remaining  int
	RetryAfter time.Duration // how long until one more request is allowed
	ResetAfter time.Duration // how long until the limit is fully restored
}

// Error says which limit was hit.
func (e *RateLimitError) Error() string {
	return fmt.Sprintf("rate limited (%s): retry after %s", e.Scope, e.RetryAfter.Round(time.Millisecond))
}

// Is makes errors.Is(err, ErrRateLimited) true.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// More sentinel errors, for policy outcomes.
var (
	// ErrBanned means the visitor is banned and the site refuses their comments (403).
	ErrBanned = errors.New("banned")
	// ErrRejected means the comment is spam beyond doubt and was discarded, not stored (422).
	ErrRejected = errors.New("rejected as spam")
	// ErrCSRF means a request authenticated by a session cookie changes state
	// without its session's CSRF token, or with a wrong one (403).
	ErrCSRF = errors.New("missing or wrong CSRF token")
)
