package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

const (
	auditColumns   = `id, at, actor, action, comment_id, from_status, to_status, score, detail`
	insertAuditSQL = `INSERT INTO audit_log (at, actor, action, comment_id, from_status, to_status, score, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
)

// AppendAudit records e; its ID is set by the store and a zero At becomes now.
// Error: *models.ValidationError for an empty Action, an unknown status, a
// non-finite score, a negative CommentID or a time outside 1678..2262.
func (s *Store) AppendAudit(ctx context.Context, e models.AuditEntry) error {
	var v models.ValidationError
	rec := storage.AuditOf(&v, "", &e, time.Now())
	if err := v.Err(); err != nil {
		return fmt.Errorf("sqlite: append audit: %w", err)
	}
	err := s.writeAudited(ctx, rec, func(*sql.Tx) error { return nil })
	if err != nil {
		return fmt.Errorf("sqlite: append audit: %w", err)
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
		return nil, "", fmt.Errorf("sqlite: list audit: %w", err)
	}
	query, args, err := auditPageSQL(f, limit+1)
	if err != nil {
		return nil, "", fmt.Errorf("sqlite: list audit: %w", err)
	}
	rows, err := s.cache.query(ctx, query, args...)
	if err != nil {
		return nil, "", fmt.Errorf("sqlite: list audit: %w", err)
	}
	defer rows.Close()
	out := make([]models.AuditEntry, 0, min(limit, 64))
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, "", fmt.Errorf("sqlite: list audit: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("sqlite: list audit: %w", err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = storage.AuditNext(out[limit-1])
	}
	return out, next, nil
}

// auditPageSQL returns the query of up to rows entries f selects from its
// cursor on, and its arguments.
func auditPageSQL(f models.AuditFilter, rows int) (string, []any, error) {
	w, err := storage.AuditWhere(storage.SQLite, f)
	if err != nil {
		return "", nil, err
	}
	return `SELECT ` + auditColumns + ` FROM audit_log` + w.SQL() + ` ORDER BY ` + storage.AuditOrderBy + w.Limit(rows), w.Args, nil
}

// writeAudited runs fn and records rec, when not nil, in one transaction.
func (s *Store) writeAudited(ctx context.Context, rec *models.AuditEntry, fn func(tx *sql.Tx) error) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return recordAudit(ctx, tx, rec)
	})
}

// recordAudit inserts rec, when not nil, and sets its ID; At comes back in UTC.
func recordAudit(ctx context.Context, q queryer, rec *models.AuditEntry) error {
	if rec == nil {
		return nil
	}
	at, _ := storage.ToNanos(rec.At)
	res, err := q.ExecContext(ctx, insertAuditSQL, at, rec.Actor, rec.Action, rec.CommentID,
		string(rec.FromStatus), string(rec.ToStatus), rec.Score, rec.Detail)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	if rec.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	rec.At = storage.FromNanos(at)
	return nil
}

// scanAudit reads the auditColumns of one row.
func scanAudit(row interface{ Scan(...any) error }) (models.AuditEntry, error) {
	var (
		e        models.AuditEntry
		at       int64
		from, to string
		score    sql.NullFloat64
	)
	if err := row.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.CommentID, &from, &to, &score, &e.Detail); err != nil {
		return models.AuditEntry{}, err
	}
	e.At, e.FromStatus, e.ToStatus = storage.FromNanos(at), models.Status(from), models.Status(to)
	if score.Valid {
		e.Score = &score.Float64
	}
	return e, nil
}
