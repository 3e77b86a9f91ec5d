package storagetest

import (
	"errors"
	"fmt"
	"slices"
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

func testDecideAudit(t *testing.T, s Store) {
	ctx := t.Context()
	tests := []struct {
		name  string
		audit models.AuditEntry
		want  func(c models.Comment, d models.Decision) models.AuditEntry // what is recorded
	}{
		{"filled in from the decision", models.AuditEntry{Actor: "ada", Action: "approve"},
			func(c models.Comment, d models.Decision) models.AuditEntry {
				return models.AuditEntry{At: d.At, Actor: "ada", Action: "approve", CommentID: c.ID,
					FromStatus: d.From, ToStatus: d.To, Score: score(c.Score)}
			}},
		{"caller's fields kept", models.AuditEntry{At: at(7), Actor: "bob", Action: "approve.bulk", FromStatus: models.StatusSpam,
			ToStatus: models.StatusTrash, Score: score(0.5), Detail: "filter: post=a"},
			func(c models.Comment, d models.Decision) models.AuditEntry {
				return models.AuditEntry{At: at(7), Actor: "bob", Action: "approve.bulk", CommentID: c.ID,
					FromStatus: models.StatusSpam, ToStatus: models.StatusTrash, Score: score(0.5), Detail: "filter: post=a"}
			}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := comment("p", models.StatusPending, at(i))
			c.Score = 0.125
			c = create(t, s, c)
			before := allAudit(t, s)
			audit := tt.audit
			d := models.Decision{CommentID: c.ID, From: models.StatusPending, To: models.StatusApproved, TrainedTo: models.ClassHam,
				Events: []models.TrainingEvent{event(models.ClassHam, 1, "a")}, At: at(100 + i), Audit: &audit}
			if _, err := s.Decide(ctx, d); err != nil {
				t.Fatal(err)
			}
			rec := wantAudit(t, s, before, 1)[0]
			want := tt.want(c, d)
			want.ID = rec.ID
			checkAudit(t, rec, want)
			checkAudit(t, audit, rec)
		})
	}

	// A refused decision records nothing.
	c := create(t, s, comment("p", models.StatusPending, at(50)))
	refused := []struct {
		name  string
		edit  func(d *models.Decision)
		check func(t *testing.T, err error)
	}{
		{"conflict", func(d *models.Decision) { d.From = models.StatusSpam }, is(models.ErrConflict)},
		{"unknown comment", func(d *models.Decision) { d.CommentID = c.ID + 100 }, is(models.ErrNotFound)},
		{"audit without action", func(d *models.Decision) { d.Audit.Action = "" }, field("audit.action")},
		{"audit of another comment", func(d *models.Decision) { d.Audit.CommentID = c.ID + 1 }, field("audit.comment_id")},
		{"audit with unknown status", func(d *models.Decision) { d.Audit.ToStatus = "gone" }, field("audit.to_status")},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			before := allAudit(t, s)
			d := models.Decision{CommentID: c.ID, From: models.StatusPending, To: models.StatusSpam, At: at(60),
				Audit: note("ada", "spam")}
			tt.edit(&d)
			_, err := s.Decide(ctx, d)
			tt.check(t, err)
			wantAudit(t, s, before, 0)
			if d.Audit.ID != 0 {
				t.Errorf("refused, yet the audit got ID %d", d.Audit.ID)
			}
		})
	}
}

