package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/commentd/commentd/internal/storage"
	"time"

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
	if d.At.IsZero() {
		d.At = time.Now()
	}
	cd, err := checkDecision(d)
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
			err = s.decidedEvent(ctx, tx, out, d.From, cd.audit)
		}
		return err
	})
	if err != nil {
		return models.Comment{}, fmt.Errorf("sqlite: decide %d: %w", d.CommentID, err)
	}
	publish(d.Audit, rec)
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
	checked := make([]decision, len(ds))
	for i, d := range ds {
		if d.At.IsZero() {
			d.At = now
		}
		if checked[i], err = checkDecision(d); err != nil {
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
			if err := s.decidedEvent(ctx, p, c, d.From, d.audit); err != nil {
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
		publish(ds[i].Audit, rec)
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
func applyDecision(ctx context.Context, q queryer, d decision) (c models.Comment, rec *models.AuditEntry, applied bool, err error) {
	c, err = scanComment(q.QueryRowContext(ctx, decideSQL, string(d.To), string(d.TrainedTo), d.at,
		d.CommentID, string(d.From), string(d.TrainedFrom)))
	if errors.Is(err, sql.ErrNoRows) {
		return models.Comment{}, nil, false, nil
	}
	if err != nil {
		return models.Comment{}, nil, false, err
	}
	if _, err := insertEvents(ctx, q, d.evs, d.at); err != nil {
		return models.Comment{}, nil, false, err
	}
	if d.audit != nil {
		e := *d.audit // filled afresh in each attempt of the transaction
		fillAudit(&e, c, d.From, d.To)
		if err := recordAudit(ctx, q, &e); err != nil {
			return models.Comment{}, nil, false, err
		}
		rec = &e
	}
	return c, rec, true, nil
}

// decision is a models.Decision checked by checkDecision: its time, its
// events with their CommentID set, and the audit entry to record, if any.
type decision struct {
	models.Decision
	at    int64
	evs   []models.TrainingEvent
	audit *models.AuditEntry
}

// checkDecision validates d, whose At is set.
func checkDecision(d models.Decision) (decision, error) {
	var v models.ValidationError
	if !d.From.Valid() {
		v.Add("from", "invalid")
	}
	if !d.To.Valid() {
		v.Add("to", "invalid")
	}
	if !validClass(d.TrainedFrom) {
		v.Add("trained_from", "invalid")
	}
	if !validClass(d.TrainedTo) {
		v.Add("trained_to", "invalid")
	}
	at, ok := storage.ToNanos(d.At)
	if !ok {
		v.Add("at", "out_of_range")
	}
	evs := make([]models.TrainingEvent, len(d.Events))
	for i, e := range d.Events {
		switch e.CommentID {
		case 0:
			e.CommentID = d.CommentID
		case d.CommentID:
		default:
			v.Add("events", "comment_mismatch")
		}
		evs[i] = e
	}
	checkEvents(&v, evs)
	audit := auditOf(&v, "audit.", d.Audit, storage.FromNanos(at))
	if audit != nil && audit.CommentID != 0 && audit.CommentID != d.CommentID {
		v.Add("audit.comment_id", "comment_mismatch")
	}
	return decision{Decision: d, at: at, evs: evs, audit: audit}, v.Err()
}
