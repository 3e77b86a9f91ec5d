package postgres

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// queueOrder is how one sort of the queue runs: its cursor kind, ORDER BY, and
// the keyset condition that continues after a cursor's position.
type queueOrder struct {
	cursor  byte
	orderBy string
	after   string
}

// queueOrderOf returns how sort runs ("" is newest); each sort matches an index
// that starts with status: comments_by_status, comments_by_score.
func queueOrderOf(sort models.QueueSort) (queueOrder, bool) {
	switch sort {
	case models.SortNewest, "":
		return queueOrder{storage.CursorNewest, "created_at DESC, id DESC", "(created_at, id) < (?, ?)"}, true
	case models.SortOldest:
		return queueOrder{storage.CursorOldest, "created_at, id", "(created_at, id) > (?, ?)"}, true
	case models.SortScore:
		return queueOrder{storage.CursorScore, "score DESC, id DESC", "(score, id) < (?, ?)"}, true
	}
	return queueOrder{}, false
}

// ListQueue returns a page of the comments f selects, in f.Sort order (newest
// when empty): newest and oldest by (CreatedAt, ID), score by (Score, ID)
// highest first. Every filter combines with the others: Post exact, Author
// and Text substrings ignoring ASCII case, Email exact ignoring case, IP an
// address or a CIDR range, MinScore and MaxScore inclusive, Since inclusive
// and Until exclusive. Errors: *models.ValidationError for an unknown status
// (field "status") or sort ("sort"), a malformed IP ("ip"), a NaN score bound
// ("min_score", "max_score"), a cursor malformed or of another sort ("cursor")
// or a limit below 1 ("limit"); limits over MaxPageSize are clamped.
func (s *Store) ListQueue(ctx context.Context, f models.QueueFilter) (models.Page, error) {
	limit, err := storage.CheckLimit(f.Limit)
	if err != nil {
		return models.Page{}, fmt.Errorf("postgres: list queue: %w", err)
	}
	w, order, err := queueWhere(f)
	if err == nil && f.Cursor != "" {
		k, ok := storage.DecodeKeyset(order.cursor, f.Cursor)
		if !ok {
			err = storage.Invalid("cursor", "invalid")
		}
		key := any(int64(k.Key))
		if order.cursor == storage.CursorScore {
			key = math.Float64frombits(k.Key)
		}
		w.add(order.after, key, k.ID)
	}
	if err != nil {
		return models.Page{}, fmt.Errorf("postgres: list queue: %w", err)
	}
	query := `SELECT ` + commentColumns + ` FROM comments` + w.sql() + ` ORDER BY ` + order.orderBy + w.limit(limit+1)
	rows, err := s.pool.Query(ctx, query, w.args...)
	cs, err := collect(rows, err, scanComment)
	if err != nil {
		return models.Page{}, fmt.Errorf("postgres: list queue: %w", mapErr(err))
	}
	page := models.Page{Comments: cs}
	if page.Comments == nil {
		page.Comments = []models.Comment{}
	}
	if len(cs) > limit {
		page.Comments = cs[:limit]
		last := cs[limit-1]
		k := storage.Keyset{Key: uint64(last.CreatedAt.UnixNano()), ID: last.ID}
		if order.cursor == storage.CursorScore {
			k.Key = math.Float64bits(last.Score)
		}
		page.NextCursor = storage.EncodeKeyset(order.cursor, k)
	}
	return page, nil
}

// QueueIDs returns the ids of up to max comments f selects, in f.Sort order:
// the targets of a bulk action on "everything matching this filter". f.Cursor
// and f.Limit are ignored. Errors as ListQueue, and *models.ValidationError
// (field "max") for a max below 1.
func (s *Store) QueueIDs(ctx context.Context, f models.QueueFilter, max int) ([]int64, error) {
	w, order, err := queueWhere(f)
	if err == nil && max < 1 {
		err = storage.Invalid("max", "invalid")
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: queue ids: %w", err)
	}
	rows, err := s.pool.Query(ctx, `SELECT id FROM comments`+w.sql()+` ORDER BY `+order.orderBy+w.limit(max), w.args...)
	ids, err := collect(rows, err, func(row pgx.Row) (id int64, err error) { return id, row.Scan(&id) })
	if err != nil {
		return nil, fmt.Errorf("postgres: queue ids: %w", mapErr(err))
	}
	if ids == nil {
		ids = []int64{}
	}
	return ids, nil
}

// queueWhere checks f and returns its conditions, cursor aside, and its order.
func queueWhere(f models.QueueFilter) (where, queueOrder, error) {
	var (
		v models.ValidationError
		w where
	)
	if !f.Status.Valid() {
		v.Add("status", "invalid")
	}
	w.add("status = ?", string(f.Status))
	order, ok := queueOrderOf(f.Sort)
	if !ok {
		v.Add("sort", "invalid")
	}
	if f.Post != "" {
		w.add("post = ?", f.Post)
	}
	if f.Author != "" {
		// author is COLLATE "C": ILIKE folds ASCII letters only, as SQLite's LIKE does.
		w.add(`author ILIKE ? ESCAPE '\'`, storage.ContainsPattern(f.Author))
	}
	if f.Email != "" {
		w.add("email_norm = ?", storage.NormEmail(f.Email))
	}
	if f.IP != "" {
		switch lo, hi, ok := storage.IPRange(f.IP); {
		case !ok:
			v.Add("ip", "invalid")
		case slices.Equal(lo, hi):
			w.add("ip_key = ?", lo)
		default:
			w.add("ip_key BETWEEN ? AND ?", lo, hi)
		}
	}
	if f.Text != "" {
		w.add(`text ILIKE ? ESCAPE '\'`, storage.ContainsPattern(f.Text))
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
			w.add(b.cond, *b.value)
		}
	}
	if !f.Since.IsZero() {
		w.add("created_at >= ?", storage.ClampNanos(f.Since))
	}
	if !f.Until.IsZero() {
		w.add("created_at < ?", storage.ClampNanos(f.Until))
	}
	return w, order, v.Err()
}

// AuthorHistory counts the comments of each of emails by status, ignoring
// case. The map is keyed by the lower-cased email and holds every requested
// email, with zero counts when it has no comments.
func (s *Store) AuthorHistory(ctx context.Context, emails []string) (map[string]models.AuthorHistory, error) {
	out := make(map[string]models.AuthorHistory, len(emails))
	keys := make([]string, 0, len(emails))
	for _, e := range emails {
		k := storage.NormEmail(e)
		if _, ok := out[k]; !ok {
			out[k] = models.AuthorHistory{}
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT email_norm, status, COUNT(*) FROM comments
		WHERE email_norm = ANY($1) GROUP BY email_norm, status`, keys)
	if err != nil {
		return nil, fmt.Errorf("postgres: author history: %w", mapErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		var (
			email, status string
			n             int
		)
		if err := rows.Scan(&email, &status, &n); err != nil {
			return nil, fmt.Errorf("postgres: author history: %w", err)
		}
		h := out[email]
		switch models.Status(status) {
		case models.StatusApproved:
			h.Approved = n
		case models.StatusSpam:
			h.Spam = n
		case models.StatusPending:
			h.Pending = n
		case models.StatusTrash:
			h.Trash = n
		}
		out[email] = h
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: author history: %w", err)
	}
	return out, nil
}
