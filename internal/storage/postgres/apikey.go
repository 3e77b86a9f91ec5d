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
		return fmt.Errorf("postgres: create api key: %w", err)
	}
	var id int64
	err = s.writeAudited(ctx, rec, func(tx pgx.Tx) error {
		return insertRow(ctx, tx, &id, fmt.Errorf("a key with this hash exists: %w", models.ErrConflict),
			`INSERT INTO api_keys (site, hash, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			k.Site, k.Hash, k.CreatedBy, created)
	})
	if err != nil {
		return fmt.Errorf("postgres: create api key: %w", err)
	}
	k.ID, k.CreatedAt, k.RevokedAt = id, storage.FromNanos(created), nil
	storage.Publish(audit, rec)
	return nil
}

// APIKeyByHash returns the valid (unrevoked) key with hash, or models.ErrNotFound.
func (s *Store) APIKeyByHash(ctx context.Context, hash []byte) (models.APIKey, error) {
	k, err := scanAPIKey(s.pool.QueryRow(ctx,
		`SELECT `+apiKeyColumns+` FROM api_keys WHERE hash = $1 AND revoked_at IS NULL`, hash))
	if err != nil {
		return models.APIKey{}, fmt.Errorf("postgres: api key by hash: %w", notFound(err))
	}
	return k, nil
}

// ListAPIKeys returns every key, revoked ones included, oldest first.
func (s *Store) ListAPIKeys(ctx context.Context) ([]models.APIKey, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+apiKeyColumns+` FROM api_keys ORDER BY id`)
	out, err := collect(rows, err, scanAPIKey)
	if err != nil {
		return nil, fmt.Errorf("postgres: list api keys: %w", err)
	}
	if out == nil {
		out = []models.APIKey{}
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
		return fmt.Errorf("postgres: revoke %s %d: %w", what, id, err)
	}
	err := s.writeAudited(ctx, rec, func(tx pgx.Tx) error {
		var revoked *int64
		err := tx.QueryRow(ctx, `SELECT revoked_at FROM `+table+` WHERE id = $1 FOR UPDATE`, id).Scan(&revoked)
		if err != nil {
			return notFound(err)
		}
		if revoked != nil {
			return fmt.Errorf("revoked already at %s: %w", storage.FromNanos(*revoked).Format(time.RFC3339), models.ErrConflict)
		}
		_, err = tx.Exec(ctx, `UPDATE `+table+` SET revoked_at = $1 WHERE id = $2`, revokedAt, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: revoke %s %d: %w", what, id, err)
	}
	storage.Publish(audit, rec)
	return nil
}

// scanAPIKey reads the apiKeyColumns of one row.
func scanAPIKey(row pgx.Row) (models.APIKey, error) {
	var (
		k       models.APIKey
		created int64
		revoked *int64
	)
	if err := row.Scan(&k.ID, &k.Site, &k.Hash, &k.CreatedBy, &created, &revoked); err != nil {
		return models.APIKey{}, err
	}
	k.CreatedAt = storage.FromNanos(created)
	if revoked != nil {
		at := storage.FromNanos(*revoked)
		k.RevokedAt = &at
	}
	return k, nil
}
