package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// commentColumns is the column list scanComment reads, in order.
const commentColumns = `id, post, parent, author, email, url, text, ip, user_agent,
	status, score, reasons, trained_as, created_at, updated_at`

// insertCommentSQL stores a comment and returns its id.
const insertCommentSQL = `INSERT INTO comments (post, parent, author, email, email_norm, url, text,
	ip, ip_key, user_agent, status, score, reasons, trained_as, created_at, updated_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`

// insertUniqueSQL stores a comment and returns its id unless it has a
// duplicate (see CreateCommentUnique), when it returns no row; its arguments
// are insertCommentSQL's, then the earliest creation time that counts. The
// text's length narrows the index range to the comments that could be equal.
const insertUniqueSQL = `INSERT INTO comments (post, parent, author, email, email_norm, url, text,
	ip, ip_key, user_agent, status, score, reasons, trained_as, created_at, updated_at)
	SELECT $1::text, $2::bigint, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::bytea,
		$10::text, $11::text, $12::double precision, $13::text, $14::text, $15::bigint, $16::bigint
	WHERE NOT EXISTS (SELECT 1 FROM comments WHERE post = $1 AND email_norm = $5
		AND length(text) = length($7::text) AND created_at >= $17 AND text = $7 AND status <> 'trash')
	RETURNING id`

// CreateComment stores c and sets c.ID; any ID already in c is ignored. A zero
// CreatedAt becomes now and a zero UpdatedAt becomes CreatedAt; both are then
// set to the stored value (UTC). It returns once c is committed, in one
// transaction with the comments created concurrently (group commit). The
// parent is not checked. Errors: *models.ValidationError (ErrInvalid) for an
// unknown status or class, a non-finite score or a time outside 1678..2262.
func (s *Store) CreateComment(ctx context.Context, c *models.Comment) error {
	return s.create(ctx, newComment{c: c})
}

// CreateCommentUnique stores c as CreateComment does, unless a comment other
// than a trashed one has the same post, the same email (ignoring case) and
// exactly the same text, created at or after since (a zero since: any time);
// then it stores nothing and returns models.ErrDuplicate. The check and the
// insert are one statement, under a lock on the post, email and text held until
// COMMIT, so of identical comments sent at the same moment, to one instance or
// to several, one is stored.
func (s *Store) CreateCommentUnique(ctx context.Context, c *models.Comment, since time.Time) error {
	from := storage.ClampNanos(since) // a zero since is before every time: MinInt64
	return s.create(ctx, newComment{c: c, unique: true, since: from})
}

// create checks n's comment and stores it through the group commit.
func (s *Store) create(ctx context.Context, n newComment) error {
	c := n.c
	row, err := storage.CheckComment(c)
	if err != nil {
		return fmt.Errorf("postgres: create comment: %w", err)
	}
	n.row = row
	id, err := s.group.Write(ctx, n)
	if err != nil {
		return fmt.Errorf("postgres: create comment: %w", err)
	}
	if id == 0 {
		return fmt.Errorf("postgres: create comment: %w", models.ErrDuplicate)
	}
	c.ID = id
	c.CreatedAt, c.UpdatedAt = storage.FromNanos(row.Created), storage.FromNanos(row.Updated)
	return nil
}

// newComment is a checked comment waiting for its group commit.
type newComment struct {
	c      *models.Comment
	row    storage.CommentRow
	unique bool  // stored only without a duplicate created at or after since
	since  int64 // unix nanoseconds
}

// duplicateLocks is the first key of the transaction advisory locks that
// serialise duplicate checks: pg_advisory_xact_lock(duplicateLocks, h), h a
// hash of a comment's post, email and text. (Two-key locks never meet the one-key
// locks of migrations and imports.)
const duplicateLocks int32 = 0x636d6e74 // "cmnt"

