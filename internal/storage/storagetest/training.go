package storagetest

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/commentd/commentd/models"
)

func testLastTrainingEvent(t *testing.T, s Store) {
	ctx := t.Context()
	tests := []struct {
		name    string
		history [][]models.TrainingEvent // one decision each
		want    int                      // index into the flattened history, -1: ErrNotFound
	}{
		{"none", nil, -1},
		{"one lesson", [][]models.TrainingEvent{{event(models.ClassHam, 1, "a", "b")}}, 0},
		{"reversed", [][]models.TrainingEvent{
			{event(models.ClassHam, 1, "a")},
			{event(models.ClassHam, -1, "a"), event(models.ClassSpam, 1, "a", "z")},
		}, 2},
		{"taken back only", [][]models.TrainingEvent{{event(models.ClassSpam, -1, "x")}}, -1},
		{"latest positive, not latest", [][]models.TrainingEvent{
			{event(models.ClassSpam, 1, "s")},
			{event(models.ClassSpam, -1, "s")},
		}, 0},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := create(t, s, comment("p", models.StatusPending, at(i)))
			// Another comment's lessons, before and after, must not interfere.
			other := create(t, s, comment("p", models.StatusPending, at(i)))
			if _, err := s.AppendTrainingEvents(ctx, []models.TrainingEvent{{CommentID: other.ID, Class: models.ClassHam, Delta: 1}}); err != nil {
				t.Fatal(err)
			}
			var flat []models.TrainingEvent
			for j, evs := range tt.history {
				status := models.StatusPending
				if j%2 == 1 {
					status = models.StatusSpam
				}
				cur := get(t, s, c.ID)
				d := models.Decision{CommentID: c.ID, From: cur.Status, To: status, TrainedFrom: cur.TrainedAs,
					TrainedTo: evs[len(evs)-1].Class, Events: evs, At: at(100 + j)}
				if _, err := s.Decide(ctx, d); err != nil {
					t.Fatal(err)
				}
				flat = append(flat, evs...)
			}
			if _, err := s.AppendTrainingEvents(ctx, []models.TrainingEvent{{CommentID: other.ID, Class: models.ClassSpam, Delta: 1}}); err != nil {
				t.Fatal(err)
			}
			got, err := s.LastTrainingEvent(ctx, c.ID)
			if tt.want < 0 {
				wantErr(t, err, models.ErrNotFound)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			w := flat[tt.want]
			if got.CommentID != c.ID || got.Class != w.Class || got.Delta != w.Delta || strings.Join(got.Tokens, " ") != strings.Join(w.Tokens, " ") {
				t.Errorf("LastTrainingEvent = %+v, want %+v", got, w)
			}
		})
	}
	_, err := s.LastTrainingEvent(ctx, 0)
	wantErr(t, err, models.ErrNotFound)
}

func testAppendTrainingEvents(t *testing.T, s Store) {
	ctx := t.Context()
	tests := []struct {
		name  string
		evs   []models.TrainingEvent
		field string // "" when valid
	}{
		{"none", nil, ""},
		{"empty", []models.TrainingEvent{}, ""},
		{"corpus", []models.TrainingEvent{
			event(models.ClassHam, 1, "hello", "world"),
			event(models.ClassSpam, 1, "viagra", "casino", "🎰", "ünïcode", `"quoted"`, "back\\slash"),
			event(models.ClassHam, -1, "hello"),
		}, ""},
		{"nil and empty tokens", []models.TrainingEvent{event(models.ClassHam, 1), {Class: models.ClassSpam, Delta: 1, Tokens: []string{}}}, ""},
		{"many tokens", []models.TrainingEvent{event(models.ClassSpam, 1, strings.Fields(strings.Repeat("tok ", 5000))...)}, ""},
		{"from a comment id", []models.TrainingEvent{{CommentID: 77, Class: models.ClassHam, Delta: 1}}, ""},
		{"no class", []models.TrainingEvent{event(models.ClassHam, 1), event(models.ClassNone, 1)}, "events"},
		{"unknown class", []models.TrainingEvent{event("eggs", 1)}, "events"},
		{"delta zero", []models.TrainingEvent{event(models.ClassHam, 1), event(models.ClassHam, 0)}, "events"},
		{"delta two", []models.TrainingEvent{event(models.ClassSpam, 2)}, "events"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := allEvents(t, s)
			start := time.Now()
			got, err := s.AppendTrainingEvents(ctx, tt.evs)
			if tt.field != "" {
				wantInvalid(t, err, tt.field)
				if after := allEvents(t, s); len(after) != len(before) {
					t.Errorf("a refused append stored %d events", len(after)-len(before))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.evs) {
				t.Fatalf("%d events returned, want %d", len(got), len(tt.evs))
			}
			after := allEvents(t, s)
			if len(after) != len(before)+len(tt.evs) {
				t.Fatalf("%d events stored, want %d", len(after)-len(before), len(tt.evs))
			}
			lastID := int64(0)
			if len(before) > 0 {
				lastID = before[len(before)-1].ID
			}
			for i, e := range got {
				if e.ID <= lastID {
					t.Errorf("event ID %d after %d, want increasing", e.ID, lastID)
				}
				lastID = e.ID
				if e.CreatedAt.Before(start.Add(-time.Second)) || e.CreatedAt.After(time.Now().Add(time.Second)) {
					t.Errorf("event CreatedAt %v, want now", e.CreatedAt)
				}
				w := tt.evs[i]
				w.ID, w.CreatedAt = e.ID, e.CreatedAt
				checkEvent(t, e, w)
				checkEvent(t, after[len(before)+i], w)
			}
		})
	}
}

