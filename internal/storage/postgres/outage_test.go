package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/commentd/commentd/internal/storage/postgres"
	"github.com/commentd/commentd/internal/storage/postgres/pgtest"
	"github.com/commentd/commentd/models"
)

// TestConnectionsKilledMidLoad terminates the store's connections, as a
// PostgreSQL restart or an administrator would, while comments are created,
// read and marked spam. A write on a connection that broke before its COMMIT
// is retried; whatever still fails says models.ErrUnavailable (a 503), never
// a bare driver error (a 500). Every acknowledged comment is stored, and
// nothing is half-written: each stored comment has its webhook events, each
// spam decision its training event.
func TestConnectionsKilledMidLoad(t *testing.T) {
	ctx := context.Background()
	schema := testDB.Schema(t)
	url, name := pgtest.Breakable(schema)
	s, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.RecordWebhookEvents(true)
	admin, err := pgx.Connect(ctx, schema)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)

	const writers, each, kills = 8, 50, 5
	var (
		mu       sync.Mutex
		acked    = map[int64]models.Status{} // comments whose create returned nil, with their status as answered ("": unknown)
		failures = map[string]int{}
	)
	fail := func(what string, err error) {
		mu.Lock()
		defer mu.Unlock()
		if !errors.Is(err, models.ErrUnavailable) {
			t.Errorf("%s: %v, want an error wrapping models.ErrUnavailable", what, err)
		}
		failures[what]++
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				c := models.Comment{Post: "outage", Author: "a", Email: "a@example.org",
					Text: fmt.Sprint("comment ", w, "-", i), Status: models.StatusPending}
				if err := s.CreateComment(ctx, &c); err != nil {
					fail("create", err)
					continue
				}
				mu.Lock()
				acked[c.ID] = models.StatusPending
				mu.Unlock()
				if _, err := s.GetComment(ctx, c.ID); err != nil {
					fail("get", err)
				}
				if i%2 == 1 {
					continue
				}
				_, err := s.Decide(ctx, models.Decision{CommentID: c.ID, From: models.StatusPending, To: models.StatusSpam,
					TrainedTo: models.ClassSpam, At: time.Now(),
					Events: []models.TrainingEvent{{Class: models.ClassSpam, Delta: 1, Tokens: []string{c.Text}}}})
				status := models.StatusSpam
				if err != nil {
					fail("decide", err)
					status = "" // lost during its COMMIT: pending or spam
				}
				mu.Lock()
				acked[c.ID] = status
				mu.Unlock()
			}
		})
	}
	killed, err := testDB.Terminate(ctx, name, kills, 40*time.Millisecond)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d connections terminated; %d comments acknowledged; failures %v", killed, len(acked), failures)

	// What is stored, read on a connection of its own.
	type stored struct {
		status, trained     string
		webhooks, trainings int
	}
	rows, _ := admin.Query(ctx, `SELECT c.id, c.status, c.trained_as,
		(SELECT count(*) FROM webhook_events w WHERE w.comment_id = c.id),
		(SELECT count(*) FROM training_events e WHERE e.comment_id = c.id AND e.class = 'spam' AND e.delta = 1)
		FROM comments c`)
	got := map[int64]stored{}
	var id int64
	var st stored
	if _, err := pgx.ForEachRow(rows, []any{&id, &st.status, &st.trained, &st.webhooks, &st.trainings}, func() error {
		got[id] = st
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for id, status := range acked {
		if st, ok := got[id]; !ok || (status != "" && st.status != string(status)) {
			t.Errorf("comment %d acknowledged as %q is stored as %+v", id, status, st)
		}
	}
	for id, st := range got {
		want := stored{status: "pending", webhooks: 2}
		if st.status == "spam" {
			want = stored{status: "spam", trained: "spam", webhooks: 3, trainings: 1}
		}
		if st != want {
			t.Errorf("comment %d is half-written: %+v, want %+v", id, st, want)
		}
	}
	var orphans int
	if err := admin.QueryRow(ctx, `SELECT (SELECT count(*) FROM webhook_events w WHERE NOT EXISTS (SELECT 1 FROM comments c WHERE c.id = w.comment_id))
		+ (SELECT count(*) FROM training_events e WHERE NOT EXISTS (SELECT 1 FROM comments c WHERE c.id = e.comment_id))`).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if orphans != 0 {
		t.Errorf("%d webhook or training events without their comment", orphans)
	}
}
