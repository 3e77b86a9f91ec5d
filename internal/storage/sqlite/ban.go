package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// ListBans returns every ban, newest first by (CreatedAt, ID), expired ones
// included: the caller skips those.
func (s *Store) ListBans(ctx context.Context) ([]models.Ban, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, kind, value, reason, expires_at, created_by, created_at
		FROM bans ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list bans: %w", err)
	}
	var out []models.Ban
	err = eachRow(rows, func(row *sql.Rows) error {
		var (
			b       models.Ban
			kind    string
			expires sql.NullInt64
			created int64
		)
		if err := row.Scan(&b.ID, &kind, &b.Value, &b.Reason, &expires, &b.CreatedBy, &created); err != nil {
			return err
		}
		b.Kind, b.CreatedAt = models.BanKind(kind), storage.FromNanos(created)
		if expires.Valid {
			at := storage.FromNanos(expires.Int64)
			b.ExpiresAt = &at
		}
		out = append(out, b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: list bans: %w", err)
	}
	return out, nil
}

// AddBan stores b and sets b.ID; a zero CreatedAt becomes now, and CreatedAt
// and ExpiresAt are then the stored values (UTC). audit, when set, is recorded
// in the same transaction and becomes the entry as recorded. Error:
// *models.ValidationError for an unknown kind, an empty value, an IP ban that
// is neither an address nor a CIDR range, a time outside 1678..2262 or a bad
// audit entry.
func (s *Store) AddBan(ctx context.Context, b *models.Ban, audit *models.AuditEntry) error {
	now := time.Now()
	var v models.ValidationError
	expires := storage.CheckBan(&v, b)
	created := storage.CreationTime(&v, b.CreatedAt, now)
	rec := storage.AuditOf(&v, "audit.", audit, now)
	if err := v.Err(); err != nil {
		return fmt.Errorf("sqlite: add ban: %w", err)
	}
	var id int64
	err := s.writeAudited(ctx, rec, func(tx *sql.Tx) (err error) {
		id, err = insertRow(ctx, tx, nil, `INSERT INTO bans (kind, value, reason, expires_at, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, string(b.Kind), b.Value, b.Reason, expires, b.CreatedBy, created)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: add ban: %w", err)
	}
	b.ID, b.CreatedAt = id, storage.FromNanos(created)
	if expires != nil {
		at := storage.FromNanos(*expires)
		b.ExpiresAt = &at
	}
	storage.Publish(audit, rec)
	return nil
}

// DeleteBan deletes the ban with id. audit, when set, is recorded in the same
// transaction and becomes the entry as recorded. Errors: models.ErrNotFound;
// *models.ValidationError for a bad audit entry.
func (s *Store) DeleteBan(ctx context.Context, id int64, audit *models.AuditEntry) error {
	if err := s.deleteByID(ctx, `DELETE FROM bans WHERE id = ?`, id, audit); err != nil {
		return fmt.Errorf("sqlite: delete ban %d: %w", id, err)
	}
	return nil
}
