package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// GetSettings returns the settings saved last, or models.ErrNotFound when
// they were never saved. A field added to models.Settings since reads as its
// zero value.
func (s *Store) GetSettings(ctx context.Context) (models.Settings, error) {
	var data string
	err := s.read.QueryRowContext(ctx, `SELECT data FROM settings WHERE id = 1`).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		err = models.ErrNotFound
	}
	if err != nil {
		return models.Settings{}, fmt.Errorf("sqlite: get settings: %w", err)
	}
	var set models.Settings
	if err := json.Unmarshal([]byte(data), &set); err != nil {
		return models.Settings{}, fmt.Errorf("sqlite: get settings: %w", err)
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
		return fmt.Errorf("sqlite: save settings: %w", err)
	}
	data, err := json.Marshal(set)
	if err != nil {
		return fmt.Errorf("sqlite: save settings: %w", err)
	}
	err = s.writeAudited(ctx, rec, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (id, data, updated_at) VALUES (1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
			string(data), storage.ClampNanos(now))
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: save settings: %w", err)
	}
	storage.Publish(audit, rec)
	return nil
}
