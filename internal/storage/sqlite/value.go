package sqlite

import (
	"encoding/base64"
	"encoding/binary"
	"math"
	"strings"
	"time"
)

// The times an int64 of unix nanoseconds can hold: 1677-09-21 to 2262-04-11.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

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

// The kinds of tagged cursor. A tagged cursor starts with the kind of listing
// it continues, so that a cursor from another listing or sort order is refused.
const (
	cursorNewest byte = 'n' // the queue by (created_at, id), newest first
	cursorOldest byte = 'o' // the queue by (created_at, id), oldest first
	cursorScore  byte = 's' // the queue by (score, id), highest first
	cursorAudit  byte = 'a' // the audit log by (at, id), newest first
)

// keyset is where a page of a tagged listing ends: the sort key of its last
// row (a time in unix nanoseconds or a score's float64 bits) and its id.
type keyset struct {
	key uint64
	id  int64
}

// encodeKeyset makes the opaque cursor of k in a listing of kind: 17 bytes, base64url.
func encodeKeyset(kind byte, k keyset) string {
	var b [17]byte
	b[0] = kind
	binary.BigEndian.PutUint64(b[1:9], k.key)
	binary.BigEndian.PutUint64(b[9:], uint64(k.id))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// decodeKeyset parses a cursor from encodeKeyset for a listing of kind; ok is
// false for anything else, a cursor of another kind included.
func decodeKeyset(kind byte, s string) (k keyset, ok bool) {
	if len(s) != base64.RawURLEncoding.EncodedLen(17) {
		return keyset{}, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != 17 || b[0] != kind {
		return keyset{}, false
	}
	k = keyset{key: binary.BigEndian.Uint64(b[1:9]), id: int64(binary.BigEndian.Uint64(b[9:]))}
	if kind == cursorScore && math.IsNaN(math.Float64frombits(k.key)) {
		return keyset{}, false
	}
	return k, k.id > 0
}

// where collects the conditions of a query built from a filter.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// sql is the WHERE clause, with a leading space, or "" without conditions.
func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}
