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
	type checkpoint struct{ frames, copied int }
	ran := make(chan checkpoint, 1)
	o := defaultOptions
	o.onCheckpoint = func(frames, copied int) {
		select {
		case ran <- checkpoint{frames, copied}:
		default:
		}
	}
	s, path := openTest(t, o)
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

// TestCheckpointSkipsABusyWriter: an idle checkpoint does not wait behind a
// long write holding the writer connection (an import, a bulk decision),
// which would then hold the comments that queue meanwhile behind the copy.
func TestCheckpointSkipsABusyWriter(t *testing.T) {
	s, _ := openTest(t, defaultOptions)
	conn, err := s.write.Conn(t.Context()) // the writer's only connection, as a long write holds it
	if err != nil {
		t.Fatal(err)
	}
	ran := false
	ck := &checkpointer{db: s.write, done: func(int, int) { ran = true }}
	returned := make(chan struct{})
	go func() {
		ck.idle(t.Context())
		close(returned)
	}()
	select {
	case <-returned:
	case <-time.After(checkpointTimeout / 2): // it would wait out checkpointTimeout
		conn.Close()
		t.Fatal("the idle checkpoint waits for the busy writer connection")
	}
	if ran {
		t.Error("a checkpoint ran without the writer connection")
	}
	conn.Close()
	ck.idle(t.Context()) // the connection is free again: this one runs
	if !ran {
		t.Error("no checkpoint once the writer connection was free")
	}
}
