package sqlite_test

import (
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/commentd/commentd/internal/storage/sqlite"
	"github.com/commentd/commentd/models"
)

func benchComment(i int) models.Comment {
	return models.Comment{
		Post: "https://example.org/2025/06/a-post", Author: "Ada Lovelace", Email: "ada@example.org",
		URL: "https://ada.example.org", Text: fmt.Sprintf("Comment %d: a few sentences of ordinary length about the post, "+
			"with a link or two and some ünïcödé. 👋", i),
		IP: "203.0.113.7", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", Status: models.StatusApproved,
		Score: 0.12, Reasons: models.Reasons{Rules: []string{"links"}, Tokens: []models.TokenWeight{{Token: "post", Weight: -1.2}}},
		CreatedAt: time.Unix(1_750_000_000, int64(i)),
	}
}

func openBench(b *testing.B) *sqlite.Store {
	s := openAt(b, filepath.Join(b.TempDir(), "bench.db"))
	b.Cleanup(func() { s.Close() })
	return s
}

func BenchmarkCreateComment(b *testing.B) {
	s := openBench(b)
	ctx := b.Context()
	i := 0
	for b.Loop() {
		c := benchComment(i)
		if err := s.CreateComment(ctx, &c); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkListApproved lists a post with 200 approved comments among others'.
func BenchmarkListApproved(b *testing.B) {
	s := openBench(b)
	ctx := b.Context()
	for i := range 400 {
		c := benchComment(i)
		if i%2 == 1 {
			c.Post = fmt.Sprintf("other-%d", i%7)
		}
		if err := s.CreateComment(ctx, &c); err != nil {
			b.Fatal(err)
		}
	}
	post := benchComment(0).Post
	for _, limit := range []int{50, 200} {
		b.Run(fmt.Sprintf("limit=%d", limit), func(b *testing.B) {
			for b.Loop() {
				p, err := s.ListApproved(ctx, post, "", limit)
				if err != nil || len(p.Comments) != limit {
					b.Fatalf("%d comments, %v", len(p.Comments), err)
				}
			}
		})
	}
	b.Run("walk 200 by 50", func(b *testing.B) {
		for b.Loop() {
			n, cursor := 0, ""
			for {
				p, err := s.ListApproved(ctx, post, cursor, 50)
				if err != nil {
					b.Fatal(err)
				}
				n += len(p.Comments)
				if cursor = p.NextCursor; cursor == "" {
					break
				}
			}
			if n != 200 {
				b.Fatalf("walked %d comments", n)
			}
		}
	})
	b.Run("limit=50 parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.ListApproved(ctx, post, "", 50); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkCreateCommentParallel creates comments from 8 goroutines per CPU,
// as concurrent POSTs do: the group commit shares their transactions.
func BenchmarkCreateCommentParallel(b *testing.B) {
	s := openBench(b)
	ctx := b.Context()
	var next atomic.Int64
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c := benchComment(int(next.Add(1)))
			if err := s.CreateComment(ctx, &c); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
