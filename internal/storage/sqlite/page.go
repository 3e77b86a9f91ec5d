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

// The keyset queries; their last three arguments are the cursor position and the limit.
// 'approved' is a literal so the planner can match it against comments_by_post.
const (
	listApprovedSQL = `SELECT ` + commentColumns + ` FROM comments
		WHERE post = ? AND status = 'approved' AND (created_at, id) > (?, ?)
		ORDER BY created_at, id LIMIT ?`
	listByStatusSQL = `SELECT ` + commentColumns + ` FROM comments
		WHERE status = ? AND (created_at, id) < (?, ?)
		ORDER BY created_at DESC, id DESC LIMIT ?`
)

// countApprovedSQL counts the approved comments of n posts.
func countApprovedSQL(n int) string {
	return `SELECT post, COUNT(*) FROM comments
		WHERE status = 'approved' AND post IN (?` + strings.Repeat(", ?", n-1) + `) GROUP BY post`
}

// ListApproved returns a page of post's approved comments, oldest first by
// (created_at, id). cursor is "" for the first page, else a NextCursor from
// this listing. Errors: *models.ValidationError for a malformed cursor (field
// "cursor") or a limit below 1 (field "limit"); limits over MaxPageSize are clamped.
func (s *Store) ListApproved(ctx context.Context, post, cursor string, limit int) (models.Page, error) {
	after := storage.Position{CreatedAt: math.MinInt64}
	p, err := s.page(ctx, cursor, limit, &after, s.stmts.listApproved, post)
	if err != nil {
		return models.Page{}, fmt.Errorf("sqlite: list approved: %w", err)
	}
	return p, nil
}

// ListByStatus returns a page of the comments with status, newest first by
// (created_at, id): the moderation queue. Errors as ListApproved, and
// *models.ValidationError (field "status") for an unknown status.
func (s *Store) ListByStatus(ctx context.Context, status models.Status, cursor string, limit int) (models.Page, error) {
	if !status.Valid() {
		return models.Page{}, fmt.Errorf("sqlite: list %q: %w", status, storage.Invalid("status", "invalid"))
	}
	before := storage.Position{CreatedAt: math.MaxInt64, ID: math.MaxInt64}
	p, err := s.page(ctx, cursor, limit, &before, s.stmts.listByStatus, string(status))
	if err != nil {
		return models.Page{}, fmt.Errorf("sqlite: list %s: %w", status, err)
	}
	return p, nil
}

// page runs a keyset query whose last three arguments are the position to
// continue from and the row limit; from is the position of an empty cursor.
// It fetches one row more than limit to know whether another page follows.
func (s *Store) page(ctx context.Context, cursor string, limit int, from *storage.Position, query *sql.Stmt, args ...any) (models.Page, error) {
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
	rows, err := query.QueryContext(ctx, append(args, from.CreatedAt, from.ID, limit+1)...)
	if err != nil {
		return models.Page{}, err
	}
	defer rows.Close()
	page := models.Page{Comments: make([]models.Comment, 0, min(limit, 64))}
	for rows.Next() {
		c, err := scanComment(rows)
		if err != nil {
			return models.Page{}, err
		}
		page.Comments = append(page.Comments, c)
	}
	if err := rows.Err(); err != nil {
		return models.Page{}, err
	}
	if len(page.Comments) > limit {
		page.Comments = page.Comments[:limit]
		last := page.Comments[limit-1]
		page.NextCursor = storage.EncodeCursor(storage.Position{CreatedAt: last.CreatedAt.UnixNano(), ID: last.ID})
	}
	return page, nil
}

// countChunk keeps CountApproved's IN lists well under SQLite's variable limit.
const countChunk = 500

// CountApproved returns the number of approved comments of each post in posts;
// every requested post is in the map, with 0 when it has none.
func (s *Store) CountApproved(ctx context.Context, posts []string) (map[string]int, error) {
	counts := make(map[string]int, len(posts))
	for _, p := range posts {
		counts[p] = 0
	}
	for chunk := range slices.Chunk(posts, countChunk) {
		args := make([]any, len(chunk))
		for i, p := range chunk {
			args[i] = p
		}
		rows, err := s.read.QueryContext(ctx, countApprovedSQL(len(chunk)), args...)
		if err != nil {
			return nil, fmt.Errorf("sqlite: count approved: %w", err)
		}
		err = scanCounts(rows, func(post string, n int) { counts[post] = n })
		if err != nil {
			return nil, fmt.Errorf("sqlite: count approved: %w", err)
		}
	}
	return counts, nil
}

// CountByStatus returns the number of comments of every status, 0 included.
func (s *Store) CountByStatus(ctx context.Context) (map[models.Status]int, error) {
	counts := map[models.Status]int{
		models.StatusApproved: 0, models.StatusPending: 0, models.StatusSpam: 0, models.StatusTrash: 0,
	}
	rows, err := s.read.QueryContext(ctx, `SELECT status, COUNT(*) FROM comments GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: count by status: %w", err)
	}
	if err := scanCounts(rows, func(st string, n int) { counts[models.Status(st)] = n }); err != nil {
		return nil, fmt.Errorf("sqlite: count by status: %w", err)
	}
	return counts, nil
}

// scanCounts reads (key, count) rows into add and closes rows.
func scanCounts(rows *sql.Rows, add func(key string, n int)) error {
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
