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

// keepSnapshots is how many snapshots SaveSnapshot keeps.
const keepSnapshots = 3

// SaveSnapshot stores s (its ID is set by the store, a zero CreatedAt becomes
// now) and deletes all but the newest keepSnapshots snapshots.
func (s *Store) SaveSnapshot(ctx context.Context, snap models.ModelSnapshot) error {
	created, data, err := storage.CheckSnapshot(snap, time.Now())
	if err != nil {
		return fmt.Errorf("sqlite: save snapshot: %w", err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO model_snapshots (last_event_id, starter_version, data, created_at)
			VALUES (?, ?, ?, ?)`, snap.LastEventID, snap.StarterVersion, data, created)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM model_snapshots WHERE id NOT IN
			(SELECT id FROM model_snapshots ORDER BY id DESC LIMIT ?)`, keepSnapshots)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: save snapshot: %w", err)
	}
	return nil
}

// LatestSnapshot returns the snapshot saved last, or models.ErrNotFound.
func (s *Store) LatestSnapshot(ctx context.Context) (models.ModelSnapshot, error) {
	var (
		snap    models.ModelSnapshot
		created int64
	)
	err := s.read.QueryRowContext(ctx, `SELECT id, last_event_id, starter_version, data, created_at
		FROM model_snapshots ORDER BY id DESC LIMIT 1`).
		Scan(&snap.ID, &snap.LastEventID, &snap.StarterVersion, &snap.Data, &created)
	if errors.Is(err, sql.ErrNoRows) {
		err = models.ErrNotFound
	}
	if err != nil {
		return models.ModelSnapshot{}, fmt.Errorf("sqlite: latest snapshot: %w", err)
	}
	snap.CreatedAt = storage.FromNanos(created)
	return snap, nil
}
