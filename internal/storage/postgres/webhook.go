package postgres

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// RecordWebhookEvents turns the outbox on or off: while it is on, every comment
// stored, decided or deleted also writes its webhook events, in the same
// transaction. Call it before the store is used.
func (s *Store) RecordWebhookEvents(on bool) { s.webhooks.Store(on) }

// insertWebhookSQL appends one event to the outbox, due at once.
const insertWebhookSQL = `INSERT INTO webhook_events (type, comment_id, from_status, actor, comment, created_at, next_attempt_at)
	VALUES ($1, $2, $3, $4, $5, $6, $6)`

// sendWebhookEvents appends rows to the outbox in one round trip.
func sendWebhookEvents(ctx context.Context, tx pgx.Tx, rows []storage.WebhookRow) error {
	if len(rows) == 0 {
		return nil
	}
	var b pgx.Batch
	for _, r := range rows {
		b.Queue(insertWebhookSQL, r.Type, r.CommentID, r.From, r.Actor, r.Comment, r.At)
	}
	if err := tx.SendBatch(ctx, &b).Close(); err != nil {
		return fmt.Errorf("webhook events: %w", err)
	}
	return nil
}

// createdEvents writes the events of comment c, just stored.
func createdEvents(ctx context.Context, tx pgx.Tx, c models.Comment) error {
	rows, err := storage.CreatedEvents(c, time.Now())
	if err != nil {
		return err
	}
	return sendWebhookEvents(ctx, tx, rows)
}

// decidedEvents writes, when the outbox is on, the events of the decisions
// that applied; the actor is each decision's audit entry's.
func (s *Store) decidedEvents(ctx context.Context, tx pgx.Tx, ds []storage.Decision, rs []decided) error {
	if !s.webhooks.Load() {
		return nil
	}
	now := time.Now()
	var rows []storage.WebhookRow
	for i, r := range rs {
		if !r.applied {
			continue
		}
		row, err := storage.DecidedEvent(r.comment, ds[i].From, storage.ActorOf(ds[i].Audit), now)
		if err != nil {
			return err
		}
		rows = append(rows, row)
	}
	return sendWebhookEvents(ctx, tx, rows)
}

// deletions reads, when the outbox is on, the statuses of comments about to be
// deleted (locking their rows), and returns the function that writes the
// events of those deleted; recs[i] is the audit entry of ids[i], or nil.
func (s *Store) deletions(ctx context.Context, tx pgx.Tx, ids []int64, recs []*models.AuditEntry) (func(deleted []int64) error, error) {
	if !s.webhooks.Load() {
		return func([]int64) error { return nil }, nil
	}
	from := make(map[int64]string, len(ids))
	rows, err := tx.Query(ctx, `SELECT id, status FROM comments WHERE id = ANY($1) FOR UPDATE`, ids)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var (
			id     int64
			status string
		)
		if err := rows.Scan(&id, &status); err != nil {
			rows.Close()
			return nil, err
		}
		from[id] = status
	}
	if rows.Close(); rows.Err() != nil {
		return nil, rows.Err()
	}
	actors := make(map[int64]string, len(ids))
	for i, id := range ids {
		actors[id] = storage.ActorOf(recs[i])
	}
	return func(deleted []int64) error {
		now := time.Now()
		out := make([]storage.WebhookRow, 0, len(deleted))
		for _, id := range deleted {
			out = append(out, storage.DeletedEvent(id, models.Status(from[id]), actors[id], now))
		}
		return sendWebhookEvents(ctx, tx, out)
	}, nil
}

// webhookColumns is the column list scanWebhookEvent reads, in order.
const webhookColumns = `id, type, comment_id, from_status, actor, comment, created_at,
	attempts, next_attempt_at, delivered, last_error, lease, done_at, failed`

// ClaimWebhookEvents leases up to limit events that are due at now (not done,
// next attempt at or before now, no lease or an expired one), oldest first,
// until now+lease, and returns them with their Lease set. Rows another
// instance is claiming at the same moment are skipped (FOR UPDATE SKIP
// LOCKED), so two claims never share an event. Error: *models.ValidationError
// for a limit below 1 or a lease not above 0.
func (s *Store) ClaimWebhookEvents(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]models.WebhookEvent, error) {
	if limit < 1 || lease <= 0 {
		return nil, fmt.Errorf("postgres: claim webhook events: %w", storage.Invalid("limit", "invalid"))
	}
	at := storage.ClampNanos(now)
	rows, err := s.pool.Query(ctx, `UPDATE webhook_events SET lease = $1, lease_until = $2
		WHERE id IN (SELECT id FROM webhook_events
			WHERE done_at IS NULL AND next_attempt_at <= $3 AND (lease_until IS NULL OR lease_until <= $3)
			ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED)
		RETURNING `+webhookColumns, leaseToken(), storage.ClampNanos(now.Add(lease)), at, limit)
	out, err := collect(rows, err, scanWebhookEvent)
	if err != nil {
		return nil, fmt.Errorf("postgres: claim webhook events: %w", err)
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
		return fmt.Errorf("postgres: release webhook event %d: %w", e.ID, err)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE webhook_events SET attempts = $1, next_attempt_at = $2, delivered = $3,
		last_error = $4, done_at = $5, failed = $6, lease = NULL, lease_until = NULL WHERE id = $7 AND lease = $8`,
		e.Attempts, st.NextAttemptAt, st.Delivered, e.LastError, st.DoneAt, e.Failed, e.ID, e.Lease)
	if err == nil && tag.RowsAffected() == 0 {
		var found bool
		if err = s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM webhook_events WHERE id = $1)`, e.ID).Scan(&found); err == nil {
			err = models.ErrNotFound
			if found {
				err = fmt.Errorf("the lease was lost: %w", models.ErrConflict)
			}
		}
	}
	if err != nil {
		return fmt.Errorf("postgres: release webhook event %d: %w", e.ID, mapErr(err))
	}
	return nil
}

// DeleteWebhookEvents deletes the events done (delivered or given up) before
// before, and returns how many.
func (s *Store) DeleteWebhookEvents(ctx context.Context, before time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM webhook_events WHERE done_at IS NOT NULL AND done_at < $1`, storage.ClampNanos(before))
	if err != nil {
		return 0, fmt.Errorf("postgres: delete webhook events: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// PendingWebhookEvents counts the events not done: waiting for their first
// delivery or a retry, leased or not.
func (s *Store) PendingWebhookEvents(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT COUNT(*) FROM webhook_events WHERE done_at IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: pending webhook events: %w", err)
	}
	return n, nil
}

// scanWebhookEvent reads the webhookColumns of one row.
func scanWebhookEvent(row pgx.Row) (models.WebhookEvent, error) {
	var (
		e              models.WebhookEvent
		from           string
		comment, lease *string
		created, next  int64
		delivered      string
		done           *int64
	)
	err := row.Scan(&e.ID, &e.Type, &e.CommentID, &from, &e.Actor, &comment, &created,
		&e.Attempts, &next, &delivered, &e.LastError, &lease, &done, &e.Failed)
	if err != nil {
		return models.WebhookEvent{}, err
	}
	if err := storage.DecodeWebhook(&e, comment, delivered); err != nil {
		return models.WebhookEvent{}, fmt.Errorf("webhook event %d: %w", e.ID, err)
	}
	e.From = models.Status(from)
	if lease != nil {
		e.Lease = *lease
	}
	e.CreatedAt, e.NextAttemptAt = storage.FromNanos(created), storage.FromNanos(next)
	if done != nil {
		at := storage.FromNanos(*done)
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