// duplicateLockKeys returns, sorted and once each, the second keys of the
// locks the unique comments among comments take before their INSERTs. The
// duplicate check of one instance cannot see a copy another instance inserted
// but has not committed; holding the lock of the copy's post, email and text
// until COMMIT makes the second check wait for the first transaction and,
// under READ COMMITTED, see its row. Sorted, the locks of two groups cannot
// deadlock; two comments that share a key by chance only wait for each other.
func duplicateLockKeys(comments []newComment) []int32 {
	var keys []int32
	for _, n := range comments {
		if !n.unique {
			continue
		}
		h := fnv.New32a()
		for _, part := range []string{n.c.Post, n.row.EmailNorm, n.c.Text} {
			h.Write([]byte(part))
			h.Write([]byte{0})
		}
		keys = append(keys, int32(h.Sum32()))
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// insertAll writes comments in one transaction, their INSERTs in one round
// trip, with their webhook events when the outbox is on, and returns their ids.
// The unique ones first take their duplicate locks (see duplicateLockKeys).
func (s *Store) insertAll(ctx context.Context, comments []newComment) ([]int64, error) {
	ids := make([]int64, len(comments))
	locks := duplicateLockKeys(comments)
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, k := range locks {
			b.Queue(`SELECT pg_advisory_xact_lock($1, $2)`, duplicateLocks, k)
		}
		for _, n := range comments {
			c, row := n.c, n.row
			query, args := insertCommentSQL, []any{c.Post, c.Parent, c.Author, c.Email, row.EmailNorm, c.URL, c.Text,
				c.IP, row.IPKey, c.UserAgent, string(c.Status), c.Score, row.Reasons, string(c.TrainedAs),
				row.Created, row.Updated}
			if n.unique {
				query, args = insertUniqueSQL, append(args, n.since)
			}
			b.Queue(query, args...)
		}
		br := tx.SendBatch(ctx, b)
		for range locks {
			if _, err := br.Exec(); err != nil {
				br.Close()
				return err
			}
		}
		for i, n := range comments {
			err := br.QueryRow().Scan(&ids[i])
			if n.unique && errors.Is(err, pgx.ErrNoRows) {
				ids[i], err = 0, nil // a duplicate: nothing stored
			}
			if err != nil {
				br.Close()
				return err
			}
		}
		if err := br.Close(); err != nil {
			return err
		}
		if !s.webhooks.Load() {
			return nil
		}
		for i, n := range comments {
			if ids[i] == 0 {
				continue
			}
			stored := *n.c
			stored.ID, stored.CreatedAt, stored.UpdatedAt = ids[i], storage.FromNanos(n.row.Created), storage.FromNanos(n.row.Updated)
			if err := createdEvents(ctx, tx, stored); err != nil {
				return err
			}
		}
		return nil
	})
	return ids, err
}

// GetComment returns the comment with id, or models.ErrNotFound.
func (s *Store) GetComment(ctx context.Context, id int64) (models.Comment, error) {
	c, err := scanComment(s.pool.QueryRow(ctx, `SELECT `+commentColumns+` FROM comments WHERE id = $1`, id))
	if err != nil {
		return models.Comment{}, fmt.Errorf("postgres: get comment %d: %w", id, notFound(err))
	}
	return c, nil
}

// GetComments returns the comments with ids, such as the parents of a page of
// replies, by id; unknown ids are absent from the map.
func (s *Store) GetComments(ctx context.Context, ids []int64) (map[int64]models.Comment, error) {
	out := make(map[int64]models.Comment, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+commentColumns+` FROM comments WHERE id = ANY($1)`, ids)
	cs, err := collect(rows, err, scanComment)
	if err != nil {
		return nil, fmt.Errorf("postgres: get comments: %w", err)
	}
	for _, c := range cs {
		out[c.ID] = c
	}
	return out, nil
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
		return fmt.Errorf("postgres: delete comment %d: %w", id, err)
	}
	recs := []*models.AuditEntry{rec}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		events, err := s.deletions(ctx, tx, []int64{id}, recs)
		if err != nil {
			return err
		}
		deleted, err := deleteComments(ctx, tx, []int64{id}, recs)
		if err == nil && len(deleted) == 0 {
			err = models.ErrNotFound
		}
		if err == nil {
			err = events(deleted)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: delete comment %d: %w", id, err)
	}
	storage.Publish(audit, recs[0])
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
		return nil, fmt.Errorf("postgres: delete comments: %w", err)
	}
	err = s.inTx(ctx, func(tx pgx.Tx) (err error) {
		events, err := s.deletions(ctx, tx, ids, recs)
		if err != nil {
			return err
		}
		if deleted, err = deleteComments(ctx, tx, ids, recs); err != nil {
			return err
		}
		return events(deleted)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: delete comments: %w", err)
	}
	return deleted, nil
}

// deleteComments deletes the comments with ids in two round trips and returns
// the ids it deleted, in order. It records a filled-in copy of recs[i], when
// not nil, for each deleted ids[i], and leaves the copies in recs.
func deleteComments(ctx context.Context, tx pgx.Tx, ids []int64, recs []*models.AuditEntry) ([]int64, error) {
	var (
		b       pgx.Batch
		deleted = make([]int64, 0, len(ids))
		found   = make([]models.Comment, len(ids))
		status  = make([]string, len(ids))
	)
	for i, id := range ids {
		b.Queue(`DELETE FROM comments WHERE id = $1 RETURNING id, status, score`, id).QueryRow(func(row pgx.Row) error {
			err := row.Scan(&found[i].ID, &status[i], &found[i].Score)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			return err
		})
	}
	if err := tx.SendBatch(ctx, &b).Close(); err != nil {
		return nil, err
	}
	var audits pgx.Batch
	for i, c := range found {
		if c.ID == 0 {
			recs[i] = nil
			continue
		}
		deleted = append(deleted, c.ID)
		if recs[i] != nil {
			e := *recs[i] // filled afresh in each attempt of the transaction
			storage.FillAudit(&e, c, models.Status(status[i]), "")
			recs[i] = &e
			queueAudit(&audits, recs[i])
		}
	}
	if audits.Len() > 0 {
		if err := tx.SendBatch(ctx, &audits).Close(); err != nil {
			return nil, err
		}
	}
	return deleted, nil
}

// scanComment reads the commentColumns of one row.
func scanComment(row pgx.Row) (models.Comment, error) {
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
