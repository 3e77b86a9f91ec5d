package postgres

import (
	"context"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// The keyset queries; their last three arguments are the cursor position and the limit.
const (
	listApprovedSQL = `SELECT ` + commentColumns + ` FROM comments
		WHERE post = $1 AND status = 'approved' AND (created_at, id) > ($2, $3)
		ORDER BY created_at, id LIMIT $4`
	listByStatusSQL = `SELECT ` + commentColumns + ` FROM comments
		WHERE status = $1 AND (created_at, id) < ($2, $3)
		ORDER BY created_at DESC, id DESC LIMIT $4`
)

// ListApproved returns a page of post's approved comments, oldest first by
// (created_at, id). cursor is "" for the first page, else a NextCursor from
// this listing. Errors: *models.ValidationError for a malformed cursor (field
// "cursor") or a limit below 1 (field "limit"); limits over MaxPageSize are clamped.
func (s *Store) ListApproved(ctx context.Context, post, cursor string, limit int) (models.Page, error) {
	after := storage.Position{CreatedAt: math.MinInt64}
	p, err := s.page(ctx, cursor, limit, &after, listApprovedSQL, post)
	if err != nil {
		return models.Page{}, fmt.Errorf("postgres: list approved: %w", err)
	}
	return p, nil
}

// ListByStatus returns a page of the comments with status, newest first by
// (created_at, id): the moderation queue. Errors as ListApproved, and
// *models.ValidationError (field "status") for an unknown status.
func (s *Store) ListByStatus(ctx context.Context, status models.Status, cursor string, limit int) (models.Page, error) {
	if !status.Valid() {
		return models.Page{}, fmt.Errorf("postgres: list %q: %w", status, storage.Invalid("status", "invalid"))
	}
	before := storage.Position{CreatedAt: math.MaxInt64, ID: math.MaxInt64}
	p, err := s.page(ctx, cursor, limit, &before, listByStatusSQL, string(status))
	if err != nil {
		return models.Page{}, fmt.Errorf("postgres: list %s: %w", status, err)
	}
	return p, nil
}

// page runs a keyset query whose last three arguments are the position to
// continue from and the row limit; from is the position of an empty cursor.
// It fetches one row more than limit to know whether another page follows.
func (s *Store) page(ctx context.Context, cursor string, limit int, from *storage.Position, query string, arg any) (models.Page, error) {
	limit, err := storage.CheckLimit(limit)
	if err != nil {
		return models.Page{}, err
	}
	if cursor != "" {
		p, ok := storage.DecodeCursor(cursor)
		if !ok {
			return models.Page{}, storage.Invalid("cursor", "invalid")
		}
		*from = p
	}
	rows, err := s.pool.Query(ctx, query, arg, from.CreatedAt, from.ID, limit+1)
	cs, err := collect(rows, err, scanComment)
	if err != nil {
		return models.Page{}, mapErr(err)
	}
	page := models.Page{Comments: cs}
	if page.Comments == nil {
		page.Comments = []models.Comment{}
	}
	if len(cs) > limit {
		page.Comments = cs[:limit]
		last := cs[limit-1]
		page.NextCursor = storage.EncodeCursor(storage.Position{CreatedAt: last.CreatedAt.UnixNano(), ID: last.ID})
	}
	return page, nil
}

// CountApproved returns the number of approved comments of each post in posts;
// every requested post is in the map, with 0 when it has none.
func (s *Store) CountApproved(ctx context.Context, posts []string) (map[string]int, error) {
	counts := make(map[string]int, len(posts))
	for _, p := range posts {
		counts[p] = 0
	}
	if len(posts) == 0 {
		return counts, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT post, COUNT(*) FROM comments
		WHERE status = 'approved' AND post = ANY($1) GROUP BY post`, posts)
	if err := scanCounts(rows, err, func(post string, n int) { counts[post] = n }); err != nil {
		return nil, fmt.Errorf("postgres: count approved: %w", mapErr(err))
	}
	return counts, nil
}

// CountByStatus returns the number of comments of every status, 0 included.
func (s *Store) CountByStatus(ctx context.Context) (map[models.Status]int, error) {
	counts := map[models.Status]int{
		models.StatusApproved: 0, models.StatusPending: 0, models.StatusSpam: 0, models.StatusTrash: 0,
	}
	rows, err := s.pool.Query(ctx, `SELECT status, COUNT(*) FROM comments GROUP BY status`)
	if err := scanCounts(rows, err, func(st string, n int) { counts[models.Status(st)] = n }); err != nil {
		return nil, fmt.Errorf("postgres: count by status: %w", err)
	}
	return counts, nil
}

// scanCounts reads (key, count) rows into add and closes rows.
func scanCounts(rows pgx.Rows, err error, add func(key string, n int)) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			key string
			n   int
		)
		if err := rows.Scan(&key, &n); err != nil {
			return err
		}
		add(key, n)
	}
	return rows.Err()
}
