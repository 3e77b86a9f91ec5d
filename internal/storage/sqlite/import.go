package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

const (
	sourceCommentSQL = `SELECT comment_id FROM comment_sources WHERE key = ?`
	insertSourceSQL  = `INSERT INTO comment_sources (key, comment_id, parent_key) VALUES (?, ?, ?)`
	// threadLateSQL threads the replies that were stored before their parent.
	threadLateSQL = `UPDATE comments SET parent = (SELECT p.comment_id FROM comment_sources s
		JOIN comment_sources p ON p.key = s.parent_key WHERE s.comment_id = comments.id)
		WHERE parent = 0 AND id IN (SELECT s.comment_id FROM comment_sources s JOIN comment_sources p ON p.key = s.parent_key)`
	// orphansSQL counts the replies from id on whose parent is not there.
	orphansSQL = `SELECT COUNT(*) FROM comment_sources s JOIN comments c ON c.id = s.comment_id
		WHERE s.parent_key <> '' AND c.parent = 0 AND c.id >= ?`
)

// ImportComments stores, in one transaction, each comment items yields whose
// source key no import stored before (the others are skipped, also when their
// comment was deleted since), with its source, its parent found by the
// parent's key wherever it came in the file (0 when it is not there), and, when
// its TrainedAs is ham or spam, a training event teaching its Tokens. audit,
// when set, is recorded in the same transaction with what was stored added to
// its Detail. An error yielded by items, a *models.ValidationError for a bad
// comment or audit entry, or a failure of the database rolls everything back.
// items is read once: a database that stays locked is not retried.
func (s *Store) ImportComments(ctx context.Context, items iter.Seq2[models.ImportedComment, error], audit *models.AuditEntry) (models.ImportResult, error) {
	var v models.ValidationError
	rec := storage.AuditOf(&v, "audit.", audit, time.Now())
	if err := v.Err(); err != nil {
		return models.ImportResult{}, fmt.Errorf("sqlite: import comments: %w", err)
	}
	var res models.ImportResult
	err := s.tryTx(ctx, func(tx *sql.Tx) (err error) {
		res, err = importComments(ctx, newPreparer(tx), items)
		if err == nil && rec != nil {
			rec.Detail = storage.ImportDetail(rec.Detail, res)
			err = recordAudit(ctx, tx, rec)
		}
		return err
	})
	if err != nil {
		return models.ImportResult{}, fmt.Errorf("sqlite: import comments: %w", err)
	}
	storage.Publish(audit, rec)
	return res, nil
}

func importComments(ctx context.Context, p *preparer, items iter.Seq2[models.ImportedComment, error]) (models.ImportResult, error) {
	var (
		res   models.ImportResult
		first int64 // the first comment stored
		now   = time.Now().UnixNano()
	)
	for it, err := range items {
		if err != nil {
			return res, err
		}
		row, err := storage.CheckImported(&it)
		if err != nil {
			return res, fmt.Errorf("%s: %w", it.Source.Key, err)
		}
		var found int64
		switch err := p.QueryRowContext(ctx, sourceCommentSQL, it.Source.Key).Scan(&found); {
		case err == nil:
			res.Skipped++
			continue
		case !errors.Is(err, sql.ErrNoRows):
			return res, err
		}
		c := &it.Comment
		if it.Source.ParentKey != "" {
			err := p.QueryRowContext(ctx, sourceCommentSQL, it.Source.ParentKey).Scan(&c.Parent)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return res, err
			}
		}
		id, err := insertComment(ctx, p, c, row, nil)
		if err != nil {
			return res, err
		}
		if _, err := p.ExecContext(ctx, insertSourceSQL, it.Source.Key, id, it.Source.ParentKey); err != nil {
			return res, err
		}
		if c.TrainedAs != models.ClassNone {
			ev := models.TrainingEvent{CommentID: id, Class: c.TrainedAs, Delta: 1, Tokens: it.Tokens}
			if _, err := insertEvents(ctx, p, []models.TrainingEvent{ev}, now); err != nil {
				return res, err
			}
		}
		first = cmp.Or(first, id)
		storage.CountImported(&res, *c)
	}
	if res.Imported == 0 {
		return res, nil
	}
	threaded, err := p.ExecContext(ctx, threadLateSQL)
	if err != nil {
		return res, err
	}
	n, err := threaded.RowsAffected()
	if err != nil {
		return res, err
	}
	res.Replies += int(n)
	err = p.QueryRowContext(ctx, orphansSQL, first).Scan(&res.Orphans)
	return res, err
}

// ImportBatches stores the batches next yields in one transaction, each as
// Import does, and then audit, when set. An error yielded by batches rolls
// everything back. Errors as Import's; batches is read once, and a database
// that stays locked is not retried.
func (s *Store) ImportBatches(ctx context.Context, batches iter.Seq2[storage.Batch, error], audit *models.AuditEntry) error {
	var v models.ValidationError
	rec := storage.AuditOf(&v, "audit.", audit, time.Now())
	if err := v.Err(); err != nil {
		return fmt.Errorf("sqlite: import: %w", err)
	}
	err := s.tryTx(ctx, func(tx *sql.Tx) error {
		p := newPreparer(tx)
		for b, err := range batches {
			if err == nil {
				err = importBatch(ctx, p, b)
			}
			if isUnique(err) {
				return fmt.Errorf("%w: %w", models.ErrConflict, err)
			}
			if err != nil {
				return err
			}
		}
		return recordAudit(ctx, tx, rec)
	})
	if err != nil {
		return fmt.Errorf("sqlite: import: %w", err)
	}
	storage.Publish(audit, rec)
	return nil
}
