package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

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
		return fmt.Errorf("sqlite: create spam check: %w", err)
	}
	var id int64
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = insertRow(ctx, tx, fmt.Errorf("a check with guid %q exists: %w", c.GUID, models.ErrConflict),
			`INSERT INTO spam_checks (guid, key_id, content_hash, status, score, tokens, trained_as, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.GUID, c.KeyID, c.ContentHash, string(c.Status), c.Score, row.Tokens, string(c.TrainedAs), row.Created, row.Created)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: create spam check: %w", err)
	}
	c.ID, c.CreatedAt, c.UpdatedAt = id, storage.FromNanos(row.Created), storage.FromNanos(row.Created)
	return nil
}

// SpamCheckByGUID returns the check with guid, or models.ErrNotFound.
func (s *Store) SpamCheckByGUID(ctx context.Context, guid string) (models.SpamCheck, error) {
	c, err := scanSpamCheck(s.read.QueryRowContext(ctx, `SELECT `+spamCheckColumns+` FROM spam_checks WHERE guid = ?`, guid))
	if errors.Is(err, sql.ErrNoRows) {
		err = models.ErrNotFound
	}
	if err != nil {
		return models.SpamCheck{}, fmt.Errorf("sqlite: spam check %q: %w", guid, err)
	}
	return c, nil
}

// LatestSpamCheck returns the newest check of the key with that content hash,
// or models.ErrNotFound.
func (s *Store) LatestSpamCheck(ctx context.Context, keyID int64, contentHash []byte) (models.SpamCheck, error) {
	c, err := scanSpamCheck(s.read.QueryRowContext(ctx, `SELECT `+spamCheckColumns+` FROM spam_checks
		WHERE key_id = ? AND content_hash = ? ORDER BY id DESC LIMIT 1`, keyID, contentHash))
	if errors.Is(err, sql.ErrNoRows) {
		err = models.ErrNotFound
	}
	if err != nil {
		return models.SpamCheck{}, fmt.Errorf("sqlite: latest spam check: %w", err)
	}
	return c, nil
}

// TrainSpamCheck applies a lesson in one transaction: while the check is
// trained as l.From it becomes l.To, with updated_at l.At (now when zero), and
// l.Events are appended in order, created at l.At. It returns the check as
// updated. Errors: models.ErrNotFound; models.ErrConflict when the check is no
// longer trained as l.From (so of two concurrent reports exactly one teaches);
// *models.ValidationError for an unknown class, an event of a comment or a bad event.
func (s *Store) TrainSpamCheck(ctx context.Context, l models.Lesson) (models.SpamCheck, error) {
	at, evs, err := storage.CheckLesson(l, time.Now())
	if err != nil {
		return models.SpamCheck{}, fmt.Errorf("sqlite: train spam check %d: %w", l.CheckID, err)
	}
	var out models.SpamCheck
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = scanSpamCheck(tx.QueryRowContext(ctx, `UPDATE spam_checks SET trained_as = ?, updated_at = ?
			WHERE id = ? AND trained_as = ? RETURNING `+spamCheckColumns, string(l.To), at, l.CheckID, string(l.From)))
		if errors.Is(err, sql.ErrNoRows) {
			var trained string
			err = tx.QueryRowContext(ctx, `SELECT trained_as FROM spam_checks WHERE id = ?`, l.CheckID).Scan(&trained)
			if errors.Is(err, sql.ErrNoRows) {
				return models.ErrNotFound
			}
			if err == nil {
				err = fmt.Errorf("check is trained as %q, not %q: %w", trained, l.From, models.ErrConflict)
			}
			return err
		}
		if err != nil {
			return err
		}
		_, err = insertEvents(ctx, tx, evs, at)
		return err
	})
	if err != nil {
		return models.SpamCheck{}, fmt.Errorf("sqlite: train spam check %d: %w", l.CheckID, err)
	}
	return out, nil
}

// DeleteSpamChecks deletes the checks created before before that no report
// has taught anything, and returns how many.
func (s *Store) DeleteSpamChecks(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM spam_checks WHERE trained_as = '' AND created_at < ?`, storage.ClampNanos(before))
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete spam checks: %w", err)
	}
	return int(n), nil
}

// scanSpamCheck reads the spamCheckColumns of one row.
func scanSpamCheck(row interface{ Scan(...any) error }) (models.SpamCheck, error) {
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
