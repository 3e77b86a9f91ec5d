package spam

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/commentd/commentd/models"
)

// EventStore is the durable side of the filter: the append-only training log and snapshots.
type EventStore interface {
	// TrainingEventsAfter returns up to limit events with ID > afterID, ascending.
	TrainingEventsAfter(ctx context.Context, afterID int64, limit int) ([]models.TrainingEvent, error)
	// SaveSnapshot stores a serialised model.
	SaveSnapshot(ctx context.Context, s models.ModelSnapshot) error
	// LatestSnapshot returns the newest snapshot, or models.ErrNotFound.
	LatestSnapshot(ctx context.Context) (models.ModelSnapshot, error)
}

// syncBatch is how many training events one read of the log fetches.
const syncBatch = 500

// Filter is the live model: the starter model plus every training event in the
// store, applied exactly once each, in ID order. Scoring never waits for the log.
type Filter struct {
	model *Model
	store EventStore
	log   *slog.Logger
	every int // snapshot after this many applied events

	mu        sync.Mutex // serialises Sync and Snapshot
	lastID    int64      // last applied event
	sinceSnap int
}

// OpenFilter loads the newest snapshot built from the current starter corpus (or
// trains the starter model), then applies the events the snapshot lacks.
func OpenFilter(ctx context.Context, store EventStore, snapshotEvery int, logger *slog.Logger) (*Filter, error) {
	f := &Filter{store: store, log: logger, every: snapshotEvery}
	snap, err := store.LatestSnapshot(ctx)
	switch {
	case err == nil && snap.StarterVersion == StarterVersion():
		m, rerr := ReadSnapshot(bytes.NewReader(snap.Data))
		if rerr == nil {
			f.model, f.lastID = m, snap.LastEventID
			break
		}
		logger.Warn("model snapshot unreadable; rebuilding from the training log", slog.Any("err", rerr))
		f.model = NewStarterModel()
	case err == nil || errors.Is(err, models.ErrNotFound):
		f.model = NewStarterModel() // no snapshot, or one from another starter corpus
	default:
		return nil, fmt.Errorf("spam: latest snapshot: %w", err)
	}
	start := time.Now()
	from := f.lastID
	if err := f.Sync(ctx); err != nil {
		return nil, err
	}
	st := f.model.Stats()
	logger.Info("filter loaded", slog.Int64("snapshot_event", from), slog.Int64("last_event", f.lastID),
		slog.Int("ham_docs", st.HamDocs), slog.Int("spam_docs", st.SpamDocs), slog.Int("vocabulary", st.Vocabulary),
		slog.Duration("replay", time.Since(start)))
	return f, nil
}

// Tokens returns the features of a comment.
func (f *Filter) Tokens(c models.NewComment) []string {
	return Tokenize(Doc{Text: c.Text, Author: c.Author, Email: c.Email, URL: c.URL})
}

// Classify returns the spam probability of a comment and its strongest
// tokens, without keeping the tokens: cheaper than Score(Tokens(c)).
func (f *Filter) Classify(c models.NewComment) (float64, []models.TokenWeight) {
	return f.model.Classify(Doc{Text: c.Text, Author: c.Author, Email: c.Email, URL: c.URL}, 10)
}

// Score returns the spam probability of tokens and the strongest of them.
func (f *Filter) Score(tokens []string) (float64, []models.TokenWeight) {
	return f.model.Score(tokens, 10)
}

// Stats describes the live model: documents, vocabulary and the heap its
// counts hold (MemoryBytes).
func (f *Filter) Stats() Stats { return f.model.Stats() }

// Model is the live model, for export and statistics.
func (f *Filter) Model() *Model { return f.model }

// Sync applies training events newer than the last applied one, and snapshots
// the model when enough have accumulated.
func (f *Filter) Sync(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		evs, err := f.store.TrainingEventsAfter(ctx, f.lastID, syncBatch)
		if err != nil {
			return fmt.Errorf("spam: sync: %w", err)
		}
		for _, ev := range evs {
			switch {
			case ev.Delta > 0:
				f.model.Learn(ev.Tokens, ev.Class)
			case ev.Delta < 0:
				f.model.Unlearn(ev.Tokens, ev.Class)
			}
			f.lastID = ev.ID
			f.sinceSnap++
		}
		if len(evs) < syncBatch {
			break
		}
	}
	if f.every > 0 && f.sinceSnap >= f.every {
		if err := f.snapshotLocked(ctx); err != nil {
			f.log.Warn("model snapshot failed", slog.Any("err", err))
		}
	}
	return nil
}

// Snapshot saves the model with the last event it includes.
func (f *Filter) Snapshot(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.snapshotLocked(ctx)
}

func (f *Filter) snapshotLocked(ctx context.Context) error {
	var buf bytes.Buffer
	if err := f.model.WriteSnapshot(&buf); err != nil {
		return fmt.Errorf("spam: snapshot: %w", err)
	}
	s := models.ModelSnapshot{LastEventID: f.lastID, StarterVersion: StarterVersion(), Data: buf.Bytes(), CreatedAt: time.Now().UTC()}
	if err := f.store.SaveSnapshot(ctx, s); err != nil {
		return fmt.Errorf("spam: snapshot: %w", err)
	}
	f.sinceSnap = 0
	return nil
}

// Run syncs every interval until ctx ends, so lessons written by another
// instance, or left over from a failed sync, reach this model.
func (f *Filter) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := f.Sync(ctx); err != nil && ctx.Err() == nil {
				f.log.Warn("filter sync failed; retrying", slog.Any("err", err))
			}
		}
	}
}
