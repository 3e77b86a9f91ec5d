package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/commentd/commentd/models"
)

// commentColumns is the column list scanComment reads, in order.
const commentColumns = `id, post, parent, author, email, url, text, ip, user_agent,
	status, score, reasons, trained_as, created_at, updated_at`

// CreateComment stores c and sets c.ID; any ID already in c is ignored. A zero
// CreatedAt becomes now and a zero UpdatedAt becomes CreatedAt; both are then
// set to the stored value (UTC). The parent is not checked. Errors:
// *models.ValidationError (ErrInvalid) for an unknown status or class, a
// non-finite score or a time outside 1678..2262.
func (s *Store) CreateComment(ctx context.Context, c *models.Comment) error {
	createdAt, updatedAt := c.CreatedAt, c.UpdatedAt
	if createdAt.IsZero() {
		createdAt = time.Now()
	}
	if updatedAt.IsZero() {
		updatedAt = createdAt
	}
	var v models.ValidationError
	if !c.Status.Valid() {
		v.Add("status", "invalid")
	}
	if !validClass(c.TrainedAs) {
		v.Add("trained_as", "invalid")
	}
	if math.IsNaN(c.Score) || math.IsInf(c.Score, 0) {
		v.Add("score", "invalid")
	}
	if c.Parent < 0 {
		v.Add("parent", "invalid")
	}
	created, ok := toNanos(createdAt)
	if !ok {
		v.Add("created_at", "out_of_range")
	}
	updated, ok := toNanos(updatedAt)
	if !ok {
		v.Add("updated_at", "out_of_range")
	}
	reasons, err := json.Marshal(c.Reasons)
	if err != nil {
		v.Add("reasons", "invalid")
	}
	if err := v.Err(); err != nil {
		return fmt.Errorf("sqlite: create comment: %w", err)
	}

	var id int64
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO comments (post, parent, author, email, email_norm, url, text,
			ip, user_agent, status, score, reasons, trained_as, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Post, c.Parent, c.Author, c.Email, normEmail(c.Email), c.URL, c.Text,
			c.IP, c.UserAgent, string(c.Status), c.Score, string(reasons), string(c.TrainedAs), created, updated)
		if err != nil {
			return err
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: create comment: %w", err)
	}
	c.ID = id
	c.CreatedAt, c.UpdatedAt = fromNanos(created), fromNanos(updated)
	return nil
}

// GetComment returns the comment with id, or models.ErrNotFound.
func (s *Store) GetComment(ctx context.Context, id int64) (models.Comment, error) {
	c, err := commentFromRow(s.stmts.getComment.QueryRowContext(ctx, id))
	if err != nil {
		return models.Comment{}, fmt.Errorf("sqlite: get comment %d: %w", id, err)
	}
	return c, nil
}

// getCommentSQL takes the id.
const getCommentSQL = `SELECT ` + commentColumns + ` FROM comments WHERE id = ?`

// commentFromRow reads the result of getCommentSQL.
func commentFromRow(row *sql.Row) (models.Comment, error) {
	c, err := scanComment(row)
	if errors.Is(err, sql.ErrNoRows) {
		return models.Comment{}, models.ErrNotFound
	}
	return c, err
}

// DeleteComment removes the comment with id for good, or answers
// models.ErrNotFound. Its replies stay, their Parent still naming the deleted
// id; its training events stay too, as the log is append-only.
func (s *Store) DeleteComment(ctx context.Context, id int64) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM comments WHERE id = ?`, id)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return models.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete comment %d: %w", id, err)
	}
	return nil
}

// findDuplicateSQL takes post, normalised email, since and text.
const findDuplicateSQL = `SELECT EXISTS (SELECT 1 FROM comments
	WHERE post = ? AND email_norm = ? AND created_at >= ? AND text = ? AND status <> 'trash')`

// FindDuplicate reports whether a comment other than a trashed one has the same
// post, the same email (ignoring case) and exactly the same text, created at or
// after since. A zero since means any time.
func (s *Store) FindDuplicate(ctx context.Context, post, email, text string, since time.Time) (bool, error) {
	from := int64(math.MinInt64)
	if !since.IsZero() {
		from = clampNanos(since)
	}
	var found bool
	err := s.stmts.findDuplicate.QueryRowContext(ctx, post, normEmail(email), from, text).Scan(&found)
	if err != nil {
		return false, fmt.Errorf("sqlite: find duplicate: %w", err)
	}
	return found, nil
}

// scanComment reads the commentColumns of one row.
func scanComment(row interface{ Scan(...any) error }) (models.Comment, error) {
	var (
		c                models.Comment
		status, trained  string
		reasons          string
		created, updated int64
	)
	err := row.Scan(&c.ID, &c.Post, &c.Parent, &c.Author, &c.Email, &c.URL, &c.Text, &c.IP, &c.UserAgent,
		&status, &c.Score, &reasons, &trained, &created, &updated)
	if err != nil {
		return models.Comment{}, err
	}
	if err := json.Unmarshal([]byte(reasons), &c.Reasons); err != nil {
		return models.Comment{}, fmt.Errorf("comment %d: reasons: %w", c.ID, err)
	}
	c.Status, c.TrainedAs = models.Status(status), models.Class(trained)
	c.CreatedAt, c.UpdatedAt = fromNanos(created), fromNanos(updated)
	return c, nil
}

// normEmail is the form FindDuplicate compares emails in.
func normEmail(email string) string { return strings.ToLower(email) }

// validClass reports whether c is a class a comment can be trained as.
func validClass(c models.Class) bool {
	return c == models.ClassNone || c == models.ClassHam || c == models.ClassSpam
}
