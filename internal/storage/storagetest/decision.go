package storagetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/commentd/commentd/models"
)

// event returns a training event for the suite.
func event(class models.Class, delta int, tokens ...string) models.TrainingEvent {
	return models.TrainingEvent{Class: class, Delta: delta, Tokens: tokens}
}

// allEvents returns the whole training log.
func allEvents(t *testing.T, s Store) []models.TrainingEvent {
	t.Helper()
	evs, err := s.TrainingEventsAfter(t.Context(), 0, 1_000_000)
	if err != nil {
		t.Fatalf("TrainingEventsAfter: %v", err)
	}
	return evs
}

func testDecide(t *testing.T, s Store) {
	tests := []struct {
		name      string
		status    models.Status
		trained   models.Class
		to        models.Status
		trainedTo models.Class
		events    []models.TrainingEvent
	}{
		{"approve and learn ham", models.StatusPending, models.ClassNone, models.StatusApproved, models.ClassHam,
			[]models.TrainingEvent{event(models.ClassHam, 1, "great", "post", "👍")}},
		{"reverse ham to spam", models.StatusApproved, models.ClassHam, models.StatusSpam, models.ClassSpam,
			[]models.TrainingEvent{event(models.ClassHam, -1, "cheap", "pills"), event(models.ClassSpam, 1, "cheap", "pills")}},
		{"trash without a lesson", models.StatusSpam, models.ClassSpam, models.StatusTrash, models.ClassSpam, nil},
		{"same status, new lesson", models.StatusPending, models.ClassNone, models.StatusPending, models.ClassSpam,
			[]models.TrainingEvent{event(models.ClassSpam, 1)}},
		{"restore from trash", models.StatusTrash, models.ClassNone, models.StatusPending, models.ClassNone, nil},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			c := comment("p", tt.status, at(i))
			c.TrainedAs = tt.trained
			c = create(t, s, c)
			before := allEvents(t, s)
			d := models.Decision{CommentID: c.ID, From: tt.status, To: tt.to, TrainedFrom: tt.trained,
				TrainedTo: tt.trainedTo, Events: tt.events, At: at(1000 + i)}
			got, err := s.Decide(ctx, d)
			if err != nil {
				t.Fatalf("Decide: %v", err)
			}
			want := c
			want.Status, want.TrainedAs, want.UpdatedAt = tt.to, tt.trainedTo, d.At
			checkComment(t, got, want)
			checkComment(t, get(t, s, c.ID), want)

			after := allEvents(t, s)
			if len(after) != len(before)+len(tt.events) {
				t.Fatalf("%d events appended, want %d", len(after)-len(before), len(tt.events))
			}
			lastID := int64(0)
			if len(before) > 0 {
				lastID = before[len(before)-1].ID
			}
			for j, e := range after[len(before):] {
				if e.ID <= lastID {
					t.Errorf("event ID %d after %d, want increasing", e.ID, lastID)
				}
				lastID = e.ID
				w := tt.events[j]
				w.ID, w.CommentID, w.CreatedAt = e.ID, c.ID, d.At
				checkEvent(t, e, w)
			}
		})
	}
}

