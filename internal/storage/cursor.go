package storage

import (
	"encoding/base64"
	"encoding/binary"
	"math"
)

// Position is where a page of ListApproved or ListByStatus ends: the sort key
// of its last comment.
type Position struct {
	CreatedAt int64
	ID        int64
}

// EncodeCursor makes the opaque cursor of p: 16 big-endian bytes, base64url.
func EncodeCursor(p Position) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(p.CreatedAt))
	binary.BigEndian.PutUint64(b[8:], uint64(p.ID))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// DecodeCursor parses a cursor from EncodeCursor; ok is false for anything else.
func DecodeCursor(s string) (p Position, ok bool) {
	if len(s) != base64.RawURLEncoding.EncodedLen(16) {
		return Position{}, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != 16 {
		return Position{}, false
	}
	p = Position{CreatedAt: int64(binary.BigEndian.Uint64(b[:8])), ID: int64(binary.BigEndian.Uint64(b[8:]))}
	return p, p.ID > 0
}

// The kinds of tagged cursor. A tagged cursor starts with the kind of listing
// it continues, so that a cursor from another listing or sort order is refused.
const (
	CursorNewest byte = 'n' // the queue by (created_at, id), newest first
	CursorOldest byte = 'o' // the queue by (created_at, id), oldest first
	CursorScore  byte = 's' // the queue by (score, id), highest first
	CursorAudit  byte = 'a' // the audit log by (at, id), newest first
)

// Keyset is where a page of a tagged listing ends: the sort key of its last
// row (a time in unix nanoseconds or a score's float64 bits) and its id.
type Keyset struct {
	Key uint64
	ID  int64
}

// EncodeKeyset makes the opaque cursor of k in a listing of kind: 17 bytes, base64url.
func EncodeKeyset(kind byte, k Keyset) string {
	var b [17]byte
	b[0] = kind
	binary.BigEndian.PutUint64(b[1:9], k.Key)
	binary.BigEndian.PutUint64(b[9:], uint64(k.ID))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// DecodeKeyset parses a cursor from EncodeKeyset for a listing of kind; ok is
// false for anything else, a cursor of another kind included.
func DecodeKeyset(kind byte, s string) (k Keyset, ok bool) {
	if len(s) != base64.RawURLEncoding.EncodedLen(17) {
		return Keyset{}, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != 17 || b[0] != kind {
		return Keyset{}, false
	}
	k = Keyset{Key: binary.BigEndian.Uint64(b[1:9]), ID: int64(binary.BigEndian.Uint64(b[9:]))}
	if kind == CursorScore && math.IsNaN(math.Float64frombits(k.Key)) {
		return Keyset{}, false
	}
	return k, k.ID > 0
}
