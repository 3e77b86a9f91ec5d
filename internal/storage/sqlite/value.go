package sqlite

import (
	"encoding/base64"
	"encoding/binary"
	"math"
	"time"

	"github.com/commentd/commentd/models"
)

// The times an int64 of unix nanoseconds can hold: 1677-09-21 to 2262-04-11.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// toNanos converts t for storage and reports whether it fits.
func toNanos(t time.Time) (int64, bool) {
	if t.Before(minTime) || t.After(maxTime) {
		return 0, false
	}
	return t.UnixNano(), true
}

// clampNanos converts a query bound, saturating at the representable range.
func clampNanos(t time.Time) int64 {
	switch {
	case t.Before(minTime):
		return math.MinInt64
	case t.After(maxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// fromNanos is the inverse of toNanos, in UTC.
func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

// invalid returns a *models.ValidationError for one field.
func invalid(field, reason string) error {
	v := &models.ValidationError{}
	v.Add(field, reason)
	return v
}

// position is where a keyset page ends: the sort key of its last comment.
type position struct {
	createdAt int64
	id        int64
}

// encodeCursor makes the opaque cursor of p: 16 big-endian bytes, base64url.
func encodeCursor(p position) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(p.createdAt))
	binary.BigEndian.PutUint64(b[8:], uint64(p.id))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// decodeCursor parses a cursor from encodeCursor; ok is false for anything else.
func decodeCursor(s string) (p position, ok bool) {
	if len(s) != base64.RawURLEncoding.EncodedLen(16) {
		return position{}, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != 16 {
		return position{}, false
	}
	p = position{createdAt: int64(binary.BigEndian.Uint64(b[:8])), id: int64(binary.BigEndian.Uint64(b[8:]))}
	return p, p.id > 0
}

// checkLimit validates a page size and clamps it to MaxPageSize.
func checkLimit(limit int) (int, error) {
	if limit < 1 {
		return 0, invalid("limit", "invalid")
	}
	return min(limit, MaxPageSize), nil
}
