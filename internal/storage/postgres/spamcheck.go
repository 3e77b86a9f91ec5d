package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// spamCheckColumns is the column list scanSpamCheck reads, in order.
const spamCheckColumns = `id, guid, key_id, content_hash, status, score, tokens, trained_as, created_at, updated_at`

// CreateSpamCheck stores c and sets c.ID; a zero CreatedAt becomes now, and
// CreatedAt and UpdatedAt are then the stored value (UTC). Errors:
// models.ErrConflict when a check has the same GUID; *models.ValidationError
// for an empty GUID or content hash, an unknown status or class, or a
// non-finite score.
func (s *Store) CreateSpamCheck(ctx context.Context, c *models.SpamCheck) error {
	row, err := storage.CheckSpamCheck(c, time.Now())
	if err != nil {
		return fmt.Errorf("postgres: create spam check: %w", err)
	}
	var id int64
	err = s.pool.QueryRow(ctx, `INSERT INTO spam_checks (guid, key_id, content_hash, status, score, tokens, trained_as, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
		c.GUID, c.KeyID, c.ContentHash, string(c.Status), c.Score, row.Tokens, string(c.TrainedAs), row.Created).Scan(&id)
	if isUnique(err) {
		err = fmt.Errorf("a check with guid %q exists: %w", c.GUID, models.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("postgres: create spam check: %w", mapErr(err))
	}
	c.ID, c.CreatedAt, c.UpdatedAt = id, storage.FromNanos(row.Created), storage.FromNanos(row.Created)
	return nil
}

// SpamCheckByGUID returns the check with guid, or models.ErrNotFound.
func (s *Store) SpamCheckByGUID(ctx context.Context, guid string) (models.SpamCheck, error) {
	c, err := scanSpamCheck(s.pool.QueryRow(ctx, `SELECT `+spamCheckColumns+` FROM spam_checks WHERE guid = $1`, guid))
	if err != nil {
		return models.SpamCheck{}, fmt.Errorf("postgres: spam check %q: %w", guid, mapErr(notFound(err)))
	}
	return c, nil
}

// LatestSpamCheck returns the newest check of the key with that content hash,
// or models.ErrNotFound.
func (s *Store) LatestSpamCheck(ctx context.Context, keyID int64, contentHash []byte) (models.SpamCheck, error) {
	c, err := scanSpamCheck(s.pool.QueryRow(ctx, `SELECT `+spamCheckColumns+` FROM spam_checks
		WHERE key_id = $1 AND content_hash = $2 ORDER BY id DESC LIMIT 1`, keyID, contentHash))
	if err != nil {
		return models.SpamCheck{}, fmt.Errorf("postgres: latest spam check: %w", notFound(err))
	}
	return c, nil
}

// TrainSpamCheck applies a lesson in one transaction: while the check is
// trained as l.From it becomes l.To, with updated_at l.At (now when zero), and
// l.Events are appended in order, created at l.At. It returns the check as
// updated. Errors: models.ErrNotFound; models.ErrConflict when the check is no
// longer trained as l.From (so of two concurrent reports exactly one teaches,
// also across instances); *models.ValidationError for an unknown class, an
// event of a comment or a bad event.
func (s *Store) TrainSpamCheck(ctx context.Context, l models.Lesson) (models.SpamCheck, error) {
	at, evs, err := storage.CheckLesson(l, time.Now())
	if err != nil {
		return models.SpamCheck{}, fmt.Errorf("postgres: train spam check %d: %w", l.CheckID, err)
	}
	var out models.SpamCheck
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = scanSpamCheck(tx.QueryRow(ctx, `UPDATE spam_checks SET trained_as = $1, updated_at = $2
			WHERE id = $3 AND trained_as = $4 RETURNING `+spamCheckColumns, string(l.To), at, l.CheckID, string(l.From)))
		if errors.Is(err, pgx.ErrNoRows) {
			var trained string
			if err := tx.QueryRow(ctx, `SELECT trained_as FROM spam_checks WHERE id = $1`, l.CheckID).Scan(&trained); err != nil {
				return notFound(err)
			}
			return fmt.Errorf("check is trained as %q, not %q: %w", trained, l.From, models.ErrConflict)
		}
		if err != nil || len(evs) == 0 {
			return err
		}
		events := append([]models.TrainingEvent(nil), evs...)
		ats := make([]int64, len(events))
		for i := range ats {
			ats[i] = at
		}
		var b pgx.Batch
		queueEvents(&b, events, ats)
		return tx.SendBatch(ctx, &b).Close()
	})
	if err != nil {
		return models.SpamCheck{}, fmt.Errorf("postgres: train spam check %d: %w", l.CheckID, err)
	}
	return out, nil
}

// DeleteSpamChecks deletes the checks created before before that no report
// has taught anything, and returns how many.
func (s *Store) DeleteSpamChecks(ctx context.Context, before time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM spam_checks WHERE trained_as = '' AND created_at < $1`, storage.ClampNanos(before))
	if err != nil {
		return 0, fmt.Errorf("postgres: delete spam checks: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// scanSpamCheck reads the spamCheckColumns of one row.
func scanSpamCheck(row pgx.Row) (models.SpamCheck, error) {
	var (
		c                models.SpamCheck
		status, trained  string
		tokens           string
		created, updated int64
	)
	err := row.Scan(&c.ID, &c.GUID, &c.KeyID, &c.ContentHash, &status, &c.Score, &tokens, &trained, &created, &updated)
	if err != nil {
		return models.SpamCheck{}, err
	}
	if c.Tokens, err = storage.DecodeTokens(tokens); err != nil {
		return models.SpamCheck{}, fmt.Errorf("spam check %d: tokens: %w", c.ID, err)
	}
	c.Status, c.TrainedAs = models.Status(status), models.Class(trained)
	c.CreatedAt, c.UpdatedAt = storage.FromNanos(created), storage.FromNanos(updated)
	return c, nil
}
