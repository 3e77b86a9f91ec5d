package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// commentColumns is the column list scanComment reads, in order.
const commentColumns = `id, post, parent, author, email, url, text, ip, user_agent,
	status, score, reasons, trained_as, created_at, updated_at`

// CreateComment stores c and sets c.ID; any ID already in c is ignored. It
// returns once c is committed, in one transaction with the comments created
// concurrently (group commit, see committer). A zero
// CreatedAt becomes now and a zero UpdatedAt becomes CreatedAt; both are then
// set to the stored value (UTC). The parent is not checked. Errors:
// *models.ValidationError (ErrInvalid) for an unknown status or class, a
// non-finite score or a time outside 1678..2262.
func (s *Store) CreateComment(ctx context.Context, c *models.Comment) error {
	return s.create(ctx, c, nil)
}

// CreateCommentUnique stores c as CreateComment does, unless a comment other
// than a trashed one has the same post, the same email (ignoring case) and
// exactly the same text, created at or after since (a zero since: any time);
// then it stores nothing and returns models.ErrDuplicate. The check and the
// insert are one statement in the group's transaction, so of identical
// comments sent at the same moment one is stored.
func (s *Store) CreateCommentUnique(ctx context.Context, c *models.Comment, since time.Time) error {
	from := storage.ClampNanos(since) // a zero since is before every time: MinInt64
	return s.create(ctx, c, &from)
}

// create stores c; when dupSince is set, only if it has no duplicate created
// at or after *dupSince (unix nanoseconds).
func (s *Store) create(ctx context.Context, c *models.Comment, dupSince *int64) error {
	row, err := storage.CheckComment(c)
	if err != nil {
		return fmt.Errorf("sqlite: create comment: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sqlite: create comment: %w", err)
	}
	id, err := s.commit.group.Write(ctx, func(ctx context.Context, q queryer) (int64, error) {
		id, err := insertComment(ctx, q, c, row, dupSince)
		if err != nil || id == 0 {
			return 0, err
		}
		stored := *c
		stored.ID, stored.CreatedAt, stored.UpdatedAt = id, storage.FromNanos(row.Created), storage.FromNanos(row.Updated)
		return id, s.createdEvents(ctx, q, stored)
	})
	if err != nil {
		return fmt.Errorf("sqlite: create comment: %w", err)
	}
	if id == 0 {
		return fmt.Errorf("sqlite: create comment: %w", models.ErrDuplicate)
	}
	c.ID = id
	c.CreatedAt, c.UpdatedAt = storage.FromNanos(row.Created), storage.FromNanos(row.Updated)
	return nil
}

