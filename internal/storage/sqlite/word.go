package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// ListWords returns both word lists, by kind, then by word ignoring case.
func (s *Store) ListWords(ctx context.Context) ([]models.Word, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, kind, word, created_by, created_at FROM words
		ORDER BY kind, word_norm, id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list words: %w", err)
	}
	var out []models.Word
	err = eachRow(rows, func(row *sql.Rows) error {
		var (
			w       models.Word
			kind    string
			created int64
		)
		if err := row.Scan(&w.ID, &kind, &w.Word, &w.CreatedBy, &created); err != nil {
			return err
		}
		w.Kind, w.CreatedAt = models.WordKind(kind), storage.FromNanos(created)
		out = append(out, w)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: list words: %w", err)
	}
	return out, nil
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
		return fmt.Errorf("sqlite: add word: %w", err)
	}
	var id int64
	err := s.writeAudited(ctx, rec, func(tx *sql.Tx) (err error) {
		id, err = insertRow(ctx, tx, fmt.Errorf("%q is %s already: %w", w.Word, w.Kind, models.ErrConflict),
			`INSERT INTO words (kind, word, word_norm, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
			string(w.Kind), w.Word, storage.NormName(w.Word), w.CreatedBy, created)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: add word: %w", err)
	}
	w.ID, w.CreatedAt = id, storage.FromNanos(created)
	storage.Publish(audit, rec)
	return nil
}

// DeleteWord deletes the word with id. audit, when set, is recorded in the
// same transaction and becomes the entry as recorded. Errors:
// models.ErrNotFound; *models.ValidationError for a bad audit entry.
func (s *Store) DeleteWord(ctx context.Context, id int64, audit *models.AuditEntry) error {
	if err := s.deleteByID(ctx, `DELETE FROM words WHERE id = ?`, id, audit); err != nil {
		return fmt.Errorf("sqlite: delete word %d: %w", id, err)
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
	err := s.writeAudited(ctx, rec, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, id)
		return affectedOne(res, err)
	})
	if err != nil {
		return err
	}
	storage.Publish(audit, rec)
	return nil
}
