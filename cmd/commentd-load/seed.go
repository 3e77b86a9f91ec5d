package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/commentd/commentd/internal/spam"
	"github.com/commentd/commentd/internal/storage/postgres"
	"github.com/commentd/commentd/internal/storage/sqlite"
	"github.com/commentd/commentd/models"
)

// seedStore is what seed writes through: either engine's store.
type seedStore interface {
	spam.EventStore
	CreateComment(ctx context.Context, c *models.Comment) error
	AppendTrainingEvents(ctx context.Context, evs []models.TrainingEvent) ([]models.TrainingEvent, error)
	Close() error
}

// seedCmd fills a database through the store, as commentd would have after a
// long life: comments on many posts, and a model of many distinct tokens
// learnt through the training log, with a snapshot so that commentd starts on it.
func seedCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	dbURL := fs.String("database-url", "", "sqlite://PATH or postgres://...")
	comments := fs.Int("comments", 1_000_000, "comments to store")
	tokens := fs.Int("tokens", 100_000, "distinct tokens the model learns")
	posts := fs.Int("posts", 10_000, "posts the comments spread over")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *comments < 0 || *tokens < 0 || *posts < 1 {
		return fmt.Errorf("seed: -comments and -tokens must be >= 0, -posts >= 1")
	}
	st, err := openSeedStore(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	if err := seedComments(ctx, st, *comments, *posts); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seed: %d comments in %s\n", *comments, time.Since(start).Round(time.Second))
	start = time.Now()
	if err := seedModel(ctx, st, *tokens); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seed: a model of %d more tokens in %s\n", *tokens, time.Since(start).Round(time.Second))
	return nil
}

func openSeedStore(ctx context.Context, dbURL string) (seedStore, error) {
	switch {
	case strings.HasPrefix(dbURL, "sqlite://"):
		return sqlite.Open(ctx, strings.TrimPrefix(dbURL, "sqlite://"))
	case strings.HasPrefix(dbURL, "postgres://"), strings.HasPrefix(dbURL, "postgresql://"):
		return postgres.Open(ctx, dbURL)
	}
	return nil, fmt.Errorf("seed: -database-url %q: want sqlite://PATH or postgres://", dbURL)
}

// seedComments stores n comments from 32 writers; four in five are approved.
func seedComments(ctx context.Context, st seedStore, n, posts int) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	created := time.Now().Add(-time.Duration(n) * time.Second)
	for range 32 {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(n) || ctx.Err() != nil {
					return
				}
				u := uint64(i)
				status := models.StatusApproved
				if i%5 == 0 {
					status = models.StatusSpam
				}
				text := hamTexts[u%uint64(len(hamTexts))]
				if status == models.StatusSpam {
					text = spamTexts[u%uint64(len(spamTexts))]
				}
				c := models.Comment{
					Post: "post-" + strconv.FormatInt(i%int64(posts), 10), Author: authors[u%uint64(len(authors))],
					Email: "reader" + strconv.FormatInt(i, 10) + "@example.org", Text: text + " (" + strconv.FormatInt(i, 36) + ")",
					IP: clientIP(u), UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", Status: status, Score: 0.1,
					CreatedAt: created.Add(time.Duration(i) * time.Second),
				}
				if err := st.CreateComment(ctx, &c); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return fmt.Errorf("seed: comments: %w", err)
	}
	return ctx.Err()
}

// seedModel teaches the model tokens distinct words, 50 to a lesson, ham and
// spam in turn, then saves a snapshot the way commentd does.
func seedModel(ctx context.Context, st seedStore, tokens int) error {
	const perLesson, perBatch = 50, 1000
	var batch []models.TrainingEvent
	for t := 0; t < tokens; t += perLesson {
		lesson := make([]string, 0, perLesson)
		for j := t; j < min(t+perLesson, tokens); j++ {
			lesson = append(lesson, "seedword"+strconv.Itoa(j))
		}
		class := models.ClassHam
		if t/perLesson%2 == 1 {
			class = models.ClassSpam
		}
		batch = append(batch, models.TrainingEvent{Class: class, Delta: 1, Tokens: lesson})
		if len(batch) == perBatch || t+perLesson >= tokens {
			if _, err := st.AppendTrainingEvents(ctx, batch); err != nil {
				return fmt.Errorf("seed: training log: %w", err)
			}
			batch = batch[:0]
		}
	}
	f, err := spam.OpenFilter(ctx, st, 0, slog.New(slog.DiscardHandler))
	if err != nil {
		return fmt.Errorf("seed: model: %w", err)
	}
	if err := f.Snapshot(ctx); err != nil {
		return fmt.Errorf("seed: model snapshot: %w", err)
	}
	return nil
}
