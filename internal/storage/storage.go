// Package storage holds what commentd's storage engines share, so that they
// behave alike: the checks of what they are asked to store, the times they
// store, the opaque cursors they hand out, the keys they derive from comments,
// and the batches in which one engine's data moves to another.
package storage

import (
	"math"
	"time"

	"github.com/commentd/commentd/models"
)

// MaxPageSize caps the limit of a listing; larger limits are clamped.
const MaxPageSize = 1000

// The times an int64 of unix nanoseconds can hold: 1677-09-21 to 2262-04-11.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// ToNanos converts t for storage and reports whether it fits.
func ToNanos(t time.Time) (int64, bool) {
	if t.Before(minTime) || t.After(maxTime) {
		return 0, false
	}
	return t.UnixNano(), true
}

// CreationTime returns t, or now when t is zero, in unix nanoseconds; when it
// is out of range it adds a "created_at" error to v.
func CreationTime(v *models.ValidationError, t, now time.Time) int64 {
	if t.IsZero() {
		t = now
	}
	n, ok := ToNanos(t)
	if !ok {
		v.Add("created_at", "out_of_range")
	}
	return n
}

// ClampNanos converts a query bound, saturating at the representable range.
func ClampNanos(t time.Time) int64 {
	switch {
	case t.Before(minTime):
		return math.MinInt64
	case t.After(maxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// FromNanos is the inverse of ToNanos, in UTC.
func FromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

// Invalid returns a *models.ValidationError for one field.
func Invalid(field, reason string) error {
	v := &models.ValidationError{}
	v.Add(field, reason)
	return v
}

// CheckLimit validates a page size and clamps it to MaxPageSize.
func CheckLimit(limit int) (int, error) {
	if limit < 1 {
		return 0, Invalid("limit", "invalid")
	}
	return min(limit, MaxPageSize), nil
}
