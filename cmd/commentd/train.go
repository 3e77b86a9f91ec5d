package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/commentd/commentd/internal/config"
	"github.com/commentd/commentd/internal/eval"
	"github.com/commentd/commentd/internal/spam"
	"github.com/commentd/commentd/models"
)

// trainStore is what train and model need of the database: the training log and snapshots.
type trainStore interface {
	spam.EventStore
	// AppendTrainingEvents appends evs in one transaction; a bad class or
	// delta is a *models.ValidationError and appends nothing.
	AppendTrainingEvents(ctx context.Context, evs []models.TrainingEvent) ([]models.TrainingEvent, error)
}

// openTrainStore opens the configured database as a trainStore.
func openTrainStore(ctx context.Context, cfg *config.Config) (trainStore, func(), error) {
	db, err := openStore(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	store, ok := any(db).(trainStore)
	if !ok {
		db.Close()
		return nil, nil, errors.New("this database keeps no training log")
	}
	return store, func() { db.Close() }, nil
}

// trainBatch is how many lessons one transaction appends.
const trainBatch = 1000

// trainCmd teaches an installation labelled comments through its database:
// the lessons go to the training log, which every running instance follows.
func trainCmd(ctx context.Context, args []string, getenv config.Getenv, stdout, stderr io.Writer) error {
	var corpora files
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Var(&corpora, "corpus", "labelled `file` to learn (JSON Lines, or CSV by its .csv name); repeatable")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(corpora) == 0 || fs.NArg() > 0 {
		return errors.New("usage: commentd train --corpus FILE [--corpus FILE ...]")
	}
	cfg, err := config.Load(getenv, defaultConfigPath)
	if err != nil {
		return err
	}
	c, err := readCorpus(stderr, corpora)
	if err != nil {
		return err
	}
	store, closeStore, err := openTrainStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeStore()
	n, err := teach(ctx, store, c.Records)
	if err != nil {
		return err
	}
	f, err := loadFilter(ctx, store, cfg, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "taught %d comments (%d ham, %d spam); %d skipped as taught already, %d malformed lines skipped\n",
		n.ham+n.spam, n.ham, n.spam, n.known, len(c.Skipped))
	fmt.Fprintf(stdout, "model: %s\nrunning instances apply the lessons at their next sync (every 2 s)\n", describe(f.Stats()))
	return nil
}

// taught counts what teach did.
type taught struct{ ham, spam, known int }

// teach appends a lesson for every record the log does not hold yet: the
// same class and tokens taught twice (a corpus given again, or a comment
// repeated in it) count once.
func teach(ctx context.Context, store trainStore, recs []eval.Record) (taught, error) {
	var n taught
	seen, err := corpusLessons(ctx, store)
	if err != nil {
		return n, err
	}
	var batch []models.TrainingEvent
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := store.AppendTrainingEvents(ctx, batch); err != nil {
			return fmt.Errorf("train: %w", err)
		}
		batch = batch[:0]
		return nil
	}
	for _, r := range recs {
		ev := models.TrainingEvent{Class: r.Class, Delta: 1, Tokens: r.Tokens()}
		key := lessonKey(ev)
		if seen[key] {
			n.known++
			continue
		}
		seen[key] = true
		if r.Class == models.ClassSpam {
			n.spam++
		} else {
			n.ham++
		}
		if batch = append(batch, ev); len(batch) == trainBatch {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	return n, flush()
}

// corpusLessons returns the keys of the lessons in the log that name no comment.
func corpusLessons(ctx context.Context, store trainStore) (map[[32]byte]bool, error) {
	seen := map[[32]byte]bool{}
	for after := int64(0); ; {
		evs, err := store.TrainingEventsAfter(ctx, after, 1000)
		if err != nil {
			return nil, fmt.Errorf("train: read the training log: %w", err)
		}
		for _, ev := range evs {
			if ev.CommentID == 0 && ev.Delta > 0 {
				seen[lessonKey(ev)] = true
			}
			after = ev.ID
		}
		if len(evs) < 1000 {
			return seen, nil
		}
	}
}

// lessonKey identifies a lesson by its class and tokens.
func lessonKey(ev models.TrainingEvent) [32]byte {
	h := sha256.New()
	io.WriteString(h, string(ev.Class))
	for _, t := range ev.Tokens {
		h.Write([]byte{0})
		io.WriteString(h, t)
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// loadFilter loads the installation's model (newest snapshot plus the log)
// and saves a snapshot of it, so that the next start is quick.
func loadFilter(ctx context.Context, store trainStore, cfg *config.Config, stderr io.Writer) (*spam.Filter, error) {
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	f, err := spam.OpenFilter(ctx, store, cfg.SnapshotEvery, logger)
	if err != nil {
		return nil, err
	}
	if err := f.Snapshot(ctx); err != nil {
		return nil, err
	}
	return f, nil
}

// describe is a one-line summary of a model's size.
func describe(s spam.Stats) string {
	return fmt.Sprintf("%d ham and %d spam documents, %d tokens, about %.1f MB",
		s.HamDocs, s.SpamDocs, s.Vocabulary, float64(s.MemoryBytes)/(1<<20))
}
