package sqlite_test

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/commentd/commentd/internal/storage/sqlite"
	"github.com/commentd/commentd/internal/storage/storagetest"
	"github.com/commentd/commentd/models"
)

var _ storagetest.Store = (*sqlite.Store)(nil)

// openAt opens the store at path; the caller closes it.
func openAt(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storagetest.Store {
		return openAt(t, filepath.Join(t.TempDir(), "data", "commentd.db"))
	})
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		path    string
		wantErr bool
	}{
		{"nested directories are created", filepath.Join(dir, "a", "b", "c", "commentd.db"), false},
		{"odd characters in the path", filepath.Join(dir, "we ird?#%20&dir", "comm?ent#d%.db"), false},
		{"relative path", "commentd-relative.db", false},
		{"empty path", "", true},
		{"memory", ":memory:", true},
		{"parent is a file", filepath.Join(dir, "a", "b", "c", "commentd.db", "x.db"), true},
	}
	t.Chdir(t.TempDir())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := sqlite.Open(t.Context(), tt.path)
			if tt.wantErr {
				if err == nil {
					s.Close()
					t.Fatal("Open succeeded")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c := models.Comment{Post: "p", Author: "a", Email: "a@example.org", Text: "t", Status: models.StatusApproved}
			if err := s.CreateComment(t.Context(), &c); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(tt.path); err != nil {
				t.Fatalf("database file: %v", err)
			}
		})
	}
}

// TestReopen checks that everything survives closing and opening the file again.
func TestReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "commentd.db")
	s := openAt(t, path)
	var stored []models.Comment
	for i, st := range []models.Status{models.StatusApproved, models.StatusPending, models.StatusApproved, models.StatusSpam} {
		c := models.Comment{Post: "https://example.org/a?b='c'%", Author: "Zoë", Email: "z@example.org",
			Text: "héllo 👋 \u202Ertl\u202C", Status: st, Score: float64(i) / 3,
			Reasons: models.Reasons{Rules: []string{"r"}, Tokens: []models.TokenWeight{{Token: "t", Weight: 1.5}}}}
		if err := s.CreateComment(ctx, &c); err != nil {
			t.Fatal(err)
		}
		stored = append(stored, c)
	}
	decided, err := s.Decide(ctx, models.Decision{CommentID: stored[1].ID, From: models.StatusPending, To: models.StatusApproved,
		TrainedTo: models.ClassHam, Events: []models.TrainingEvent{{Class: models.ClassHam, Delta: 1, Tokens: []string{"héllo"}}},
		At: stored[1].CreatedAt.Add(1)})
	if err != nil {
		t.Fatal(err)
	}
	stored[1] = decided
	if _, err := s.AppendTrainingEvents(ctx, []models.TrainingEvent{{Class: models.ClassSpam, Delta: 1, Tokens: []string{"x"}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSnapshot(ctx, models.ModelSnapshot{LastEventID: 2, StarterVersion: "v1", Data: []byte{0, 1, 2}}); err != nil {
		t.Fatal(err)
	}
	last := stored[len(stored)-1]
	if err := s.DeleteComment(ctx, last.ID, nil); err != nil {
		t.Fatal(err)
	}
	stored = stored[:len(stored)-1]
	eventsBefore, err := s.TrainingEventsAfter(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	snapBefore, err := s.LatestSnapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openAt(t, path)
	defer s.Close()
	for _, want := range stored {
		got, err := s.GetComment(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !sameComment(got, want) {
			t.Errorf("after reopen\n got %+v\nwant %+v", got, want)
		}
	}
	page, err := s.ListApproved(ctx, stored[0].Post, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := []int64{page.Comments[0].ID, page.Comments[1].ID, page.Comments[2].ID}; len(page.Comments) != 3 ||
		!slices.Equal(got, []int64{stored[0].ID, stored[1].ID, stored[2].ID}) {
		t.Errorf("approved after reopen: %d comments", len(page.Comments))
	}
	eventsAfter, err := s.TrainingEventsAfter(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(eventsAfter) != len(eventsBefore) || len(eventsAfter) != 2 || eventsAfter[1].ID != eventsBefore[1].ID ||
		!eventsAfter[0].CreatedAt.Equal(eventsBefore[0].CreatedAt) {
		t.Errorf("events after reopen %+v, before %+v", eventsAfter, eventsBefore)
	}
	snap, err := s.LatestSnapshot(ctx)
	if err != nil || snap.ID != snapBefore.ID || string(snap.Data) != "\x00\x01\x02" || !snap.CreatedAt.Equal(snapBefore.CreatedAt) {
		t.Errorf("snapshot after reopen %+v, %v", snap, err)
	}
	// Ids are never reused, not even the deleted last one.
	c := models.Comment{Post: "p", Author: "a", Email: "a@example.org", Text: "t", Status: models.StatusPending}
	if err := s.CreateComment(ctx, &c); err != nil {
		t.Fatal(err)
	}
	if c.ID <= last.ID {
		t.Errorf("new ID %d, want above the deleted %d", c.ID, last.ID)
	}
}

func sameComment(a, b models.Comment) bool {
	return a.ID == b.ID && a.Post == b.Post && a.Text == b.Text && a.Author == b.Author && a.Status == b.Status &&
		a.Score == b.Score && a.TrainedAs == b.TrainedAs && a.CreatedAt.Equal(b.CreatedAt) && a.UpdatedAt.Equal(b.UpdatedAt) &&
		slices.Equal(a.Reasons.Rules, b.Reasons.Rules) && slices.Equal(a.Reasons.Tokens, b.Reasons.Tokens)
}

// TestMigrationsIdempotent reopens a database and checks that every migration
// is recorded once, and that a database from a newer binary is refused.
func TestMigrationsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "commentd.db")
	for range 3 {
		if err := openAt(t, path).Close(); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	versions := func() []int {
		rows, err := db.Query(`SELECT version FROM schema_migrations ORDER BY version`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var vs []int
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			vs = append(vs, v)
		}
		return vs
	}
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migration files: %v %v", files, err)
	}
	if got := versions(); len(got) != len(files) || got[0] != 1 {
		t.Fatalf("schema_migrations = %v, want %d versions from 1", got, len(files))
	}
	var mode string
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}

	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(t.Context(), path)
	if err == nil {
		s.Close()
		t.Fatal("Open accepted a database migrated by a newer binary")
	}
	if errors.Is(err, models.ErrNotFound) {
		t.Fatalf("unexpected error: %v", err)
	}
}
