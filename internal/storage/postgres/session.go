package postgres

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// sessionByIDSQL takes the session id and returns the session and its moderator.
const sessionByIDSQL = `SELECT s.id, s.moderator_id, s.csrf_token, s.created_at, s.last_seen_at,
	m.id, m.name, m.role, m.password_hash, m.created_at
	FROM sessions s JOIN moderators m ON m.id = s.moderator_id WHERE s.id = $1`

// CreateSession stores sess. A zero CreatedAt becomes now and a zero
// LastSeenAt becomes CreatedAt. Errors: models.ErrNotFound for an unknown
// moderator; models.ErrConflict when a session has the same ID;
// *models.ValidationError for an empty ID or a time outside 1678..2262.
func (s *Store) CreateSession(ctx context.Context, sess models.Session) error {
	created, seen, err := storage.SessionTimes(sess, time.Now())
	if err != nil {
		return fmt.Errorf("postgres: create session: %w", err)
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if err := moderatorExists(ctx, tx, sess.ModeratorID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO sessions (id, moderator_id, csrf_token, created_at, last_seen_at)
			VALUES ($1, $2, $3, $4, $5)`, sess.ID, sess.ModeratorID, sess.CSRFToken, created, seen)
		if isUnique(err) {
			return fmt.Errorf("a session has this id: %w", models.ErrConflict)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: create session: %w", err)
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
	err := s.pool.QueryRow(ctx, sessionByIDSQL, id).
		Scan(append([]any{&sess.ID, &sess.ModeratorID, &sess.CSRFToken, &created, &seen}, m.dest()...)...)
	if err != nil {
		return models.Session{}, models.Moderator{}, fmt.Errorf("postgres: session by id: %w", notFound(err))
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
	err := affectedOne(s.pool.Exec(ctx, `UPDATE sessions SET last_seen_at = GREATEST(last_seen_at, $1) WHERE id = $2`,
		storage.ClampNanos(at), id))
	if err != nil {
		return fmt.Errorf("postgres: touch session: %w", err)
	}
	return nil
}

// DeleteSession deletes the session with id: a logout. Error: models.ErrNotFound.
func (s *Store) DeleteSession(ctx context.Context, id []byte) error {
	if err := affectedOne(s.pool.Exec(ctx, `DELETE FROM sessions WHERE id = $1`, id)); err != nil {
		return fmt.Errorf("postgres: delete session: %w", err)
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
	tag, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE created_at < $1 OR last_seen_at < $2`, created, seen)
	if err != nil {
		return 0, fmt.Errorf("postgres: delete expired sessions: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// scanSession reads a session's id, moderator_id, csrf_token, created_at and last_seen_at.
func scanSession(row pgx.Row) (models.Session, error) {
	var (
		sess          models.Session
		created, seen int64
	)
	err := row.Scan(&sess.ID, &sess.ModeratorID, &sess.CSRFToken, &created, &seen)
	sess.CreatedAt, sess.LastSeenAt = storage.FromNanos(created), storage.FromNanos(seen)
	return sess, err
}
