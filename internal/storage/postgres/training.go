package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// eventsLock is the key of the transaction advisory lock that every
// transaction appending training events takes before it draws their ids. The
// next appender waits until the holder has committed (or rolled back), so ids
// become visible in id order and a reader replaying the log by id, like
// spam.Filter.Sync, never steps past an id that commits later.
const eventsLock int64 = migrateLock + 1

const (
	eventColumns   = `id, comment_id, class, delta, tokens, created_at`
	insertEventSQL = `INSERT INTO training_events (comment_id, class, delta, tokens, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`
)

// queueEvents queues, into a batch run in a transaction, the lock and the
// inserts of evs in order, evs[i] created at ats[i]; the ids land in evs.
// Nothing is queued for no events.
func queueEvents(b *pgx.Batch, evs []models.TrainingEvent, ats []int64) {
	if len(evs) == 0 {
		return
	}
	b.Queue(`SELECT pg_advisory_xact_lock($1)`, eventsLock)
	for i := range evs {
		e := &evs[i]
		tokens, err := json.Marshal(e.Tokens)
		if err != nil {
			panic(err) // a []string always marshals
		}
		b.Queue(insertEventSQL, e.CommentID, string(e.Class), e.Delta, string(tokens), ats[i]).
			QueryRow(func(row pgx.Row) error { return row.Scan(&e.ID) })
		e.CreatedAt = storage.FromNanos(ats[i])
	}
}

// AppendTrainingEvents appends evs in order in one transaction, such as a
// corpus with CommentID 0, and returns them with their IDs and CreatedAt (now)
// set. Error: *models.ValidationError when a class is not ham or spam or a
// Delta not ±1; then nothing is appended.
func (s *Store) AppendTrainingEvents(ctx context.Context, evs []models.TrainingEvent) ([]models.TrainingEvent, error) {
	var v models.ValidationError
	storage.CheckEvents(&v, evs)
	if err := v.Err(); err != nil {
		return nil, fmt.Errorf("postgres: append training events: %w", err)
	}
	if len(evs) == 0 {
		return []models.TrainingEvent{}, nil
	}
	now := time.Now().UnixNano()
	ats := make([]int64, len(evs))
	for i := range ats {
		ats[i] = now
	}
	var out []models.TrainingEvent
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		out = append([]models.TrainingEvent(nil), evs...)
		var b pgx.Batch
		queueEvents(&b, out, ats)
		return tx.SendBatch(ctx, &b).Close()
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: append training events: %w", err)
	}
	return out, nil
}

// LastTrainingEvent returns the latest event with a positive Delta for the
// comment: the lesson a reversal must take back. Error: models.ErrNotFound,
// also for commentID 0, which names no comment.
func (s *Store) LastTrainingEvent(ctx context.Context, commentID int64) (models.TrainingEvent, error) {
	if commentID <= 0 {
		return models.TrainingEvent{}, fmt.Errorf("postgres: last training event of %d: %w", commentID, models.ErrNotFound)
	}
	e, err := scanEvent(s.pool.QueryRow(ctx, `SELECT `+eventColumns+` FROM training_events
		WHERE comment_id = $1 AND delta > 0 ORDER BY id DESC LIMIT 1`, commentID))
	if err != nil {
		return models.TrainingEvent{}, fmt.Errorf("postgres: last training event of %d: %w", commentID, notFound(err))
	}
	return e, nil
}

// TrainingEventsAfter returns up to limit events with an ID above afterID, in
// ID order: the log a model replays. Error: *models.ValidationError for a limit below 1.
func (s *Store) TrainingEventsAfter(ctx context.Context, afterID int64, limit int) ([]models.TrainingEvent, error) {
	if limit < 1 {
		return nil, fmt.Errorf("postgres: training events: %w", storage.Invalid("limit", "invalid"))
	}
	rows, err := s.pool.Query(ctx, `SELECT `+eventColumns+` FROM training_events WHERE id > $1 ORDER BY id LIMIT $2`,
		afterID, limit)
	evs, err := collect(rows, err, scanEvent)
	if err != nil {
		return nil, fmt.Errorf("postgres: training events: %w", err)
	}
	if evs == nil {
		evs = []models.TrainingEvent{}
	}
	return evs, nil
}

// scanEvent reads the eventColumns of one row.
func scanEvent(row pgx.Row) (models.TrainingEvent, error) {
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
