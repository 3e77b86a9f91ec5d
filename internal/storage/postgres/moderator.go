package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// moderatorColumns is the column list scanModerator reads, in order.
const moderatorColumns = `id, name, role, password_hash, created_at`

// CreateModerator stores m and sets m.ID; a zero CreatedAt becomes now, and
// CreatedAt is then the stored value (UTC). audit, when set, is recorded in the
// same transaction and becomes the entry as recorded. Errors:
// models.ErrConflict when the name is taken, ignoring case;
// *models.ValidationError for an empty name, an unknown role or a bad audit entry.
func (s *Store) CreateModerator(ctx context.Context, m *models.Moderator, audit *models.AuditEntry) error {
	now := time.Now()
	var v models.ValidationError
	storage.CheckModerator(&v, m)
	created := storage.CreationTime(&v, m.CreatedAt, now)
	rec := storage.AuditOf(&v, "audit.", audit, now)
	if err := v.Err(); err != nil {
		return fmt.Errorf("postgres: create moderator: %w", err)
	}
	var id int64
	err := s.writeAudited(ctx, rec, func(tx pgx.Tx) error {
		return insertRow(ctx, tx, &id, fmt.Errorf("name %q is taken: %w", m.Name, models.ErrConflict),
			`INSERT INTO moderators (name, name_norm, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			m.Name, storage.NormName(m.Name), string(m.Role), m.PasswordHash, created)
	})
	if err != nil {
		return fmt.Errorf("postgres: create moderator: %w", err)
	}
	m.ID, m.CreatedAt = id, storage.FromNanos(created)
	storage.Publish(audit, rec)
	return nil
}

// GetModerator returns the moderator with id, or models.ErrNotFound.
func (s *Store) GetModerator(ctx context.Context, id int64) (models.Moderator, error) {
	m, err := scanModerator(s.pool.QueryRow(ctx, `SELECT `+moderatorColumns+` FROM moderators WHERE id = $1`, id))
	if err != nil {
		return models.Moderator{}, fmt.Errorf("postgres: get moderator %d: %w", id, notFound(err))
	}
	return m, nil
}

// GetModeratorByName returns the moderator named name, ignoring case, or models.ErrNotFound.
func (s *Store) GetModeratorByName(ctx context.Context, name string) (models.Moderator, error) {
	m, err := scanModerator(s.pool.QueryRow(ctx, `SELECT `+moderatorColumns+` FROM moderators WHERE name_norm = $1`,
		storage.NormName(name)))
	if err != nil {
		return models.Moderator{}, fmt.Errorf("postgres: get moderator %q: %w", name, notFound(mapErr(err)))
	}
	return m, nil
}

// ListModerators returns every moderator, by name ignoring case.
func (s *Store) ListModerators(ctx context.Context) ([]models.Moderator, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+moderatorColumns+` FROM moderators ORDER BY name_norm, id`)
	out, err := collect(rows, err, scanModerator)
	if err != nil {
		return nil, fmt.Errorf("postgres: list moderators: %w", err)
	}
	return out, nil
}

// UpdateModerator sets the role and password hash of the moderator with m.ID;
// the other fields of m are ignored. audit, when set, is recorded in the same
// transaction and becomes the entry as recorded. Errors: models.ErrNotFound;
// *models.ValidationError for an unknown role or a bad audit entry.
func (s *Store) UpdateModerator(ctx context.Context, m models.Moderator, audit *models.AuditEntry) error {
	var v models.ValidationError
	if !m.Role.Valid() {
		v.Add("role", "invalid")
	}
	rec := storage.AuditOf(&v, "audit.", audit, time.Now())
	if err := v.Err(); err != nil {
		return fmt.Errorf("postgres: update moderator %d: %w", m.ID, err)
	}
	err := s.writeAudited(ctx, rec, func(tx pgx.Tx) error {
		return affectedOne(tx.Exec(ctx, `UPDATE moderators SET role = $1, password_hash = $2 WHERE id = $3`,
			string(m.Role), m.PasswordHash, m.ID))
	})
	if err != nil {
		return fmt.Errorf("postgres: update moderator %d: %w", m.ID, err)
	}
	storage.Publish(audit, rec)
	return nil
}

// DeleteModerator deletes the moderator with id, with its sessions, and revokes
// its API tokens (they stay, for the record), all in one transaction with
// audit, when set, which becomes the entry as recorded. Errors:
// models.ErrNotFound; *models.ValidationError for a bad audit entry.
func (s *Store) DeleteModerator(ctx context.Context, id int64, audit *models.AuditEntry) error {
	now := time.Now()
	var v models.ValidationError
	rec := storage.AuditOf(&v, "audit.", audit, now)
	if err := v.Err(); err != nil {
		return fmt.Errorf("postgres: delete moderator %d: %w", id, err)
	}
	err := s.writeAudited(ctx, rec, func(tx pgx.Tx) error {
		// The foreign key deletes the sessions.
		if err := affectedOne(tx.Exec(ctx, `DELETE FROM moderators WHERE id = $1`, id)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE moderator_id = $2 AND revoked_at IS NULL`,
			storage.ClampNanos(now), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: delete moderator %d: %w", id, err)
	}
	storage.Publish(audit, rec)
	return nil
}

// moderatorExists answers models.ErrNotFound unless a moderator has id. It
// locks the moderator's row, so that it cannot go while tx adds to it.
func moderatorExists(ctx context.Context, tx pgx.Tx, id int64) error {
	var found int64
	err := tx.QueryRow(ctx, `SELECT id FROM moderators WHERE id = $1 FOR KEY SHARE`, id).Scan(&found)
	if err != nil {
		return fmt.Errorf("moderator %d: %w", id, notFound(err))
	}
	return nil
}

// insertRow runs query, an INSERT of one row RETURNING its id, into id. A
// UNIQUE violation answers conflict.
func insertRow(ctx context.Context, tx pgx.Tx, id *int64, conflict error, query string, args ...any) error {
	err := tx.QueryRow(ctx, query, args...).Scan(id)
	if isUnique(err) {
		return conflict
	}
	return err
}

// scanModerator reads the moderatorColumns of one row.
func scanModerator(row pgx.Row) (models.Moderator, error) {
	var m moderatorRow
	if err := row.Scan(m.dest()...); err != nil {
		return models.Moderator{}, err
	}
	return m.moderator(), nil
}

// moderatorRow receives the moderatorColumns of one row.
type moderatorRow struct {
	m       models.Moderator
	role    string
	created int64
}

func (r *moderatorRow) dest() []any {
	return []any{&r.m.ID, &r.m.Name, &r.role, &r.m.PasswordHash, &r.created}
}

func (r *moderatorRow) moderator() models.Moderator {
	m := r.m
	m.Role, m.CreatedAt = models.Role(r.role), storage.FromNanos(r.created)
	return m
}