func testDecideMany(t *testing.T, s Store) {
	ctx := t.Context()
	mk := func(st models.Status, trained models.Class) models.Comment {
		c := comment("p", st, at(0))
		c.TrainedAs = trained
		return create(t, s, c)
	}
	a := mk(models.StatusPending, models.ClassNone)
	b := mk(models.StatusPending, models.ClassNone)
	moved := mk(models.StatusSpam, models.ClassSpam)
	twice := mk(models.StatusPending, models.ClassNone)
	unknown := twice.ID + 100
	approve := func(c models.Comment, audit bool) models.Decision {
		d := models.Decision{CommentID: c.ID, From: models.StatusPending, To: models.StatusApproved, TrainedFrom: models.ClassNone,
			TrainedTo: models.ClassHam, Events: []models.TrainingEvent{event(models.ClassHam, 1, fmt.Sprint("tok", c.ID))}, At: at(500)}
		if audit {
			d.Audit = note("ada", "approve")
		}
		return d
	}
	t.Run("invalid decision refuses the batch", func(t *testing.T) {
		bad := approve(b, true)
		bad.To = "published"
		beforeAudit, beforeEvents := allAudit(t, s), allEvents(t, s)
		_, _, err := s.DecideMany(ctx, []models.Decision{approve(a, true), bad})
		wantInvalid(t, err, "to")
		wantAudit(t, s, beforeAudit, 0)
		if len(allEvents(t, s)) != len(beforeEvents) {
			t.Error("a refused batch appended events")
		}
		checkComment(t, get(t, s, a.ID), a)
	})
	t.Run("empty batch", func(t *testing.T) {
		updated, conflicted, err := s.DecideMany(ctx, nil)
		if err != nil || len(updated) != 0 || len(conflicted) != 0 {
			t.Errorf("DecideMany(nil) = %v, %v, %v", updated, conflicted, err)
		}
	})

	ds := []models.Decision{
		approve(a, true),
		approve(moved, true), // is spam, not pending
		approve(twice, true),
		{CommentID: unknown, From: models.StatusPending, To: models.StatusSpam, Audit: note("ada", "spam")},
		approve(b, false),
		approve(twice, true), // the first one moved it on
	}
	beforeAudit, beforeEvents := allAudit(t, s), allEvents(t, s)
	updated, conflicted, err := s.DecideMany(ctx, ds)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{moved.ID, unknown, twice.ID}; !slices.Equal(conflicted, want) {
		t.Errorf("conflicted %v, want %v", conflicted, want)
	}
	applied := []models.Comment{a, twice, b}
	if !slices.Equal(ids(updated), ids(applied)) {
		t.Fatalf("updated %v, want %v", ids(updated), ids(applied))
	}
	for i, c := range applied {
		want := c
		want.Status, want.TrainedAs, want.UpdatedAt = models.StatusApproved, models.ClassHam, at(500)
		checkComment(t, updated[i], want)
		checkComment(t, get(t, s, c.ID), want)
	}
	checkComment(t, get(t, s, moved.ID), moved)

	evs := allEvents(t, s)[len(beforeEvents):]
	if len(evs) != len(applied) {
		t.Fatalf("%d events appended, want %d", len(evs), len(applied))
	}
	for i, e := range evs {
		checkEvent(t, e, models.TrainingEvent{ID: e.ID, CommentID: applied[i].ID, Class: models.ClassHam, Delta: 1,
			Tokens: []string{fmt.Sprint("tok", applied[i].ID)}, CreatedAt: at(500)})
	}
	recs := wantAudit(t, s, beforeAudit, 2) // a and the first of twice; b had none
	for i, c := range []models.Comment{a, twice} {
		checkAudit(t, recs[i], models.AuditEntry{ID: recs[i].ID, At: at(500), Actor: "ada", Action: "approve", CommentID: c.ID,
			FromStatus: models.StatusPending, ToStatus: models.StatusApproved, Score: score(c.Score), Detail: "detail of approve"})
	}
	checkAudit(t, *ds[0].Audit, recs[0])
	checkAudit(t, *ds[2].Audit, recs[1])
	for _, i := range []int{1, 3, 5} {
		if ds[i].Audit.ID != 0 {
			t.Errorf("conflicted decision %d: audit got ID %d", i, ds[i].Audit.ID)
		}
	}
}

func testDecideManyLarge(t *testing.T, s Store) {
	ctx := t.Context()
	const n = 300
	var ds []models.Decision
	for i := range n {
		c := create(t, s, comment("p", models.StatusPending, at(i)))
		ds = append(ds, models.Decision{CommentID: c.ID, From: models.StatusPending, To: models.StatusSpam,
			TrainedTo: models.ClassSpam, Events: []models.TrainingEvent{event(models.ClassSpam, 1, "x")}, Audit: note("bot", "spam.bulk")})
	}
	updated, conflicted, err := s.DecideMany(ctx, ds)
	if err != nil || len(updated) != n || len(conflicted) != 0 {
		t.Fatalf("DecideMany: %d updated, %d conflicted, %v", len(updated), len(conflicted), err)
	}
	counts, err := s.CountByStatus(ctx)
	if err != nil || counts[models.StatusSpam] != n || counts[models.StatusPending] != 0 {
		t.Errorf("counts after the batch: %v, %v", counts, err)
	}
	if evs := allEvents(t, s); len(evs) != n {
		t.Errorf("%d events, want %d", len(evs), n)
	}
	if recs := allAudit(t, s); len(recs) != n {
		t.Errorf("%d audit entries, want %d", len(recs), n)
	}
	// Replayed, every decision conflicts and nothing changes.
	for i := range ds {
		ds[i].Audit = note("bot", "spam.bulk")
	}
	updated, conflicted, err = s.DecideMany(ctx, ds)
	if err != nil || len(updated) != 0 || len(conflicted) != n {
		t.Fatalf("replay: %d updated, %d conflicted, %v", len(updated), len(conflicted), err)
	}
	if recs := allAudit(t, s); len(recs) != n {
		t.Errorf("replay recorded audit entries: %d, want %d", len(recs), n)
	}
}
