package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/commentd/commentd/internal/storage/sqlite"
	"github.com/commentd/commentd/internal/storage/storagetest"
)

func openBench(b *testing.B) *sqlite.Store {
	s := openAt(b, filepath.Join(b.TempDir(), "bench.db"))
	b.Cleanup(func() { s.Close() })
	return s
}

func BenchmarkCreateComment(b *testing.B) { storagetest.BenchCreateComment(b, openBench(b)) }

// BenchmarkCreateCommentParallel shows the group commit sharing the
// transactions of concurrent creates.
func BenchmarkCreateCommentParallel(b *testing.B) {
	storagetest.BenchCreateCommentParallel(b, openBench(b))
}

func BenchmarkListApproved(b *testing.B) { storagetest.BenchListApproved(b, openBench(b)) }

func BenchmarkCreateCommentUnique(b *testing.B) {
	storagetest.BenchCreateCommentUnique(b, openBench(b))
}
