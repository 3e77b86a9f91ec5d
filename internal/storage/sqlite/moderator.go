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
		return fmt.Errorf("sqlite: create moderator: %w", err)
	}
	var id int64
	err := s.writeAudited(ctx, rec, func(tx *sql.Tx) (err error) {
		id, err = insertRow(ctx, tx, fmt.Errorf("name %q is taken: %w", m.Name, models.ErrConflict),
			`INSERT INTO moderators (name, name_norm, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
			m.Name, storage.NormName(m.Name), string(m.Role), m.PasswordHash, created)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: create moderator: %w", err)
	}
	m.ID, m.CreatedAt = id, storage.FromNanos(created)
	storage.Publish(audit, rec)
	return nil
}

// GetModerator returns the moderator with id, or models.ErrNotFound.
func (s *Store) GetModerator(ctx context.Context, id int64) (models.Moderator, error) {
	m, err := scanModerator(s.read.QueryRowContext(ctx, `SELECT `+moderatorColumns+` FROM moderators WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = models.ErrNotFound
	}
	if err != nil {
		return models.Moderator{}, fmt.Errorf("sqlite: get moderator %d: %w", id, err)
	}
	return m, nil
}

// GetModeratorByName returns the moderator named name, ignoring case, or models.ErrNotFound.
func (s *Store) GetModeratorByName(ctx context.Context, name string) (models.Moderator, error) {
	m, err := scanModerator(s.read.QueryRowContext(ctx, `SELECT `+moderatorColumns+` FROM moderators WHERE name_norm = ?`,
		storage.NormName(name)))
	if errors.Is(err, sql.ErrNoRows) {
		err = models.ErrNotFound
	}
	if err != nil {
		return models.Moderator{}, fmt.Errorf("sqlite: get moderator %q: %w", name, err)
	}
	return m, nil
}

// ListModerators returns every moderator, by name ignoring case.
func (s *Store) ListModerators(ctx context.Context) ([]models.Moderator, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+moderatorColumns+` FROM moderators ORDER BY name_norm, id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list moderators: %w", err)
	}
	var out []models.Moderator
	err = eachRow(rows, func(row *sql.Rows) error {
		m, err := scanModerator(row)
		if err == nil {
			out = append(out, m)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: list moderators: %w", err)
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
		return fmt.Errorf("sqlite: update moderator %d: %w", m.ID, err)
	}
	err := s.writeAudited(ctx, rec, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE moderators SET role = ?, password_hash = ? WHERE id = ?`,
			string(m.Role), m.PasswordHash, m.ID)
		return affectedOne(res, err)
	})
	if err != nil {
		return fmt.Errorf("sqlite: update moderator %d: %w", m.ID, err)
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
		return fmt.Errorf("sqlite: delete moderator %d: %w", id, err)
	}
	err := s.writeAudited(ctx, rec, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM moderators WHERE id = ?`, id)
		if err := affectedOne(res, err); err != nil {
			return err
		}
		// The foreign key deletes the sessions too; saying so keeps engines alike.
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE moderator_id = ?`, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE moderator_id = ? AND revoked_at IS NULL`,
			storage.ClampNanos(now), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete moderator %d: %w", id, err)
	}
	storage.Publish(audit, rec)
	return nil
}

// scanModerator reads the moderatorColumns of one row.
func scanModerator(row interface{ Scan(...any) error }) (models.Moderator, error) {
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

// normName is storage.NormName, for transfer.go.
func normName(name string) string { return storage.NormName(name) }
