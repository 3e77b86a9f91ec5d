package storage

import (
	"math"
	"slices"

	"github.com/commentd/commentd/models"
)

// QueueOrder is how one sort of the queue runs: its cursor kind, its ORDER BY,
// and the keyset condition that continues after a cursor's position.
type QueueOrder struct {
	Cursor  byte
	OrderBy string
	After   string
}

// queueOrderOf returns how sort runs ("" is newest); each sort matches an index
// that starts with status: comments_by_status, comments_by_score.
func queueOrderOf(sort models.QueueSort) (QueueOrder, bool) {
	switch sort {
	case models.SortNewest, "":
		return QueueOrder{CursorNewest, "created_at DESC, id DESC", "(created_at, id) < (?, ?)"}, true
	case models.SortOldest:
		return QueueOrder{CursorOldest, "created_at, id", "(created_at, id) > (?, ?)"}, true
	case models.SortScore:
		return QueueOrder{CursorScore, "score DESC, id DESC", "(score, id) < (?, ?)"}, true
	}
	return QueueOrder{}, false
}

// QueueWhere checks f and returns the conditions of the comments it selects,
// in d and without its cursor (see QueueOrder.Continue), and the order of its
// sort. Error: *models.ValidationError for an unknown status (field "status")
// or sort ("sort"), a malformed IP ("ip") or a NaN score bound ("min_score",
// "max_score").
func QueueWhere(d Dialect, f models.QueueFilter) (*Where, QueueOrder, error) {
	var v models.ValidationError
	w := NewWhere(d)
	if !f.Status.Valid() {
		v.Add("status", "invalid")
	}
	w.Add("status = ?", string(f.Status))
	order, ok := queueOrderOf(f.Sort)
	if !ok {
		v.Add("sort", "invalid")
	}
	if f.Post != "" {
		w.Add("post = ?", f.Post)
	}
	if f.Author != "" {
		w.Add(`author `+d.like()+` ? ESCAPE '\'`, ContainsPattern(f.Author))
	}
	if f.Email != "" {
		w.Add("email_norm = ?", NormEmail(f.Email))
	}
	if f.IP != "" {
		switch lo, hi, ok := IPRange(f.IP); {
		case !ok:
			v.Add("ip", "invalid")
		case slices.Equal(lo, hi):
			w.Add("ip_key = ?", lo)
		default:
			w.Add("ip_key BETWEEN ? AND ?", lo, hi)
		}
	}
	if f.Text != "" {
		w.Add(`text `+d.like()+` ? ESCAPE '\'`, ContainsPattern(f.Text))
	}
	for _, b := range []struct {
		field, cond string
		value       *float64
	}{{"min_score", "score >= ?", f.MinScore}, {"max_score", "score <= ?", f.MaxScore}} {
		switch {
		case b.value == nil:
		case math.IsNaN(*b.value):
			v.Add(b.field, "invalid")
		default:
			w.Add(b.cond, *b.value)
		}
	}
	if !f.Since.IsZero() {
		w.Add("created_at >= ?", ClampNanos(f.Since))
	}
	if !f.Until.IsZero() {
		w.Add("created_at < ?", ClampNanos(f.Until))
	}
	return w, order, v.Err()
}

// Continue adds to w the condition of the comments after cursor, a cursor
// from o.Next; "" adds nothing. Error: *models.ValidationError (field
// "cursor") for a cursor malformed or of another sort.
func (o QueueOrder) Continue(w *Where, cursor string) error {
	if cursor == "" {
		return nil
	}
	k, ok := DecodeKeyset(o.Cursor, cursor)
	if !ok {
		return Invalid("cursor", "invalid")
	}
	key := any(int64(k.Key))
	if o.Cursor == CursorScore {
		key = math.Float64frombits(k.Key)
	}
	w.Add(o.After, key, k.ID)
	return nil
}

// Next is the cursor of the page after the one that ends with last.
func (o QueueOrder) Next(last models.Comment) string {
	k := Keyset{Key: uint64(last.CreatedAt.UnixNano()), ID: last.ID}
	if o.Cursor == CursorScore {
		k.Key = math.Float64bits(last.Score)
	}
	return EncodeKeyset(o.Cursor, k)
}
