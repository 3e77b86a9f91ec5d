package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/commentd/commentd/internal/storage"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrate applies every migration not yet recorded in schema_migrations, each
// in its own transaction together with its record. It refuses a database that
// a newer commentd has migrated further than this binary knows.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := storage.Migrations(migrationFS)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT    NOT NULL,
			applied_at INTEGER NOT NULL
		) STRICT`)
		return err
	})
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var newest int
	if err := s.write.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&newest); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if err := storage.CheckSchema(newest, ms); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, m := range ms {
		if err := s.inTx(ctx, func(tx *sql.Tx) error { return apply(ctx, tx, m) }); err != nil {
			return fmt.Errorf("migrate %s: %w", m.Name, err)
		}
	}
	return nil
}

// goStep returns the part of a migration that SQL cannot express, or nil. It
// runs in the migration's transaction, right after the migration's SQL.
func goStep(version int) func(ctx context.Context, tx *sql.Tx) error {
	switch version {
	case 2:
		return fillIPKeys
	}
	return nil
}

// fillIPKeys sets comments.ip_key (added by migration 2) of the rows stored
// before it, 10,000 at a time so that memory stays flat.
func fillIPKeys(ctx context.Context, tx *sql.Tx) error { return fillIPKeysBy(ctx, tx, 10_000) }

func fillIPKeysBy(ctx context.Context, tx *sql.Tx, batch int) error {
	update, err := tx.PrepareContext(ctx, `UPDATE comments SET ip_key = ? WHERE id = ?`)
	if err != nil {
		return err
	}
	defer update.Close()
	type row struct {
		id  int64
		key []byte
	}
	for after := int64(0); ; {
		rows, err := tx.QueryContext(ctx, `SELECT id, ip FROM comments WHERE id > ? ORDER BY id LIMIT ?`, after, batch)
		if err != nil {
			return err
		}
		var todo []row
		n := 0
		for rows.Next() {
			var (
				id int64
				ip string
			)
			if err := rows.Scan(&id, &ip); err != nil {
				rows.Close()
				return err
			}
			n, after = n+1, id
			if key := storage.IPKey(ip); key != nil {
				todo = append(todo, row{id, key})
			}
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		for _, r := range todo {
			if _, err := update.ExecContext(ctx, r.key, r.id); err != nil {
				return err
			}
		}
		if n < batch {
			return nil
		}
	}
}

// apply runs m unless it is recorded already; the check sits inside the write
// transaction, so two processes starting together cannot both apply it.
func apply(ctx context.Context, tx *sql.Tx, m storage.Migration) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return err
	}
	if step := goStep(m.Version); step != nil {
		if err := step(ctx, tx); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.Version, m.Name, time.Now().UnixNano())
	return err
}
