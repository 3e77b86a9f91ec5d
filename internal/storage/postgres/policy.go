package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// GetSettings returns the settings saved last, or models.ErrNotFound when
// they were never saved. A field added to models.Settings since reads as its
// zero value.
func (s *Store) GetSettings(ctx context.Context) (models.Settings, error) {
	var data string
	if err := s.pool.QueryRow(ctx, `SELECT data FROM settings WHERE id = 1`).Scan(&data); err != nil {
		return models.Settings{}, fmt.Errorf("postgres: get settings: %w", notFound(err))
	}
	var set models.Settings
	if err := json.Unmarshal([]byte(data), &set); err != nil {
		return models.Settings{}, fmt.Errorf("postgres: get settings: %w", err)
	}
	return set, nil
}

// SaveSettings replaces the settings with set. audit, when set, is recorded
// in the same transaction and becomes the entry as recorded. Error:
// *models.ValidationError for a non-finite threshold or a bad audit entry;
// the ranges of the values are the caller's to check.
func (s *Store) SaveSettings(ctx context.Context, set models.Settings, audit *models.AuditEntry) error {
	now := time.Now()
	var v models.ValidationError
	storage.CheckSettings(&v, set)
	rec := storage.AuditOf(&v, "audit.", audit, now)
	if err := v.Err(); err != nil {
		return fmt.Errorf("postgres: save settings: %w", err)
	}
	err := s.writeAudited(ctx, rec, func(tx pgx.Tx) error { return saveSettings(ctx, tx, set, now) })
	if err != nil {
		return fmt.Errorf("postgres: save settings: %w", err)
	}
	storage.Publish(audit, rec)
	return nil
}

func saveSettings(ctx context.Context, q querier, set models.Settings, at time.Time) error {
	data, err := json.Marshal(set)
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, `INSERT INTO settings (id, data, updated_at) VALUES (1, $1, $2)
		ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
		string(data), storage.ClampNanos(at))
	return err
}

// ListWords returns both word lists, by kind, then by word ignoring case.
func (s *Store) ListWords(ctx context.Context) ([]models.Word, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, kind, word, created_by, created_at FROM words ORDER BY kind, word_norm, id`)
	out, err := collect(rows, err, scanWord)
	if err != nil {
		return nil, fmt.Errorf("postgres: list words: %w", err)
	}
	return out, nil
}

// scanWord reads a word's id, kind, word, created_by and created_at.
func scanWord(row pgx.Row) (models.Word, error) {
	var (
		w       models.Word
		kind    string
		created int64
	)
	err := row.Scan(&w.ID, &kind, &w.Word, &w.CreatedBy, &created)
	w.Kind, w.CreatedAt = models.WordKind(kind), storage.FromNanos(created)
	return w, err
}

// AddWord stores w and sets w.ID; a zero CreatedAt becomes now, and CreatedAt
// is then the stored value (UTC). audit, when set, is recorded in the same
// transaction and becomes the entry as recorded. Errors: models.ErrConflict
// when the list of w.Kind holds the word already, ignoring case;
// *models.ValidationError for an unknown kind, an empty word or a bad audit entry.
func (s *Store) AddWord(ctx context.Context, w *models.Word, audit *models.AuditEntry) error {
	now := time.Now()
	var v models.ValidationError
	storage.CheckWord(&v, w)
	created := storage.CreationTime(&v, w.CreatedAt, now)
	rec := storage.AuditOf(&v, "audit.", audit, now)
	if err := v.Err(); err != nil {
		return fmt.Errorf("postgres: add word: %w", err)
	}
	var id int64
	err := s.writeAudited(ctx, rec, func(tx pgx.Tx) error {
		return insertRow(ctx, tx, &id, fmt.Errorf("%q is %s already: %w", w.Word, w.Kind, models.ErrConflict),
			`INSERT INTO words (kind, word, word_norm, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			string(w.Kind), w.Word, storage.NormName(w.Word), w.CreatedBy, created)
	})
	if err != nil {
		return fmt.Errorf("postgres: add word: %w", err)
	}
	w.ID, w.CreatedAt = id, storage.FromNanos(created)
	storage.Publish(audit, rec)
	return nil
}

// DeleteWord deletes the word with id. audit, when set, is recorded in the
// same transaction and becomes the entry as recorded. Errors:
// models.ErrNotFound; *models.ValidationError for a bad audit entry.
func (s *Store) DeleteWord(ctx context.Context, id int64, audit *models.AuditEntry) error {
	if err := s.deleteByID(ctx, `DELETE FROM words WHERE id = $1`, id, audit); err != nil {
		return fmt.Errorf("postgres: delete word %d: %w", id, err)
	}
	return nil
}

// ListBans returns every ban, newest first by (CreatedAt, ID), expired ones
// included: the caller skips those.
func (s *Store) ListBans(ctx context.Context) ([]models.Ban, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+banColumns+` FROM bans ORDER BY created_at DESC, id DESC`)
	out, err := collect(rows, err, scanBan)
	if err != nil {
		return nil, fmt.Errorf("postgres: list bans: %w", err)
	}
	return out, nil
}

const banColumns = `id, kind, value, reason, expires_at, created_by, created_at`

func scanBan(row pgx.Row) (models.Ban, error) {
	var (
		b       models.Ban
		kind    string
		expires *int64
		created int64
	)
	if err := row.Scan(&b.ID, &kind, &b.Value, &b.Reason, &expires, &b.CreatedBy, &created); err != nil {
		return models.Ban{}, err
	}
	b.Kind, b.CreatedAt = models.BanKind(kind), storage.FromNanos(created)
	if expires != nil {
		at := storage.FromNanos(*expires)
		b.ExpiresAt = &at
	}
	return b, nil
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
		return fmt.Errorf("postgres: add ban: %w", err)
	}
	var id int64
	err := s.writeAudited(ctx, rec, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO bans (kind, value, reason, expires_at, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, string(b.Kind), b.Value, b.Reason, expires, b.CreatedBy, created).Scan(&id)
	})
	if err != nil {
		return fmt.Errorf("postgres: add ban: %w", err)
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
	if err := s.deleteByID(ctx, `DELETE FROM bans WHERE id = $1`, id, audit); err != nil {
		return fmt.Errorf("postgres: delete ban %d: %w", id, err)
	}
	return nil
}

// deleteByID runs query, a DELETE by id, and records audit in the same
// transaction; models.ErrNotFound when it deleted nothing.
func (s *Store) deleteByID(ctx context.Context, query string, id int64, audit *models.AuditEntry) error {
	var v models.ValidationError
	rec := storage.AuditOf(&v, "audit.", audit, time.Now())
	if err := v.Err(); err != nil {
		return err
	}
	err := s.writeAudited(ctx, rec, func(tx pgx.Tx) error { return affectedOne(tx.Exec(ctx, query, id)) })
	if err != nil {
		return err
	}
	storage.Publish(audit, rec)
	return nil
}
