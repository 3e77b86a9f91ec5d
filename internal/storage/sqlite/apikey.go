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

// apiKeyColumns is the column list scanAPIKey reads, in order.
const apiKeyColumns = `id, site, hash, created_by, created_at, revoked_at`

// CreateAPIKey stores k, valid, and sets k.ID; a zero CreatedAt becomes now,
// and CreatedAt is then the stored value (UTC); k.RevokedAt is ignored. audit,
// when set, is recorded in the same transaction and becomes the entry as
// recorded. Errors: models.ErrConflict when a key has the same hash;
// *models.ValidationError for an empty hash or site or a bad audit entry.
func (s *Store) CreateAPIKey(ctx context.Context, k *models.APIKey, audit *models.AuditEntry) error {
	now := time.Now()
	created, err := storage.CheckAPIKey(k, now)
	var v models.ValidationError
	rec := storage.AuditOf(&v, "audit.", audit, now)
	if err = errors.Join(err, v.Err()); err != nil {
		return fmt.Errorf("sqlite: create api key: %w", err)
	}
	var id int64
	err = s.writeAudited(ctx, rec, func(tx *sql.Tx) error {
		var err error
		id, err = insertRow(ctx, tx, fmt.Errorf("a key with this hash exists: %w", models.ErrConflict),
			`INSERT INTO api_keys (site, hash, created_by, created_at) VALUES (?, ?, ?, ?)`,
			k.Site, k.Hash, k.CreatedBy, created)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: create api key: %w", err)
	}
	k.ID, k.CreatedAt, k.RevokedAt = id, storage.FromNanos(created), nil
	storage.Publish(audit, rec)
	return nil
}

// APIKeyByHash returns the valid (unrevoked) key with hash, or models.ErrNotFound.
func (s *Store) APIKeyByHash(ctx context.Context, hash []byte) (models.APIKey, error) {
	k, err := scanAPIKey(s.read.QueryRowContext(ctx,
		`SELECT `+apiKeyColumns+` FROM api_keys WHERE hash = ? AND revoked_at IS NULL`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		err = models.ErrNotFound
	}
	if err != nil {
		return models.APIKey{}, fmt.Errorf("sqlite: api key by hash: %w", err)
	}
	return k, nil
}

// ListAPIKeys returns every key, revoked ones included, oldest first.
func (s *Store) ListAPIKeys(ctx context.Context) ([]models.APIKey, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list api keys: %w", err)
	}
	out := []models.APIKey{}
	err = eachRow(rows, func(row *sql.Rows) error {
		k, err := scanAPIKey(row)
		out = append(out, k)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: list api keys: %w", err)
	}
	return out, nil
}

// RevokeAPIKey marks the key with id revoked at at (now when zero). audit,
// when set, is recorded in the same transaction and becomes the entry as
// recorded. Errors: models.ErrNotFound; models.ErrConflict when the key is
// revoked already; *models.ValidationError for a bad audit entry.
func (s *Store) RevokeAPIKey(ctx context.Context, id int64, at time.Time, audit *models.AuditEntry) error {
	return s.revoke(ctx, "api_keys", "api key", id, at, audit)
}

// revoke sets revoked_at of the row with id of table (api_tokens or api_keys),
// as RevokeAPIToken and RevokeAPIKey describe; what names the row in errors.
func (s *Store) revoke(ctx context.Context, table, what string, id int64, at time.Time, audit *models.AuditEntry) error {
	if at.IsZero() {
		at = time.Now()
	}
	var v models.ValidationError
	revokedAt, ok := storage.ToNanos(at)
	if !ok {
		v.Add("at", "out_of_range")
	}
	rec := storage.AuditOf(&v, "audit.", audit, at)
	if err := v.Err(); err != nil {
		return fmt.Errorf("sqlite: revoke %s %d: %w", what, id, err)
	}
	err := s.writeAudited(ctx, rec, func(tx *sql.Tx) error {
		var revoked sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT revoked_at FROM `+table+` WHERE id = ?`, id).Scan(&revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return models.ErrNotFound
		}
		if err != nil {
			return err
		}
		if revoked.Valid {
			return fmt.Errorf("revoked already at %s: %w", storage.FromNanos(revoked.Int64).Format(time.RFC3339), models.ErrConflict)
		}
		_, err = tx.ExecContext(ctx, `UPDATE `+table+` SET revoked_at = ? WHERE id = ?`, revokedAt, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: revoke %s %d: %w", what, id, err)
	}
	storage.Publish(audit, rec)
	return nil
}

// scanAPIKey reads the apiKeyColumns of one row.
func scanAPIKey(row interface{ Scan(...any) error }) (models.APIKey, error) {
	var (
		k       models.APIKey
		created int64
		revoked sql.NullInt64
	)
	if err := row.Scan(&k.ID, &k.Site, &k.Hash, &k.CreatedBy, &created, &revoked); err != nil {
		return models.APIKey{}, err
	}
	k.CreatedAt = storage.FromNanos(created)
	if revoked.Valid {
		at := storage.FromNanos(revoked.Int64)
		k.RevokedAt = &at
	}
	return k, nil
}
