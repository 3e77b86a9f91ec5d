package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/commentd/commentd/models"
)

// openTest opens a store in a temporary directory with options o.
func openTest(t *testing.T, o options) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "commentd.db")
	s, err := open(t.Context(), path, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func newComment(st models.Status) models.Comment {
	return models.Comment{Post: "p", Author: "a", Email: "a@example.org", Text: "t", Status: st}
}

func TestConnectionSettings(t *testing.T) {
	s, _ := openTest(t, defaultOptions)
	tests := []struct {
		pool   string
		db     *sql.DB
		pragma string
		want   string
	}{
		{"write", s.write, "journal_mode", "wal"},
		{"write", s.write, "foreign_keys", "1"},
		{"write", s.write, "busy_timeout", "5000"},
		{"write", s.write, "synchronous", "1"},
		{"read", s.read, "journal_mode", "wal"},
		{"read", s.read, "foreign_keys", "1"},
		{"read", s.read, "busy_timeout", "5000"},
		{"read", s.read, "query_only", "1"},
		{"write", s.write, "temp_store", "2"},
		{"read", s.read, "temp_store", "2"},
	}
	for _, tt := range tests {
		t.Run(tt.pool+" "+tt.pragma, func(t *testing.T) {
			var got string
			if err := tt.db.QueryRowContext(t.Context(), "PRAGMA "+tt.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("PRAGMA %s = %q, want %q", tt.pragma, got, tt.want)
			}
		})
	}
	if _, err := s.read.ExecContext(t.Context(), `DELETE FROM comments`); err == nil {
		t.Error("the read pool accepted a write")
	}
	if got := s.write.Stats().MaxOpenConnections; got != 1 {
		t.Errorf("writer pool allows %d connections, want 1", got)
	}
}

// TestReadsDoNotWaitOnWrites holds the only writer connection in an open
// transaction and reads meanwhile.
func TestReadsDoNotWaitOnWrites(t *testing.T) {
	s, _ := openTest(t, defaultOptions)
	ctx := t.Context()
	committed := newComment(models.StatusPending)
	if err := s.CreateComment(ctx, &committed); err != nil {
		t.Fatal(err)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE comments SET status = 'spam'`); err != nil {
		t.Fatal(err)
	}
	readCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	page, err := s.ListByStatus(readCtx, models.StatusPending, "", 10)
	if err != nil {
		t.Fatalf("read during a write: %v", err)
	}
	if len(page.Comments) != 1 || page.Comments[0].ID != committed.ID {
		t.Errorf("read during a write saw %v, want the committed state", page.Comments)
	}
	if _, err := s.GetComment(readCtx, committed.ID); err != nil {
		t.Errorf("GetComment during a write: %v", err)
	}
}

// TestBusyRetry holds the write lock from another connection, as another
// process would, past busy_timeout.
func TestBusyRetry(t *testing.T) {
	lock := func(t *testing.T, path string) (release func()) {
		t.Helper()
		other, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		conn, err := other.Conn(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(t.Context(), `BEGIN IMMEDIATE`); err != nil {
			t.Fatal(err)
		}
		return func() {
			if _, err := conn.ExecContext(context.Background(), `COMMIT`); err != nil {
				t.Error(err)
			}
			conn.Close()
			other.Close()
		}
	}

	t.Run("retried until the lock is free", func(t *testing.T) {
		s, path := openTest(t, options{busyTimeout: 5 * time.Millisecond, busyRetries: 1000, busyBackoff: time.Millisecond})
		busy := make(chan struct{}, 1)
		s.onBusy = func() {
			select {
			case busy <- struct{}{}:
			default:
			}
		}
		release := lock(t, path)
		done := make(chan error, 1)
		c := newComment(models.StatusPending)
		go func() { done <- s.CreateComment(t.Context(), &c) }()
		select {
		case <-busy:
		case err := <-done:
			t.Fatalf("CreateComment returned %v while the lock was held", err)
		}
		release()
		if err := <-done; err != nil {
			t.Fatalf("CreateComment after the lock was freed: %v", err)
		}
		if _, err := s.GetComment(t.Context(), c.ID); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("gives up after the retries", func(t *testing.T) {
		s, path := openTest(t, options{busyTimeout: time.Millisecond, busyRetries: 2, busyBackoff: time.Millisecond})
		retries := 0
		s.onBusy = func() { retries++ }
		release := lock(t, path)
		defer release()
		c := newComment(models.StatusPending)
		err := s.CreateComment(t.Context(), &c)
		if !isBusy(err) || !errors.Is(err, models.ErrUnavailable) {
			t.Fatalf("err = %v, want SQLITE_BUSY as models.ErrUnavailable (a 503, not a 500)", err)
		}
		if retries != 2 {
			t.Errorf("%d retries, want 2", retries)
		}
	})
}

// TestQueryPlans keeps the hot queries on their indexes.
func TestQueryPlans(t *testing.T) {
	s, _ := openTest(t, defaultOptions)
	tests := []struct {
		name  string
		query string
		args  []any
		index string // the index the plan must use, with nothing else scanned or sorted
		cond  string // and, when set, part of its search condition
	}{
		{"ListApproved", listApprovedSQL, []any{"p", 0, 0, 10}, "comments_by_post", ""},
		{"ListByStatus", listByStatusSQL, []any{"pending", 0, 0, 10}, "comments_by_status", ""},
		{"CountApproved", countApprovedSQL(3), []any{"a", "b", "c"}, "comments_by_post", ""},
		{"InsertUnique", insertUniqueSQL, []any{"p", 0, "a", "e", "e", "", "t", "", nil, "", "approved", 0.5, "{}", "", 1, 1, 0}, "comments_duplicate", "email_norm=? AND <expr>=? AND created_at>?"},
		{"LastTrainingEvent", lastEventSQL, []any{1}, "training_events_by_comment", ""},
		{"TrainingEventsAfter", eventsAfterSQL, []any{0, 10}, "INTEGER PRIMARY KEY", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := queryPlan(t, s, tt.query, tt.args...)
			all := strings.Join(plan, "\n")
			bad := !strings.Contains(all, tt.index) || !strings.Contains(all, tt.cond) || strings.Contains(all, "TEMP B-TREE")
			for _, line := range plan {
				bad = bad || (strings.HasPrefix(line, "SCAN") && !strings.Contains(line, "CONSTANT ROW"))
			}
			if bad {
				t.Errorf("plan does not use %s (%s) alone:\n%s", tt.index, tt.cond, all)
			}
		})
	}
}

// queryPlan returns the lines of the query plan of query on the read pool.
func queryPlan(t *testing.T, s *Store, query string, args ...any) []string {
	t.Helper()
	rows, err := s.read.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

func TestSnapshotsPruned(t *testing.T) {
	s, _ := openTest(t, defaultOptions)
	for i := range keepSnapshots + 4 {
		if err := s.SaveSnapshot(t.Context(), models.ModelSnapshot{LastEventID: int64(i), Data: []byte{byte(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	var n, oldest int
	if err := s.read.QueryRowContext(t.Context(), `SELECT COUNT(*), MIN(last_event_id) FROM model_snapshots`).Scan(&n, &oldest); err != nil {
		t.Fatal(err)
	}
	if n != keepSnapshots || oldest != 4 {
		t.Errorf("%d snapshots kept, oldest of event %d; want %d, oldest of event 4", n, oldest, keepSnapshots)
	}
}