func testTrainingEventsAfter(t *testing.T, s Store) {
	ctx := t.Context()
	var evs []models.TrainingEvent
	for i := range 10 {
		evs = append(evs, event(models.ClassHam, 1, fmt.Sprint("t", i)))
	}
	stored, err := s.AppendTrainingEvents(ctx, evs)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		afterID int64
		limit   int
		want    []models.TrainingEvent
	}{
		{"all", 0, 100, stored},
		{"negative after", -5, 100, stored},
		{"first three", 0, 3, stored[:3]},
		{"middle", stored[3].ID, 4, stored[4:8]},
		{"tail", stored[7].ID, 100, stored[8:]},
		{"after the last", stored[9].ID, 10, nil},
		{"one", stored[0].ID, 1, stored[1:2]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.TrainingEventsAfter(ctx, tt.afterID, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%d events, want %d", len(got), len(tt.want))
			}
			for i := range got {
				checkEvent(t, got[i], tt.want[i])
			}
		})
	}
	for _, limit := range []int{0, -1} {
		_, err := s.TrainingEventsAfter(ctx, 0, limit)
		wantInvalid(t, err, "limit")
	}
	// Replaying in batches sees every event once, in order.
	var replay []int64
	for after := int64(0); ; {
		batch, err := s.TrainingEventsAfter(ctx, after, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(batch) == 0 {
			break
		}
		for _, e := range batch {
			replay = append(replay, e.ID)
		}
		after = batch[len(batch)-1].ID
	}
	if len(replay) != len(stored) || replay[0] != stored[0].ID || replay[9] != stored[9].ID {
		t.Errorf("replay = %v", replay)
	}
}

func testSnapshot(t *testing.T, s Store) {
	ctx := t.Context()
	_, err := s.LatestSnapshot(ctx)
	wantErr(t, err, models.ErrNotFound)

	big := bytes.Repeat([]byte{0, 1, 2, 0xff, 'x'}, 1<<18)
	tests := []struct {
		name string
		snap models.ModelSnapshot
	}{
		{"first", models.ModelSnapshot{LastEventID: 0, StarterVersion: "starter-2025.06", Data: []byte("{}"), CreatedAt: at(1)}},
		{"binary data", models.ModelSnapshot{LastEventID: 10, StarterVersion: "starter-2025.06", Data: []byte{0, 0, 0xfe, 0xff, '\n'}, CreatedAt: at(2)}},
		{"large", models.ModelSnapshot{LastEventID: 99, StarterVersion: "v2", Data: big, CreatedAt: at(3)}},
		{"empty data", models.ModelSnapshot{LastEventID: 100, StarterVersion: "", Data: nil, CreatedAt: at(4)}},
		{"older event id still latest", models.ModelSnapshot{LastEventID: 50, StarterVersion: "v3", Data: []byte("x"), CreatedAt: at(5)}},
		{"zero time", models.ModelSnapshot{LastEventID: 101, StarterVersion: "v3", Data: []byte("y")}},
	}
	var lastID int64
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			if err := s.SaveSnapshot(ctx, tt.snap); err != nil {
				t.Fatalf("SaveSnapshot: %v", err)
			}
			got, err := s.LatestSnapshot(ctx)
			if err != nil {
				t.Fatalf("LatestSnapshot: %v", err)
			}
			if got.ID <= lastID {
				t.Errorf("snapshot ID %d after %d, want increasing", got.ID, lastID)
			}
			lastID = got.ID
			if got.LastEventID != tt.snap.LastEventID || got.StarterVersion != tt.snap.StarterVersion || !bytes.Equal(got.Data, tt.snap.Data) {
				t.Errorf("LatestSnapshot = {%d %d %q %d bytes}, want {%d %q %d bytes}", got.ID, got.LastEventID, got.StarterVersion,
					len(got.Data), tt.snap.LastEventID, tt.snap.StarterVersion, len(tt.snap.Data))
			}
			switch {
			case got.CreatedAt.Location() != time.UTC:
				t.Errorf("CreatedAt %v not in UTC", got.CreatedAt)
			case tt.snap.CreatedAt.IsZero() && (got.CreatedAt.Before(start.Add(-time.Second)) || got.CreatedAt.After(time.Now().Add(time.Second))):
				t.Errorf("CreatedAt %v, want now", got.CreatedAt)
			case !tt.snap.CreatedAt.IsZero() && !got.CreatedAt.Equal(tt.snap.CreatedAt):
				t.Errorf("CreatedAt %v, want %v", got.CreatedAt, tt.snap.CreatedAt)
			}
		})
	}

	invalid := []struct {
		name, field string
		snap        models.ModelSnapshot
	}{
		{"negative event id", "last_event_id", models.ModelSnapshot{LastEventID: -1, Data: []byte("z")}},
		{"time out of range", "created_at", models.ModelSnapshot{Data: []byte("z"), CreatedAt: time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)}},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			wantInvalid(t, s.SaveSnapshot(ctx, tt.snap), tt.field)
			if got, err := s.LatestSnapshot(ctx); err != nil || got.ID != lastID {
				t.Errorf("LatestSnapshot = #%d, %v after a refused save; want #%d", got.ID, err, lastID)
			}
		})
	}
}
