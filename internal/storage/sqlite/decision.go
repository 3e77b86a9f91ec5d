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

// Decide applies a moderator's decision in one transaction: while the comment
// still has status d.From and is trained as d.TrainedFrom, it gets status d.To,
// trained_as d.TrainedTo and updated_at d.At (now when zero), and d.Events are
// appended in order with store-set IDs and CreatedAt d.At (a zero CommentID
// becomes d.CommentID). When d.Audit is set it is recorded too, its zero At,
// CommentID, FromStatus, ToStatus and Score taken from the decision and the
// comment, and on success *d.Audit is the entry as recorded, ID included. It
// returns the updated comment. Errors: models.ErrNotFound, models.ErrConflict
// when the comment moved on (so of two concurrent decisions from the same state
// exactly one wins), and *models.ValidationError for unknown statuses or
// classes, a bad event or a bad audit entry.
func (s *Store) Decide(ctx context.Context, d models.Decision) (models.Comment, error) {
	cd, err := storage.CheckDecision(d, time.Now())
	if err != nil {
		return models.Comment{}, fmt.Errorf("sqlite: decide %d: %w", d.CommentID, err)
	}
	var (
		out models.Comment
		rec *models.AuditEntry
	)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var status, trained string
		err := tx.QueryRowContext(ctx, `SELECT status, trained_as FROM comments WHERE id = ?`, d.CommentID).Scan(&status, &trained)
		if errors.Is(err, sql.ErrNoRows) {
			return models.ErrNotFound
		}
		if err != nil {
			return err
		}
		if models.Status(status) != d.From || models.Class(trained) != d.TrainedFrom {
			return fmt.Errorf("comment is %s trained as %q, not %s trained as %q: %w",
				status, trained, d.From, d.TrainedFrom, models.ErrConflict)
		}
		var applied bool
		out, rec, applied, err = applyDecision(ctx, newPreparer(tx), cd)
		if err == nil && !applied {
			err = fmt.Errorf("comment changed under the write lock: %w", models.ErrConflict)
		}
		if err == nil {
			err = s.decidedEvent(ctx, tx, out, d.From, cd.Audit)
		}
		return err
	})
	if err != nil {
		return models.Comment{}, fmt.Errorf("sqlite: decide %d: %w", d.CommentID, err)
	}
	storage.Publish(d.Audit, rec)
	return out, nil
}

// DecideMany applies a batch of decisions in one transaction, each as Decide
// would, in order. A decision whose comment is unknown or no longer has its
// From status and TrainedFrom class is skipped, and its comment id returned in
// conflicted; so is a later decision on a comment an earlier one moved on. It
// returns the comments the applied decisions updated, in order, and sets each
// applied decision's *Audit to the entry as recorded. Error:
// *models.ValidationError when any decision is invalid; then nothing is applied.
func (s *Store) DecideMany(ctx context.Context, ds []models.Decision) (updated []models.Comment, conflicted []int64, err error) {
	now := time.Now()
	checked := make([]storage.Decision, len(ds))
	for i, d := range ds {
		if checked[i], err = storage.CheckDecision(d, now); err != nil {
			return nil, nil, fmt.Errorf("sqlite: decide many: decision %d (comment %d): %w", i, d.CommentID, err)
		}
	}
	recs := make([]*models.AuditEntry, len(ds))
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		updated, conflicted = make([]models.Comment, 0, len(checked)), nil
		p := newPreparer(tx)
		for i, d := range checked {
			c, rec, applied, err := applyDecision(ctx, p, d)
			if err != nil {
				return fmt.Errorf("comment %d: %w", d.CommentID, err)
			}
			if !applied {
				conflicted = append(conflicted, d.CommentID)
				continue
			}
			if err := s.decidedEvent(ctx, p, c, d.From, d.Audit); err != nil {
				return fmt.Errorf("comment %d: %w", d.CommentID, err)
			}
			updated, recs[i] = append(updated, c), rec
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: decide many: %w", err)
	}
	for i, rec := range recs {
		storage.Publish(ds[i].Audit, rec)
	}
	return updated, conflicted, nil
}

// decideSQL applies a decision while the comment still has its From status and
// class, and returns the updated comment; it returns no row otherwise.
const decideSQL = `UPDATE comments SET status = ?, trained_as = ?, updated_at = ?
	WHERE id = ? AND status = ? AND trained_as = ? RETURNING ` + commentColumns

// applyDecision applies d and appends its events and audit entry, and returns
// the updated comment and the entry as recorded. applied is false, and nothing
// written, when the comment is unknown or no longer d.From/d.TrainedFrom.
func applyDecision(ctx context.Context, q queryer, d storage.Decision) (c models.Comment, rec *models.AuditEntry, applied bool, err error) {
	c, err = scanComment(q.QueryRowContext(ctx, decideSQL, string(d.To), string(d.TrainedTo), d.At,
		d.CommentID, string(d.From), string(d.TrainedFrom)))
	if errors.Is(err, sql.ErrNoRows) {
		return models.Comment{}, nil, false, nil
	}
	if err != nil {
		return models.Comment{}, nil, false, err
	}
	if _, err := insertEvents(ctx, q, d.Events, d.At); err != nil {
		return models.Comment{}, nil, false, err
	}
	if d.Audit != nil {
		e := *d.Audit // filled afresh in each attempt of the transaction
		storage.FillAudit(&e, c, d.From, d.To)
		if err := recordAudit(ctx, q, &e); err != nil {
			return models.Comment{}, nil, false, err
		}
		rec = &e
	}
	return c, rec, true, nil
}