// insertCommentSQL stores a comment; its arguments are those of insertComment.
const insertCommentSQL = `INSERT INTO comments (post, parent, author, email, email_norm, url, text,
	ip, ip_key, user_agent, status, score, reasons, trained_as, created_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// insertUniqueSQL stores a comment unless it has a duplicate (see
// CreateCommentUnique); its arguments are insertCommentSQL's, then the
// earliest creation time that counts. The text's length narrows the index
// range to the comments that could be equal.
const insertUniqueSQL = `INSERT INTO comments (post, parent, author, email, email_norm, url, text,
	ip, ip_key, user_agent, status, score, reasons, trained_as, created_at, updated_at)
	SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16
	WHERE NOT EXISTS (SELECT 1 FROM comments WHERE post = ?1 AND email_norm = ?5
		AND length(text) = length(?7) AND created_at >= ?17 AND text = ?7 AND status <> 'trash')`

// insertComment stores c in its stored form row, from storage.CheckComment,
// and returns its id; with dupSince set, it returns 0 and stores nothing when
// c has a duplicate created at or after *dupSince.
func insertComment(ctx context.Context, q queryer, c *models.Comment, row storage.CommentRow, dupSince *int64) (int64, error) {
	query, args := insertCommentSQL, []any{c.Post, c.Parent, c.Author, c.Email, row.EmailNorm, c.URL, c.Text,
		c.IP, row.IPKey, c.UserAgent, string(c.Status), c.Score, row.Reasons, string(c.TrainedAs), row.Created, row.Updated}
	if dupSince != nil {
		query, args = insertUniqueSQL, append(args, *dupSince)
	}
	res, err := q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	if dupSince != nil {
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return 0, err
		}
	}
	return res.LastInsertId()
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
// id; its training events stay too, as the log is append-only. When audit is
// set it is recorded in the same transaction, its zero At, CommentID,
// FromStatus and Score taken from the deletion, and *audit becomes the entry as
// recorded. Error: *models.ValidationError for a bad audit entry.
func (s *Store) DeleteComment(ctx context.Context, id int64, audit *models.AuditEntry) error {
	rec, err := storage.CheckDeletion(id, audit, time.Now())
	if err != nil {
		return fmt.Errorf("sqlite: delete comment %d: %w", id, err)
	}
	var recorded *models.AuditEntry
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		event, err := s.deletion(ctx, tx, id, rec)
		if err != nil {
			return err
		}
		deleted, e, err := deleteComment(ctx, tx, id, rec)
		if err == nil && !deleted {
			err = models.ErrNotFound
		}
		if err == nil {
			err = event()
		}
		recorded = e
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete comment %d: %w", id, err)
	}
	storage.Publish(audit, recorded)
	return nil
}

// DeleteComments removes the comments with ids in one transaction, as
// DeleteComment does, and returns the ids it deleted, in order; unknown ids
// are skipped. audits is nil, or holds the audit entry of each id, recorded
// when that id is deleted. Error: *models.ValidationError when audits is
// neither nil nor as long as ids, or holds a bad entry; then nothing is deleted.
func (s *Store) DeleteComments(ctx context.Context, ids []int64, audits []models.AuditEntry) (deleted []int64, err error) {
	recs, err := storage.CheckDeletions(ids, audits, time.Now())
	if err != nil {
		return nil, fmt.Errorf("sqlite: delete comments: %w", err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		deleted = make([]int64, 0, len(ids))
		p := newPreparer(tx)
		for i, id := range ids {
			event, err := s.deletion(ctx, p, id, recs[i])
			if err != nil {
				return fmt.Errorf("comment %d: %w", id, err)
			}
			ok, _, err := deleteComment(ctx, p, id, recs[i])
			if err == nil && ok {
				deleted, err = append(deleted, id), event()
			}
			if err != nil {
				return fmt.Errorf("comment %d: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: delete comments: %w", err)
	}
	return deleted, nil
}

// deleteComment deletes the comment with id and reports whether it existed.
// When it did and audit is set, it records a copy of audit, filled in, and
// returns that copy.
func deleteComment(ctx context.Context, q queryer, id int64, audit *models.AuditEntry) (bool, *models.AuditEntry, error) {
	c := models.Comment{ID: id}
	var status string
	err := q.QueryRowContext(ctx, `DELETE FROM comments WHERE id = ? RETURNING status, score`, id).Scan(&status, &c.Score)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil, nil
	}
	if err != nil || audit == nil {
		return err == nil, nil, err
	}
	e := *audit // filled afresh in each attempt of the transaction
	storage.FillAudit(&e, c, models.Status(status), "")
	if err := recordAudit(ctx, q, &e); err != nil {
		return false, nil, err
	}
	return true, &e, nil
}

// GetComments returns the comments with ids, such as the parents of a page of
// replies, by id; unknown ids are absent from the map.
func (s *Store) GetComments(ctx context.Context, ids []int64) (map[int64]models.Comment, error) {
	out := make(map[int64]models.Comment, len(ids))
	for chunk := range slices.Chunk(ids, countChunk) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := s.read.QueryContext(ctx, `SELECT `+commentColumns+` FROM comments WHERE id IN (?`+
			strings.Repeat(", ?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("sqlite: get comments: %w", err)
		}
		err = eachRow(rows, func(row *sql.Rows) error {
			c, err := scanComment(row)
			if err == nil {
				out[c.ID] = c
			}
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("sqlite: get comments: %w", err)
		}
	}
	return out, nil
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
	c.CreatedAt, c.UpdatedAt = storage.FromNanos(created), storage.FromNanos(updated)
	return c, nil
}

// normEmail is storage.NormEmail, for transfer.go.
func normEmail(email string) string { return storage.NormEmail(email) }
