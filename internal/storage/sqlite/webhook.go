package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// RecordWebhookEvents turns the outbox on or off: while it is on, every comment
// stored, decided or deleted also writes its webhook events, in the same
// transaction. Call it before the store is used.
func (s *Store) RecordWebhookEvents(on bool) { s.webhooks.Store(on) }

// insertWebhookSQL appends one event to the outbox, due at once.
const insertWebhookSQL = `INSERT INTO webhook_events (type, comment_id, from_status, actor, comment, created_at, next_attempt_at)
	VALUES (?, ?, ?, ?, ?, ?, ?)`

// insertWebhookEvents appends rows to the outbox.
func insertWebhookEvents(ctx context.Context, q queryer, rows ...storage.WebhookRow) error {
	for _, r := range rows {
		if _, err := q.ExecContext(ctx, insertWebhookSQL, r.Type, r.CommentID, r.From, r.Actor, r.Comment, r.At, r.At); err != nil {
			return fmt.Errorf("webhook event: %w", err)
		}
	}
	return nil
}

// createdEvents writes the events of comment c, just stored, when the outbox is on.
func (s *Store) createdEvents(ctx context.Context, q queryer, c models.Comment) error {
	if !s.webhooks.Load() {
		return nil
	}
	rows, err := storage.CreatedEvents(c, time.Now())
	if err != nil {
		return err
	}
	return insertWebhookEvents(ctx, q, rows...)
}

// decidedEvent writes the event of comment c, just moved from status from,
// when the outbox is on. The actor is the audit entry's.
func (s *Store) decidedEvent(ctx context.Context, q queryer, c models.Comment, from models.Status, audit *models.AuditEntry) error {
	if !s.webhooks.Load() {
		return nil
	}
	row, err := storage.DecidedEvent(c, from, storage.ActorOf(audit), time.Now())
	if err != nil {
		return err
	}
	return insertWebhookEvents(ctx, q, row)
}

// deletion reads, when the outbox is on, the status of a comment about to be
// deleted, and returns the function that writes its event once it is gone.
func (s *Store) deletion(ctx context.Context, q queryer, id int64, audit *models.AuditEntry) (func() error, error) {
	if !s.webhooks.Load() {
		return func() error { return nil }, nil
	}
	var from string
	err := q.QueryRowContext(ctx, `SELECT status FROM comments WHERE id = ?`, id).Scan(&from)
	if errors.Is(err, sql.ErrNoRows) {
		return func() error { return nil }, nil
	}
	if err != nil {
		return nil, err
	}
	return func() error {
		return insertWebhookEvents(ctx, q, storage.DeletedEvent(id, models.Status(from), storage.ActorOf(audit), time.Now()))
	}, nil
}

// webhookColumns is the column list scanWebhookEvent reads, in order.
const webhookColumns = `id, type, comment_id, from_status, actor, comment, created_at,
	attempts, next_attempt_at, delivered, last_error, lease, done_at, failed`

// ClaimWebhookEvents leases up to limit events that are due at now (not done,
// next attempt at or before now, no lease or an expired one), oldest first,
// until now+lease, and returns them with their Lease set. The single write
// connection serialises claims, so two claims never share an event.
// Error: *models.ValidationError for a limit below 1 or a lease not above 0.
func (s *Store) ClaimWebhookEvents(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]models.WebhookEvent, error) {
	if limit < 1 || lease <= 0 {
		return nil, fmt.Errorf("sqlite: claim webhook events: %w", storage.Invalid("limit", "invalid"))
	}
	token := leaseToken()
	at := storage.ClampNanos(now)
	var out []models.WebhookEvent
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE webhook_events SET lease = ?, lease_until = ?
			WHERE id IN (SELECT id FROM webhook_events
				WHERE done_at IS NULL AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
				ORDER BY id LIMIT ?)
			RETURNING `+webhookColumns, token, storage.ClampNanos(now.Add(lease)), at, at, limit)
		if err != nil {
			return err
		}
		out = out[:0]
		return eachRow(rows, func(row *sql.Rows) error {
			e, err := scanWebhookEvent(row)
			out = append(out, e)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: claim webhook events: %w", err)
	}
	slices.SortFunc(out, func(a, b models.WebhookEvent) int { return int(a.ID - b.ID) })
	return out, nil
}

// ReleaseWebhookEvent writes the delivery state of an event it holds the lease
// of (e.Lease) and lifts the lease: Attempts, NextAttemptAt, Delivered,
// LastError, DoneAt and Failed. Errors: models.ErrNotFound; models.ErrConflict
// when the lease expired and another claim took the event;
// *models.ValidationError for an empty lease or a bad time.
func (s *Store) ReleaseWebhookEvent(ctx context.Context, e models.WebhookEvent) error {
	st, err := storage.CheckRelease(e)
	if err != nil {
		return fmt.Errorf("sqlite: release webhook event %d: %w", e.ID, err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE webhook_events SET attempts = ?, next_attempt_at = ?, delivered = ?,
			last_error = ?, done_at = ?, failed = ?, lease = NULL, lease_until = NULL WHERE id = ? AND lease = ?`,
			e.Attempts, st.NextAttemptAt, st.Delivered, e.LastError, st.DoneAt, e.Failed, e.ID, e.Lease)
		if err = affectedOne(res, err); !errors.Is(err, models.ErrNotFound) {
			return err
		}
		var found bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM webhook_events WHERE id = ?)`, e.ID).Scan(&found); err != nil {
			return err
		}
		if found {
			return fmt.Errorf("the lease was lost: %w", models.ErrConflict)
		}
		return models.ErrNotFound
	})
	if err != nil {
		return fmt.Errorf("sqlite: release webhook event %d: %w", e.ID, err)
	}
	return nil
}

// DeleteWebhookEvents deletes the events done (delivered or given up) before
// before, and returns how many.
func (s *Store) DeleteWebhookEvents(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM webhook_events WHERE done_at IS NOT NULL AND done_at < ?`, storage.ClampNanos(before))
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete webhook events: %w", err)
	}
	return int(n), nil
}

// PendingWebhookEvents counts the events not done: waiting for their first
// delivery or a retry, leased or not.
func (s *Store) PendingWebhookEvents(ctx context.Context) (int, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_events WHERE done_at IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: pending webhook events: %w", err)
	}
	return n, nil
}

// scanWebhookEvent reads the webhookColumns of one row.
func scanWebhookEvent(row interface{ Scan(...any) error }) (models.WebhookEvent, error) {
	var (
		e              models.WebhookEvent
		from           string
		comment, lease sql.NullString
		created, next  int64
		delivered      string
		done           sql.NullInt64
	)
	err := row.Scan(&e.ID, &e.Type, &e.CommentID, &from, &e.Actor, &comment, &created,
		&e.Attempts, &next, &delivered, &e.LastError, &lease, &done, &e.Failed)
	if err != nil {
		return models.WebhookEvent{}, err
	}
	var body *string
	if comment.Valid {
		body = &comment.String
	}
	if err := storage.DecodeWebhook(&e, body, delivered); err != nil {
		return models.WebhookEvent{}, fmt.Errorf("webhook event %d: %w", e.ID, err)
	}
	e.From, e.Lease = models.Status(from), lease.String
	e.CreatedAt, e.NextAttemptAt = storage.FromNanos(created), storage.FromNanos(next)
	if done.Valid {
		at := storage.FromNanos(done.Int64)
		e.DoneAt = &at
	}
	return e, nil
}

// leaseToken names one claim.
func leaseToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}
