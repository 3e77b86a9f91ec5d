package postgres_test

import (
	"testing"
	"time"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/internal/storage/postgres"
	"github.com/commentd/commentd/internal/storage/storagetest"
	"github.com/commentd/commentd/models"
)

// The benchmarks are the SQLite store's, from storagetest, to compare the engines:
// go test -run XXX -bench . ./internal/storage/...

func openBench(b *testing.B) *postgres.Store {
	s := openFresh(b)
	b.Cleanup(func() { s.Close() })
	return s
}

// seedQueue imports storagetest.QueueComment 0..n-1 of status st, with the
// ids first, first+1 ...
func seedQueue(b *testing.B, s *postgres.Store, first int64, n int, st models.Status, start time.Time) {
	b.Helper()
	var batch []models.Comment
	for i := range n {
		c := storagetest.QueueComment(i, st, start)
		c.ID = first + int64(i)
		if batch = append(batch, c); len(batch) == storage.ExportBatch || i == n-1 {
			if err := s.Import(b.Context(), storage.Batch{Comments: batch}); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}

func BenchmarkCreateComment(b *testing.B) { storagetest.BenchCreateComment(b, openBench(b)) }

func BenchmarkCreateCommentParallel(b *testing.B) {
	storagetest.BenchCreateCommentParallel(b, openBench(b))
}

func BenchmarkListApproved(b *testing.B) { storagetest.BenchListApproved(b, openBench(b)) }

func BenchmarkCreateCommentUnique(b *testing.B) {
	storagetest.BenchCreateCommentUnique(b, openBench(b))
}

// BenchmarkListQueue100k pages through a queue of 100,000 pending comments
// (among 10,000 spam ones) 50 at a time, by each sort and filter.
func BenchmarkListQueue100k(b *testing.B) {
	s := openBench(b)
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	began := time.Now()
	seedQueue(b, s, 1, 100_000, models.StatusPending, start)
	seedQueue(b, s, 100_001, 10_000, models.StatusSpam, start)
	b.Logf("seeded 110,000 comments in %s", time.Since(began).Round(time.Millisecond))
	storagetest.BenchListQueue(b, s, start)
}

// BenchmarkDecideMany applies batches of 1,000 decisions, each with a training
// event and an audit entry.
func BenchmarkDecideMany(b *testing.B) {
	s := openBench(b)
	seedQueue(b, s, 1, 1000, models.StatusPending, time.Now())
	storagetest.BenchDecideMany(b, s, 1000)
}
