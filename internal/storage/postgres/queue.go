package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

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
		return models.Page{}, fmt.Errorf("postgres: list queue: %w", err)
	}
	w, order, err := storage.QueueWhere(storage.Postgres, f)
	if err == nil {
		err = order.Continue(w, f.Cursor)
	}
	if err != nil {
		return models.Page{}, fmt.Errorf("postgres: list queue: %w", err)
	}
	query := `SELECT ` + commentColumns + ` FROM comments` + w.SQL() + ` ORDER BY ` + order.OrderBy + w.Limit(limit+1)
	rows, err := s.pool.Query(ctx, query, w.Args...)
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
		page.NextCursor = order.Next(cs[limit-1])
	}
	return page, nil
}

// QueueIDs returns the ids of up to max comments f selects, in f.Sort order:
// the targets of a bulk action on "everything matching this filter". f.Cursor
// and f.Limit are ignored. Errors as ListQueue, and *models.ValidationError
// (field "max") for a max below 1.
func (s *Store) QueueIDs(ctx context.Context, f models.QueueFilter, max int) ([]int64, error) {
	w, order, err := storage.QueueWhere(storage.Postgres, f)
	if err == nil && max < 1 {
		err = storage.Invalid("max", "invalid")
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: queue ids: %w", err)
	}
	rows, err := s.pool.Query(ctx, `SELECT id FROM comments`+w.SQL()+` ORDER BY `+order.OrderBy+w.Limit(max), w.Args...)
	ids, err := collect(rows, err, func(row pgx.Row) (id int64, err error) { return id, row.Scan(&id) })
	if err != nil {
		return nil, fmt.Errorf("postgres: queue ids: %w", mapErr(err))
	}
	if ids == nil {
		ids = []int64{}
	}
	return ids, nil
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
