package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"

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
		return models.Page{}, fmt.Errorf("sqlite: list queue: %w", err)
	}
	query, args, order, err := queuePageSQL(f, limit+1)
	if err != nil {
		return models.Page{}, fmt.Errorf("sqlite: list queue: %w", err)
	}
	rows, err := s.cache.query(ctx, query, args...)
	if err != nil {
		return models.Page{}, fmt.Errorf("sqlite: list queue: %w", err)
	}
	page := models.Page{Comments: make([]models.Comment, 0, min(limit, 64))}
	err = eachRow(rows, func(row *sql.Rows) error {
		c, err := scanComment(row)
		if err == nil {
			page.Comments = append(page.Comments, c)
		}
		return err
	})
	if err != nil {
		return models.Page{}, fmt.Errorf("sqlite: list queue: %w", err)
	}
	if len(page.Comments) > limit {
		page.Comments = page.Comments[:limit]
		last := page.Comments[limit-1]
		k := storage.Keyset{Key: uint64(last.CreatedAt.UnixNano()), ID: last.ID}
		if order.cursor == storage.CursorScore {
			k.Key = math.Float64bits(last.Score)
		}
		page.NextCursor = storage.EncodeKeyset(order.cursor, k)
	}
	return page, nil
}

// queuePageSQL returns the query of up to rows comments f selects from its
// cursor on, its arguments and its order.
func queuePageSQL(f models.QueueFilter, rows int) (string, []any, queueOrder, error) {
	w, order, err := queueWhere(f)
	if err != nil {
		return "", nil, order, err
	}
	if f.Cursor != "" {
		k, ok := storage.DecodeKeyset(order.cursor, f.Cursor)
		if !ok {
			return "", nil, order, storage.Invalid("cursor", "invalid")
		}
		key := any(int64(k.Key))
		if order.cursor == storage.CursorScore {
			key = math.Float64frombits(k.Key)
		}
		w.add(order.after, key, k.ID)
	}
	return `SELECT ` + commentColumns + ` FROM comments` + w.sql() + ` ORDER BY ` + order.orderBy + ` LIMIT ?`,
		append(w.args, rows), order, nil
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
		return nil, fmt.Errorf("sqlite: queue ids: %w", err)
	}
	rows, err := s.cache.query(ctx, `SELECT id FROM comments`+w.sql()+` ORDER BY `+order.orderBy+` LIMIT ?`,
		append(w.args, max)...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: queue ids: %w", err)
	}
	ids := make([]int64, 0, min(max, 1024))
	err = eachRow(rows, func(row *sql.Rows) error {
		var id int64
		if err := row.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: queue ids: %w", err)
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
		w.add(`author LIKE ? ESCAPE '\'`, storage.ContainsPattern(f.Author))
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
		w.add(`text LIKE ? ESCAPE '\'`, storage.ContainsPattern(f.Text))
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
	if narrow := f.Post != "" || f.Email != "" || (f.IP != "" && !strings.Contains(f.IP, "/")); narrow && order.cursor == storage.CursorScore {
		// A post, an email or an address selects few comments of a status, and
		// sorting those beats walking the whole status in score order, which the
		// planner prefers otherwise. The unary + keeps comments_by_score out.
		order.orderBy, order.after = "+score DESC, +id DESC", "(+score, +id) < (?, ?)"
	}
	return w, order, v.Err()
}

// authorHistorySQL counts the comments of n normalised emails by status.
func authorHistorySQL(n int) string {
	return `SELECT email_norm, status, COUNT(*) FROM comments
		WHERE email_norm IN (?` + strings.Repeat(", ?", n-1) + `) GROUP BY email_norm, status`
}

// AuthorHistory counts the comments of each of emails by status, ignoring
// case. The map is keyed by the lower-cased email and holds every requested
// email, with zero counts when it has no comments.
func (s *Store) AuthorHistory(ctx context.Context, emails []string) (map[string]models.AuthorHistory, error) {
	out := make(map[string]models.AuthorHistory, len(emails))
	for _, e := range emails {
		out[storage.NormEmail(e)] = models.AuthorHistory{}
	}
	keys := make([]string, 0, len(out))
	for k := range out {
		keys = append(keys, k)
	}
	for chunk := range slices.Chunk(keys, countChunk) {
		args := make([]any, len(chunk))
		for i, k := range chunk {
			args[i] = k
		}
		rows, err := s.read.QueryContext(ctx, authorHistorySQL(len(chunk)), args...)
		if err != nil {
			return nil, fmt.Errorf("sqlite: author history: %w", err)
		}
		err = eachRow(rows, func(row *sql.Rows) error {
			var (
				email, status string
				n             int
			)
			if err := row.Scan(&email, &status, &n); err != nil {
				return err
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
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("sqlite: author history: %w", err)
		}
	}
	return out, nil
}
