package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

const (
	auditColumns   = `id, at, actor, action, comment_id, from_status, to_status, score, detail`
	insertAuditSQL = `INSERT INTO audit_log (at, actor, action, comment_id, from_status, to_status, score, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`
)

// AppendAudit records e; its ID is set by the store and a zero At becomes now.
// Error: *models.ValidationError for an empty Action, an unknown status, a
// non-finite score, a negative CommentID or a time outside 1678..2262.
func (s *Store) AppendAudit(ctx context.Context, e models.AuditEntry) error {
	var v models.ValidationError
	rec := storage.AuditOf(&v, "", &e, time.Now())
	if err := v.Err(); err != nil {
		return fmt.Errorf("postgres: append audit: %w", err)
	}
	if err := s.writeAudited(ctx, rec, func(pgx.Tx) error { return nil }); err != nil {
		return fmt.Errorf("postgres: append audit: %w", err)
	}
	return nil
}

// ListAudit returns a page of the entries f selects, newest first by (At, ID),
// and the cursor of the next page, "" on the last. f.Action matches exactly, or
// as a prefix when it ends in ".". Errors: *models.ValidationError for a
// malformed cursor (field "cursor") or a limit below 1 (field "limit"); limits
// over MaxPageSize are clamped.
func (s *Store) ListAudit(ctx context.Context, f models.AuditFilter) ([]models.AuditEntry, string, error) {
	limit, err := storage.CheckLimit(f.Limit)
	if err != nil {
		return nil, "", fmt.Errorf("postgres: list audit: %w", err)
	}
	w, err := storage.AuditWhere(storage.Postgres, f)
	if err != nil {
		return nil, "", fmt.Errorf("postgres: list audit: %w", err)
	}
	query := `SELECT ` + auditColumns + ` FROM audit_log` + w.SQL() + ` ORDER BY ` + storage.AuditOrderBy + w.Limit(limit+1)
	rows, err := s.pool.Query(ctx, query, w.Args...)
	out, err := collect(rows, err, scanAudit)
	if err != nil {
		return nil, "", fmt.Errorf("postgres: list audit: %w", mapErr(err))
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = storage.AuditNext(out[limit-1])
	}
	return out, next, nil
}

// writeAudited runs fn and records rec, when not nil, in one transaction.
func (s *Store) writeAudited(ctx context.Context, rec *models.AuditEntry, fn func(tx pgx.Tx) error) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if rec == nil {
			return nil
		}
		var b pgx.Batch
		queueAudit(&b, rec)
		return tx.SendBatch(ctx, &b).Close()
	})
}

// queueAudit queues the insert of rec into a batch; when it runs, rec gets its
// ID and At comes back in UTC.
func queueAudit(b *pgx.Batch, rec *models.AuditEntry) {
	at, _ := storage.ToNanos(rec.At)
	b.Queue(insertAuditSQL, at, rec.Actor, rec.Action, rec.CommentID,
		string(rec.FromStatus), string(rec.ToStatus), rec.Score, rec.Detail).QueryRow(func(row pgx.Row) error {
		if err := row.Scan(&rec.ID); err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		rec.At = storage.FromNanos(at)
		return nil
	})
}

// scanAudit reads the auditColumns of one row.
func scanAudit(row pgx.Row) (models.AuditEntry, error) {
	var (
		e        models.AuditEntry
		at       int64
		from, to string
	)
	if err := row.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.CommentID, &from, &to, &e.Score, &e.Detail); err != nil {
		return models.AuditEntry{}, err
	}
	e.At, e.FromStatus, e.ToStatus = storage.FromNanos(at), models.Status(from), models.Status(to)
	return e, nil
}
