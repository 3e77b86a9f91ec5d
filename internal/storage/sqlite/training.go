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

const (
	eventColumns   = `id, comment_id, class, delta, tokens, created_at`
	lastEventSQL   = `SELECT ` + eventColumns + ` FROM training_events WHERE comment_id = ? AND delta > 0 ORDER BY id DESC LIMIT 1`
	eventsAfterSQL = `SELECT ` + eventColumns + ` FROM training_events WHERE id > ? ORDER BY id LIMIT ?`
)

// LastTrainingEvent returns the latest event with a positive Delta for the
// comment: the lesson a reversal must take back. Error: models.ErrNotFound,
// also for commentID 0, which names no comment.
func (s *Store) LastTrainingEvent(ctx context.Context, commentID int64) (models.TrainingEvent, error) {
	if commentID <= 0 {
		return models.TrainingEvent{}, fmt.Errorf("sqlite: last training event of %d: %w", commentID, models.ErrNotFound)
	}
	row := s.read.QueryRowContext(ctx, lastEventSQL, commentID)
	e, err := scanEvent(row)
	if errors.Is(err, sql.ErrNoRows) {
		err = models.ErrNotFound
	}
	if err != nil {
		return models.TrainingEvent{}, fmt.Errorf("sqlite: last training event of %d: %w", commentID, err)
	}
	return e, nil
}

// AppendTrainingEvents appends evs in order in one transaction, such as a
// corpus with CommentID 0, and returns them with their IDs and CreatedAt (now)
// set. Error: *models.ValidationError when a class is not ham or spam or a
// Delta not ±1; then nothing is appended.
func (s *Store) AppendTrainingEvents(ctx context.Context, evs []models.TrainingEvent) ([]models.TrainingEvent, error) {
	var v models.ValidationError
	storage.CheckEvents(&v, evs)
	if err := v.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: append training events: %w", err)
	}
	now := time.Now().UnixNano()
	var out []models.TrainingEvent
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = insertEvents(ctx, newPreparer(tx), evs, now)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: append training events: %w", err)
	}
	return out, nil
}

// TrainingEventsAfter returns up to limit events with an ID above afterID, in
// ID order: the log a model replays. Error: *models.ValidationError for a limit below 1.
func (s *Store) TrainingEventsAfter(ctx context.Context, afterID int64, limit int) ([]models.TrainingEvent, error) {
	if limit < 1 {
		return nil, fmt.Errorf("sqlite: training events: %w", storage.Invalid("limit", "invalid"))
	}
	rows, err := s.read.QueryContext(ctx, eventsAfterSQL, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: training events: %w", err)
	}
	defer rows.Close()
	evs := make([]models.TrainingEvent, 0, min(limit, 256))
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: training events: %w", err)
		}
		evs = append(evs, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: training events: %w", err)
	}
	return evs, nil
}

// insertEventSQL appends one training event.
const insertEventSQL = `INSERT INTO training_events (comment_id, class, delta, tokens, created_at) VALUES (?, ?, ?, ?, ?)`

// insertEvents appends evs in order, created at at, and returns copies with
// their IDs and times set. Pass a *preparer when evs are many.
func insertEvents(ctx context.Context, q queryer, evs []models.TrainingEvent, at int64) ([]models.TrainingEvent, error) {
	if len(evs) == 0 {
		return []models.TrainingEvent{}, nil
	}
	out := make([]models.TrainingEvent, len(evs))
	for i, e := range evs {
		tokens, err := json.Marshal(e.Tokens)
		if err != nil {
			return nil, err
		}
		res, err := q.ExecContext(ctx, insertEventSQL, e.CommentID, string(e.Class), e.Delta, string(tokens), at)
		if err != nil {
			return nil, err
		}
		if e.ID, err = res.LastInsertId(); err != nil {
			return nil, err
		}
		e.CreatedAt = storage.FromNanos(at)
		out[i] = e
	}
	return out, nil
}

// scanEvent reads one training_events row.
func scanEvent(row interface{ Scan(...any) error }) (models.TrainingEvent, error) {
	var (
		e       models.TrainingEvent
		class   string
		tokens  string
		created int64
	)
	if err := row.Scan(&e.ID, &e.CommentID, &class, &e.Delta, &tokens, &created); err != nil {
		return models.TrainingEvent{}, err
	}
	if err := json.Unmarshal([]byte(tokens), &e.Tokens); err != nil {
		return models.TrainingEvent{}, fmt.Errorf("training event %d: tokens: %w", e.ID, err)
	}
	e.Class, e.CreatedAt = models.Class(class), storage.FromNanos(created)
	return e, nil
}
