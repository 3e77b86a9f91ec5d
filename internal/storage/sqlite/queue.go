package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

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
		page.NextCursor = order.Next(page.Comments[limit-1])
	}
	return page, nil
}

// queuePageSQL returns the query of up to rows comments f selects from its
// cursor on, its arguments and its order.
func queuePageSQL(f models.QueueFilter, rows int) (string, []any, storage.QueueOrder, error) {
	w, order, err := queueWhere(f)
	if err == nil {
		err = order.Continue(w, f.Cursor)
	}
	if err != nil {
		return "", nil, order, err
	}
	return `SELECT ` + commentColumns + ` FROM comments` + w.SQL() + ` ORDER BY ` + order.OrderBy + w.Limit(rows), w.Args, order, nil
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
	rows, err := s.cache.query(ctx, `SELECT id FROM comments`+w.SQL()+` ORDER BY `+order.OrderBy+w.Limit(max), w.Args...)
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

// queueWhere is storage.QueueWhere in SQLite, with the planner steered away
// from the score index where it would walk a whole status.
func queueWhere(f models.QueueFilter) (*storage.Where, storage.QueueOrder, error) {
	w, order, err := storage.QueueWhere(storage.SQLite, f)
	if narrow := f.Post != "" || f.Email != "" || (f.IP != "" && !strings.Contains(f.IP, "/")); narrow && order.Cursor == storage.CursorScore {
		// A post, an email or an address selects few comments of a status, and
		// sorting those beats walking the whole status in score order, which the
		// planner prefers otherwise. The unary + keeps comments_by_score out.
		order.OrderBy, order.After = "+score DESC, +id DESC", "(+score, +id) < (?, ?)"
	}
	return w, order, err
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
