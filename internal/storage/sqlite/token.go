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

const (
	// tokenColumns is the column list scanToken reads, in order, of api_tokens as t.
	tokenColumns = `t.id, t.moderator_id, t.name, t.hash, t.created_at, t.revoked_at`
	// tokenByHashSQL takes the hash; it finds valid tokens only.
	tokenByHashSQL = `SELECT ` + tokenColumns + `, m.id, m.name, m.role, m.password_hash, m.created_at
		FROM api_tokens t JOIN moderators m ON m.id = t.moderator_id
		WHERE t.hash = ? AND t.revoked_at IS NULL`
)

// CreateAPIToken stores t, valid, and sets t.ID; a zero CreatedAt becomes now,
// and CreatedAt is then the stored value (UTC); t.RevokedAt is ignored. audit,
// when set, is recorded in the same transaction and becomes the entry as
// recorded. Errors: models.ErrNotFound for an unknown moderator;
// models.ErrConflict when a token has the same hash; *models.ValidationError
// for an empty hash or a bad audit entry.
func (s *Store) CreateAPIToken(ctx context.Context, t *models.APIToken, audit *models.AuditEntry) error {
	now := time.Now()
	var v models.ValidationError
	if len(t.Hash) == 0 {
		v.Add("hash", "required")
	}
	created := storage.CreationTime(&v, t.CreatedAt, now)
	rec := storage.AuditOf(&v, "audit.", audit, now)
	if err := v.Err(); err != nil {
		return fmt.Errorf("sqlite: create api token: %w", err)
	}
	var id int64
	err := s.writeAudited(ctx, rec, func(tx *sql.Tx) error {
		if err := moderatorExists(ctx, tx, t.ModeratorID); err != nil {
			return err
		}
		var err error
		id, err = insertRow(ctx, tx, fmt.Errorf("a token with this hash exists: %w", models.ErrConflict),
			`INSERT INTO api_tokens (moderator_id, name, hash, created_at) VALUES (?, ?, ?, ?)`,
			t.ModeratorID, t.Name, t.Hash, created)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: create api token: %w", err)
	}
	t.ID, t.CreatedAt, t.RevokedAt = id, storage.FromNanos(created), nil
	storage.Publish(audit, rec)
	return nil
}

// APITokenByHash returns the valid (unrevoked) token with hash and its
// moderator, or models.ErrNotFound.
func (s *Store) APITokenByHash(ctx context.Context, hash []byte) (models.APIToken, models.Moderator, error) {
	var (
		t tokenRow
		m moderatorRow
	)
	err := s.stmts.tokenByHash.QueryRowContext(ctx, hash).Scan(append(t.dest(), m.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		err = models.ErrNotFound
	}
	if err != nil {
		return models.APIToken{}, models.Moderator{}, fmt.Errorf("sqlite: api token by hash: %w", err)
	}
	return t.token(), m.moderator(), nil
}

// ListAPITokens returns the tokens of the moderator with moderatorID, or every
// token when it is 0, revoked ones included, oldest first.
func (s *Store) ListAPITokens(ctx context.Context, moderatorID int64) ([]models.APIToken, error) {
	query, args := `SELECT `+tokenColumns+` FROM api_tokens t ORDER BY t.id`, []any(nil)
	if moderatorID != 0 {
		query, args = `SELECT `+tokenColumns+` FROM api_tokens t WHERE t.moderator_id = ? ORDER BY t.id`, []any{moderatorID}
	}
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list api tokens: %w", err)
	}
	var out []models.APIToken
	err = eachRow(rows, func(row *sql.Rows) error {
		var t tokenRow
		if err := row.Scan(t.dest()...); err != nil {
			return err
		}
		out = append(out, t.token())
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: list api tokens: %w", err)
	}
	return out, nil
}

// RevokeAPIToken marks the token with id revoked at at (now when zero). audit,
// when set, is recorded in the same transaction and becomes the entry as
// recorded. Errors: models.ErrNotFound; models.ErrConflict when the token is
// revoked already; *models.ValidationError for a bad audit entry.
func (s *Store) RevokeAPIToken(ctx context.Context, id int64, at time.Time, audit *models.AuditEntry) error {
	return s.revoke(ctx, "api_tokens", "api token", id, at, audit)
}

// moderatorExists answers models.ErrNotFound unless a moderator has id.
func moderatorExists(ctx context.Context, q queryer, id int64) error {
	var found bool
	if err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM moderators WHERE id = ?)`, id).Scan(&found); err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("moderator %d: %w", id, models.ErrNotFound)
	}
	return nil
}

// tokenRow receives the tokenColumns of one row.
type tokenRow struct {
	t       models.APIToken
	created int64
	revoked sql.NullInt64
}

func (r *tokenRow) dest() []any {
	return []any{&r.t.ID, &r.t.ModeratorID, &r.t.Name, &r.t.Hash, &r.created, &r.revoked}
}

func (r *tokenRow) token() models.APIToken {
	t := r.t
	t.CreatedAt = storage.FromNanos(r.created)
	if r.revoked.Valid {
		at := storage.FromNanos(r.revoked.Int64)
		t.RevokedAt = &at
	}
	return t
}
