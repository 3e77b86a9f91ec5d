package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

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
// exactly one wins, also across instances), and *models.ValidationError for
// unknown statuses or classes, a bad event or a bad audit entry.
func (s *Store) Decide(ctx context.Context, d models.Decision) (models.Comment, error) {
	cd, err := storage.CheckDecision(d, time.Now())
	if err != nil {
		return models.Comment{}, fmt.Errorf("postgres: decide %d: %w", d.CommentID, err)
	}
	var r decided
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		rs, err := applyDecisions(ctx, tx, []storage.Decision{cd})
		if err != nil {
			return err
		}
		if r = rs[0]; r.applied {
			return s.decidedEvents(ctx, tx, []storage.Decision{cd}, rs)
		}
		var status, trained string
		err = tx.QueryRow(ctx, `SELECT status, trained_as FROM comments WHERE id = $1`, d.CommentID).Scan(&status, &trained)
		if err != nil {
			return notFound(err)
		}
		return fmt.Errorf("comment is %s trained as %q, not %s trained as %q: %w",
			status, trained, d.From, d.TrainedFrom, models.ErrConflict)
	})
	if err != nil {
		return models.Comment{}, fmt.Errorf("postgres: decide %d: %w", d.CommentID, err)
	}
	storage.Publish(d.Audit, r.audit)
	return r.comment, nil
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
			return nil, nil, fmt.Errorf("postgres: decide many: decision %d (comment %d): %w", i, d.CommentID, err)
		}
	}
	var rs []decided
	err = s.inTx(ctx, func(tx pgx.Tx) (err error) {
		if rs, err = applyDecisions(ctx, tx, checked); err != nil {
			return err
		}
		return s.decidedEvents(ctx, tx, checked, rs)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: decide many: %w", err)
	}
	updated = make([]models.Comment, 0, len(rs))
	for i, r := range rs {
		if !r.applied {
			conflicted = append(conflicted, ds[i].CommentID)
			continue
		}
		updated = append(updated, r.comment)
		storage.Publish(ds[i].Audit, r.audit)
	}
	return updated, conflicted, nil
}

// decided is the outcome of one decision: whether it applied, the comment it
// updated and the audit entry as recorded.
type decided struct {
	applied bool
	comment models.Comment
	audit   *models.AuditEntry
}

// decideSQL applies a decision while the comment still has its From status and
// class, and returns the updated comment; it returns no row otherwise. The row
// lock makes a concurrent decision wait and then see the new status.
const decideSQL = `UPDATE comments SET status = $1, trained_as = $2, updated_at = $3
	WHERE id = $4 AND status = $5 AND trained_as = $6 RETURNING ` + commentColumns

// applyDecisions applies ds in order in two round trips: first every update,
// then the audit entries and training events of those that applied. A decision
// whose comment is unknown or no longer d.From/d.TrainedFrom writes nothing.
func applyDecisions(ctx context.Context, tx pgx.Tx, ds []storage.Decision) ([]decided, error) {
	rs := make([]decided, len(ds))
	var b pgx.Batch
	for i, d := range ds {
		b.Queue(decideSQL, string(d.To), string(d.TrainedTo), d.At, d.CommentID, string(d.From), string(d.TrainedFrom)).
			QueryRow(func(row pgx.Row) error {
				c, err := scanComment(row)
				if errors.Is(err, pgx.ErrNoRows) {
					return nil
				}
				rs[i] = decided{applied: err == nil, comment: c}
				return err
			})
	}
	if err := tx.SendBatch(ctx, &b).Close(); err != nil {
		return nil, err
	}
	var (
		writes pgx.Batch
		evs    []models.TrainingEvent
		ats    []int64
	)
	for i, d := range ds {
		if !rs[i].applied {
			continue
		}
		if d.Audit != nil {
			e := *d.Audit // filled afresh in each attempt of the transaction
			storage.FillAudit(&e, rs[i].comment, d.From, d.To)
			rs[i].audit = &e
			queueAudit(&writes, &e)
		}
		for _, ev := range d.Events {
			evs, ats = append(evs, ev), append(ats, d.At)
		}
	}
	queueEvents(&writes, evs, ats)
	if writes.Len() > 0 {
		if err := tx.SendBatch(ctx, &writes).Close(); err != nil {
			return nil, err
		}
	}
	return rs, nil
}
