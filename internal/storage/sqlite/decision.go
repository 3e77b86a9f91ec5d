package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/commentd/commentd/models"
)

// Decide applies a moderator's decision in one transaction: while the comment
// still has status d.From and is trained as d.TrainedFrom, it gets status d.To,
// trained_as d.TrainedTo and updated_at d.At (now when zero), and d.Events are
// appended in order with store-set IDs and CreatedAt d.At (a zero CommentID
// becomes d.CommentID). It returns the updated comment. Errors:
// models.ErrNotFound, models.ErrConflict when the comment moved on (so of two
// concurrent decisions from the same state exactly one wins), and
// *models.ValidationError for unknown statuses or classes or a bad event.
func (s *Store) Decide(ctx context.Context, d models.Decision) (models.Comment, error) {
	if d.At.IsZero() {
		d.At = time.Now()
	}
	at, evs, err := checkDecision(d)
	if err != nil {
		return models.Comment{}, fmt.Errorf("sqlite: decide %d: %w", d.CommentID, err)
	}
	var out models.Comment
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
		_, err = tx.ExecContext(ctx, `UPDATE comments SET status = ?, trained_as = ?, updated_at = ? WHERE id = ?`,
			string(d.To), string(d.TrainedTo), at, d.CommentID)
		if err != nil {
			return err
		}
		if _, err := insertEvents(ctx, tx, evs, at); err != nil {
			return err
		}
		out, err = commentFromRow(tx.QueryRowContext(ctx, getCommentSQL, d.CommentID))
		return err
	})
	if err != nil {
		return models.Comment{}, fmt.Errorf("sqlite: decide %d: %w", d.CommentID, err)
	}
	return out, nil
}

// checkDecision validates d and returns its time and the events to store.
func checkDecision(d models.Decision) (int64, []models.TrainingEvent, error) {
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
	at, ok := toNanos(d.At)
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
	return at, evs, v.Err()
}
