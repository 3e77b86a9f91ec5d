package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// The benchmarks mirror the SQLite store's, to compare the engines:
// go test -run XXX -bench . ./internal/storage/...

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

func BenchmarkCreateComment(b *testing.B) {
	s := openFresh(b)
	b.Cleanup(func() { s.Close() })
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
	s := openFresh(b)
	b.Cleanup(func() { s.Close() })
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

// BenchmarkListQueue100k pages through a queue of 100,000 pending comments
// (among 10,000 spam ones) 50 at a time, seeded like the SQLite benchmark.
func BenchmarkListQueue100k(b *testing.B) {
	s := openFresh(b)
	b.Cleanup(func() { s.Close() })
	ctx := b.Context()
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	began := time.Now()
	var batch []models.Comment
	for i := range 110_000 {
		st := models.StatusPending
		if i >= 100_000 {
			st = models.StatusSpam
		}
		batch = append(batch, models.Comment{ID: int64(i + 1),
			Post:   fmt.Sprintf("https://example.org/2025/post-%d", i%500),
			Author: fmt.Sprintf("Reader %d", i%5000), Email: fmt.Sprintf("reader%d@example.org", i%5000),
			Text: fmt.Sprintf("Comment %d: a few sentences of ordinary length about the post, "+
				"with a link or two and some ünïcödé. 👋", i),
			IP:     fmt.Sprintf("198.%d.%d.%d", 18+i%2, (i/2)%128, i%251),
			Status: st, Score: float64(i*7919%10007) / 10007,
			Reasons:   models.Reasons{Rules: []string{"links"}, Tokens: []models.TokenWeight{{Token: "post", Weight: -1.2}}},
			CreatedAt: start.Add(time.Duration(i%100_000) * time.Second), UpdatedAt: start,
		})
		if len(batch) == storage.ExportBatch {
			if err := s.Import(ctx, storage.Batch{Comments: batch}); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	b.Logf("seeded 110,000 comments in %s", time.Since(began).Round(time.Millisecond))
	pending := models.QueueFilter{Status: models.StatusPending, Limit: 50}
	with := func(edit func(f *models.QueueFilter)) models.QueueFilter {
		f := pending
		edit(&f)
		return f
	}
	second := func(f models.QueueFilter) models.QueueFilter {
		p, err := s.ListQueue(ctx, f)
		if err != nil || p.NextCursor == "" {
			b.Fatalf("first page: next %q, %v", p.NextCursor, err)
		}
		f.Cursor = p.NextCursor
		return f
	}
	tests := []struct {
		name string
		f    models.QueueFilter
	}{
		{"newest", pending},
		{"newest page 2", second(pending)},
		{"score", with(func(f *models.QueueFilter) { f.Sort = models.SortScore })},
		{"post", with(func(f *models.QueueFilter) { f.Post = "https://example.org/2025/post-42" })},
		{"email", with(func(f *models.QueueFilter) { f.Email = "Reader42@example.org" })},
		{"ip /24", with(func(f *models.QueueFilter) { f.IP = "198.19.100.0/24" })},
		{"author substring", with(func(f *models.QueueFilter) { f.Author = "reader 4242" })},
		{"text substring, rare", with(func(f *models.QueueFilter) { f.Text = "comment 4242:" })},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.ListQueue(ctx, tt.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
