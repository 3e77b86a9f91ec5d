package sqlite

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// TestGroupCommitAfterClose answers instead of hanging. (Concurrent creates
// are in the conformance suite: CreateConcurrent.)
func TestGroupCommitAfterClose(t *testing.T) {
	s, _ := openTest(t, defaultOptions)
	s.Close()
	c := newComment(models.StatusApproved)
	if err := s.CreateComment(t.Context(), &c); !errors.Is(err, storage.ErrClosed) {
		t.Fatalf("err = %v, want storage.ErrClosed", err)
	}
}

// TestIdleWriterCheckpoints: once no comment waits, the writer copies the WAL
// into the database file, so that the next busy stretch does not pay for the
// copy inside a commit that others are queued behind.
func TestIdleWriterCheckpoints(t *testing.T) {
	s, path := openTest(t, defaultOptions)
	type checkpoint struct{ frames, copied int }
	ran := make(chan checkpoint, 1)
	s.onCheckpoint = func(frames, copied int) {
		select {
		case ran <- checkpoint{frames, copied}:
		default:
		}
	}
	c := newComment(models.StatusApproved)
	if err := s.CreateComment(t.Context(), &c); err != nil {
		t.Fatal(err)
	}
	var got checkpoint
	select {
	case got = <-ran:
	case <-time.After(10 * time.Second):
		t.Fatal("no checkpoint after the writer went idle")
	}
	if got.frames == 0 || got.copied != got.frames {
		t.Fatalf("checkpoint copied %d of %d WAL frames, want all of at least one", got.copied, got.frames)
	}

	// The comment is in the database file itself: a copy of that file alone,
	// without the WAL, holds it.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	alone := filepath.Join(t.TempDir(), "alone.db")
	if err := os.WriteFile(alone, data, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", alone)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM comments WHERE id = ?`, c.ID).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the database file without its WAL holds %d copies of comment %d (err %v), want 1", n, c.ID, err)
	}
}
