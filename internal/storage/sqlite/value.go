package sqlite

import (
	"encoding/base64"
	"encoding/binary"
	"math"
	"net/netip"
	"slices"
	"strings"
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

// creationTime returns t, or now when t is zero, in unix nanoseconds; when it
// is out of range it adds a "created_at" error to v.
func creationTime(v *models.ValidationError, t, now time.Time) int64 {
	if t.IsZero() {
		t = now
	}
	n, ok := toNanos(t)
	if !ok {
		v.Add("created_at", "out_of_range")
	}
	return n
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

// ipKey is the comments.ip_key of s: the family byte (4 or 6) and the address
// bytes, so that keys of one family compare like the addresses do. It is nil
// when s is not an address. IPv4-mapped IPv6 addresses count as IPv4; zones
// are dropped.
func ipKey(s string) []byte {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return nil
	}
	return addrKey(a)
}

func addrKey(a netip.Addr) []byte {
	a = a.Unmap().WithZone("")
	if a.Is4() {
		b := a.As4()
		return append([]byte{4}, b[:]...)
	}
	b := a.As16()
	return append([]byte{6}, b[:]...)
}

// ipRange returns the lowest and highest ip_key an IP filter matches: one
// address (lo == hi), or every address of a CIDR range, host bits ignored.
// ok is false when s is neither.
func ipRange(s string) (lo, hi []byte, ok bool) {
	if !strings.Contains(s, "/") {
		key := ipKey(s)
		return key, key, key != nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return nil, nil, false
	}
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	p = p.Masked()
	lo = addrKey(p.Addr())
	hi = slices.Clone(lo)
	for bit := p.Bits(); bit < p.Addr().BitLen(); bit++ {
		hi[1+bit/8] |= 0x80 >> (bit % 8)
	}
	return lo, hi, true
}

// containsPattern is a LIKE pattern, with ESCAPE '\', matching s anywhere.
func containsPattern(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s) + "%"
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