func testDecideRefused(t *testing.T, s Store) {
	ctx := t.Context()
	c := comment("p", models.StatusPending, at(0))
	c.TrainedAs = models.ClassSpam
	c = create(t, s, c)
	ok := models.Decision{CommentID: c.ID, From: models.StatusPending, To: models.StatusApproved,
		TrainedFrom: models.ClassSpam, TrainedTo: models.ClassHam,
		Events: []models.TrainingEvent{event(models.ClassSpam, -1, "a"), event(models.ClassHam, 1, "a")}, At: at(10)}
	tests := []struct {
		name  string
		edit  func(d *models.Decision)
		check func(t *testing.T, err error)
	}{
		{"wrong from", func(d *models.Decision) { d.From = models.StatusSpam }, is(models.ErrConflict)},
		{"wrong trained from", func(d *models.Decision) { d.TrainedFrom = models.ClassNone }, is(models.ErrConflict)},
		{"wrong trained from ham", func(d *models.Decision) { d.TrainedFrom = models.ClassHam }, is(models.ErrConflict)},
		{"unknown comment", func(d *models.Decision) { d.CommentID = c.ID + 1000 }, is(models.ErrNotFound)},
		{"comment zero", func(d *models.Decision) { d.CommentID = 0 }, is(models.ErrNotFound)},
		{"unknown to", func(d *models.Decision) { d.To = "published" }, field("to")},
		{"unknown trained to", func(d *models.Decision) { d.TrainedTo = "maybe" }, field("trained_to")},
		{"event without class", func(d *models.Decision) { d.Events[1].Class = models.ClassNone }, field("events")},
		{"event delta 0", func(d *models.Decision) { d.Events[1].Delta = 0 }, field("events")},
		{"event delta 2", func(d *models.Decision) { d.Events[1].Delta = 2 }, field("events")},
		{"event of another comment", func(d *models.Decision) { d.Events[0].CommentID = c.ID + 1 }, field("events")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := ok
			d.Events = append([]models.TrainingEvent(nil), ok.Events...)
			tt.edit(&d)
			_, err := s.Decide(ctx, d)
			tt.check(t, err)
			checkComment(t, get(t, s, c.ID), c)
			if evs := allEvents(t, s); len(evs) != 0 {
				t.Errorf("a refused decision appended %d events", len(evs))
			}
		})
	}
	// And the unchanged decision still applies.
	if _, err := s.Decide(ctx, ok); err != nil {
		t.Fatalf("Decide after refusals: %v", err)
	}
}

func is(target error) func(t *testing.T, err error) {
	return func(t *testing.T, err error) { t.Helper(); wantErr(t, err, target) }
}

func field(name string) func(t *testing.T, err error) {
	return func(t *testing.T, err error) { t.Helper(); wantInvalid(t, err, name) }
}

func testDecideConcurrent(t *testing.T, s Store) {
	const racers = 8
	targets := []models.Status{models.StatusApproved, models.StatusSpam, models.StatusTrash}
	for round := range 20 {
		t.Run(fmt.Sprintf("round %d", round), func(t *testing.T) {
			ctx := t.Context()
			c := create(t, s, comment("p", models.StatusPending, at(round)))
			before := len(allEvents(t, s))
			start := make(chan struct{})
			results := make([]error, racers)
			decided := make([]models.Comment, racers)
			var wg sync.WaitGroup
			for i := range racers {
				wg.Go(func() {
					to := targets[i%len(targets)]
					d := models.Decision{CommentID: c.ID, From: models.StatusPending, To: to,
						TrainedTo: models.ClassSpam, At: at(100 + i),
						Events: []models.TrainingEvent{event(models.ClassSpam, 1, fmt.Sprint("racer", i))}}
					<-start
					decided[i], results[i] = s.Decide(ctx, d)
				})
			}
			close(start)
			wg.Wait()
			winner := -1
			for i, err := range results {
				switch {
				case err == nil:
					if winner >= 0 {
						t.Fatalf("racers %d and %d both won", winner, i)
					}
					winner = i
				case !errors.Is(err, models.ErrConflict):
					t.Errorf("racer %d: %v, want ErrConflict", i, err)
				}
			}
			if winner < 0 {
				t.Fatal("no racer won")
			}
			checkComment(t, get(t, s, c.ID), decided[winner])
			if decided[winner].Status != targets[winner%len(targets)] {
				t.Errorf("status %s, want the winner's %s", decided[winner].Status, targets[winner%len(targets)])
			}
			evs := allEvents(t, s)[before:]
			if len(evs) != 1 || evs[0].Tokens[0] != fmt.Sprint("racer", winner) {
				t.Errorf("events appended: %+v, want only racer %d's", evs, winner)
			}
		})
	}
}
