package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// keepSnapshots is how many snapshots SaveSnapshot keeps.
const keepSnapshots = 3

// SaveSnapshot stores snap (its ID is set by the store, a zero CreatedAt
// becomes now) and deletes all but the newest keepSnapshots snapshots.
func (s *Store) SaveSnapshot(ctx context.Context, snap models.ModelSnapshot) error {
	created, data, err := storage.CheckSnapshot(snap, time.Now())
	if err != nil {
		return fmt.Errorf("postgres: save snapshot: %w", err)
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO model_snapshots (last_event_id, starter_version, data, created_at)
			VALUES ($1, $2, $3, $4)`, snap.LastEventID, snap.StarterVersion, data, created)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM model_snapshots WHERE id NOT IN
			(SELECT id FROM model_snapshots ORDER BY id DESC LIMIT $1)`, keepSnapshots)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: save snapshot: %w", err)
	}
	return nil
}

// LatestSnapshot returns the snapshot saved last, or models.ErrNotFound.
func (s *Store) LatestSnapshot(ctx context.Context) (models.ModelSnapshot, error) {
	snap, err := scanSnapshot(s.pool.QueryRow(ctx, `SELECT `+snapshotColumns+` FROM model_snapshots ORDER BY id DESC LIMIT 1`))
	if err != nil {
		return models.ModelSnapshot{}, fmt.Errorf("postgres: latest snapshot: %w", notFound(err))
	}
	return snap, nil
}

const snapshotColumns = `id, last_event_id, starter_version, data, created_at`

// scanSnapshot reads the snapshotColumns of one row.
func scanSnapshot(row pgx.Row) (models.ModelSnapshot, error) {
	var (
		snap    models.ModelSnapshot
		created int64
	)
	if err := row.Scan(&snap.ID, &snap.LastEventID, &snap.StarterVersion, &snap.Data, &created); err != nil {
		return models.ModelSnapshot{}, err
	}
	snap.CreatedAt = storage.FromNanos(created)
	return snap, nil
}
