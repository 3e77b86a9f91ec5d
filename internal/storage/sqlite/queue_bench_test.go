package sqlite

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/internal/storage/storagetest"
	"github.com/commentd/commentd/models"
)

// seedQueue stores storagetest.QueueComment 0..n-1 of status st, in one
// transaction through the insert CreateComment uses.
func seedQueue(tb testing.TB, s *Store, n int, st models.Status, start time.Time) {
	tb.Helper()
	// The default 2 MB page cache thrashes on a bulk insert into eight indexes.
	if _, err := s.write.ExecContext(tb.Context(), "PRAGMA cache_size = -262144"); err != nil {
		tb.Fatal(err)
	}
	err := s.inTx(tb.Context(), func(tx *sql.Tx) error {
		p := newPreparer(tx)
		for i := range n {
			c := storagetest.QueueComment(i, st, start)
			row, err := storage.CheckComment(&c)
			if err != nil {
				return err
			}
			if _, err := insertComment(tb.Context(), p, &c, row, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// openQueueBench opens a store for a benchmark in a temporary directory.
func openQueueBench(b *testing.B) *Store {
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkListQueue100k pages through a queue of 100,000 pending comments
// (among 10,000 spam ones) 50 at a time, by each sort and filter.
func BenchmarkListQueue100k(b *testing.B) {
	s := openQueueBench(b)
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	began := time.Now()
	seedQueue(b, s, 100_000, models.StatusPending, start)
	seedQueue(b, s, 10_000, models.StatusSpam, start)
	b.Logf("seeded 110,000 comments in %s", time.Since(began).Round(time.Millisecond))
	storagetest.BenchListQueue(b, s, start)
}

// BenchmarkDecideMany applies batches of 1,000 decisions, each with a training
// event and an audit entry.
func BenchmarkDecideMany(b *testing.B) {
	s := openQueueBench(b)
	seedQueue(b, s, 1000, models.StatusPending, time.Now())
	storagetest.BenchDecideMany(b, s, 1000)
}
