package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// sessionByIDSQL takes the session id and returns the session and its moderator.
const sessionByIDSQL = `SELECT s.id, s.moderator_id, s.csrf_token, s.created_at, s.last_seen_at,
	m.id, m.name, m.role, m.password_hash, m.created_at
	FROM sessions s JOIN moderators m ON m.id = s.moderator_id WHERE s.id = ?`

// CreateSession stores sess. A zero CreatedAt becomes now and a zero
// LastSeenAt becomes CreatedAt. Errors: models.ErrNotFound for an unknown
// moderator; models.ErrConflict when a session has the same ID;
// *models.ValidationError for an empty ID or a time outside 1678..2262.
func (s *Store) CreateSession(ctx context.Context, sess models.Session) error {
	created, seen, err := storage.SessionTimes(sess, time.Now())
	if err != nil {
		return fmt.Errorf("sqlite: create session: %w", err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := moderatorExists(ctx, tx, sess.ModeratorID); err != nil {
			return err
		}
		_, err := insertRow(ctx, tx, fmt.Errorf("a session has this id: %w", models.ErrConflict),
			`INSERT INTO sessions (id, moderator_id, csrf_token, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)`,
			sess.ID, sess.ModeratorID, sess.CSRFToken, created, seen)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: create session: %w", err)
	}
	return nil
}

// SessionByID returns the session with id and its moderator, or models.ErrNotFound.
// It does not check expiry.
func (s *Store) SessionByID(ctx context.Context, id []byte) (models.Session, models.Moderator, error) {
	var (
		sess          models.Session
		created, seen int64
		m             moderatorRow
	)
	err := s.stmts.sessionByID.QueryRowContext(ctx, id).
		Scan(append([]any{&sess.ID, &sess.ModeratorID, &sess.CSRFToken, &created, &seen}, m.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		err = models.ErrNotFound
	}
	if err != nil {
		return models.Session{}, models.Moderator{}, fmt.Errorf("sqlite: session by id: %w", err)
	}
	sess.CreatedAt, sess.LastSeenAt = storage.FromNanos(created), storage.FromNanos(seen)
	return sess, m.moderator(), nil
}

// TouchSession records that the session with id was used at at (now when
// zero). LastSeenAt never moves back, so requests finishing out of order do
// no harm. Error: models.ErrNotFound.
func (s *Store) TouchSession(ctx context.Context, id []byte, at time.Time) error {
	if at.IsZero() {
		at = time.Now()
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = MAX(last_seen_at, ?) WHERE id = ?`,
			storage.ClampNanos(at), id)
		return affectedOne(res, err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: touch session: %w", err)
	}
	return nil
}

// DeleteSession deletes the session with id: a logout. Error: models.ErrNotFound.
func (s *Store) DeleteSession(ctx context.Context, id []byte) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id)
		return affectedOne(res, err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions deletes the sessions created before createdBefore or
// last seen before seenBefore, and returns how many it deleted. A zero time
// leaves its bound out.
func (s *Store) DeleteExpiredSessions(ctx context.Context, createdBefore, seenBefore time.Time) (int, error) {
	created, seen := int64(math.MinInt64), int64(math.MinInt64) // nothing is stored before MinInt64
	if !createdBefore.IsZero() {
		created = storage.ClampNanos(createdBefore)
	}
	if !seenBefore.IsZero() {
		seen = storage.ClampNanos(seenBefore)
	}
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE created_at < ? OR last_seen_at < ?`, created, seen)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete expired sessions: %w", err)
	}
	return int(n), nil
}
