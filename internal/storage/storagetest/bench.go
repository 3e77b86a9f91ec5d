package storagetest

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/commentd/commentd/models"
)

// The benchmarks every engine runs, so that their figures compare:
// go test -run XXX -bench . ./internal/storage/...

// BenchComment is comment i of the write and read benchmarks: an approved
// comment of ordinary length on one post, created i nanoseconds after a fixed time.
func BenchComment(i int) models.Comment {
	return models.Comment{
		Post: "https://example.org/2025/06/a-post", Author: "Ada Lovelace", Email: "ada@example.org",
		URL: "https://ada.example.org", Text: fmt.Sprintf("Comment %d: a few sentences of ordinary length about the post, "+
			"with a link or two and some ünïcödé. 👋", i),
		IP: "203.0.113.7", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", Status: models.StatusApproved,
		Score: 0.12, Reasons: models.Reasons{Rules: []string{"links"}, Tokens: []models.TokenWeight{{Token: "post", Weight: -1.2}}},
		CreatedAt: time.Unix(1_750_000_000, int64(i)),
	}
}

// QueueComment is comment i of a seeded queue of status st: 500 posts, 5,000
// authors, addresses in 256 /24 ranges and scores spread over 0..1, created i
// seconds after start.
func QueueComment(i int, st models.Status, start time.Time) models.Comment {
	created := start.Add(time.Duration(i) * time.Second)
	return models.Comment{
		Post:   fmt.Sprintf("https://example.org/2025/post-%d", i%500),
		Author: fmt.Sprintf("Reader %d", i%5000), Email: fmt.Sprintf("reader%d@example.org", i%5000),
		Text: fmt.Sprintf("Comment %d: a few sentences of ordinary length about the post, "+
			"with a link or two and some ünïcödé. 👋", i),
		IP:     fmt.Sprintf("198.%d.%d.%d", 18+i%2, (i/2)%128, i%251),
		Status: st, Score: float64(i*7919%10007) / 10007,
		Reasons:   models.Reasons{Rules: []string{"links"}, Tokens: []models.TokenWeight{{Token: "post", Weight: -1.2}}},
		CreatedAt: created, UpdatedAt: created,
	}
}

// BenchCreateComment stores BenchComments one after another.
func BenchCreateComment(b *testing.B, s Store) {
	ctx := b.Context()
	i := 0
	for b.Loop() {
		c := BenchComment(i)
		if err := s.CreateComment(ctx, &c); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchCreateCommentParallel stores BenchComments from 8 goroutines per CPU,
// as concurrent POSTs do.
func BenchCreateCommentParallel(b *testing.B, s Store) {
	ctx := b.Context()
	var next atomic.Int64
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c := BenchComment(int(next.Add(1)))
			if err := s.CreateComment(ctx, &c); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchListApproved lists a post with 200 approved comments among others'.
func BenchListApproved(b *testing.B, s Store) {
	ctx := b.Context()
	for i := range 400 {
		c := BenchComment(i)
		if i%2 == 1 {
			c.Post = fmt.Sprintf("other-%d", i%7)
		}
		if err := s.CreateComment(ctx, &c); err != nil {
			b.Fatal(err)
		}
	}
	post := BenchComment(0).Post
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

// BenchListQueue pages through a queue 50 at a time, by each sort and filter.
// s holds QueueComment 0..99,999 pending and 0..9,999 spam, from start.
func BenchListQueue(b *testing.B, s Store, start time.Time) {
	ctx := b.Context()
	pending := models.QueueFilter{Status: models.StatusPending, Limit: 50}
	with := func(edit func(f *models.QueueFilter)) models.QueueFilter {
		f := pending
		edit(&f)
		return f
	}
	// second returns the filter of f's second page.
	second := func(f models.QueueFilter) models.QueueFilter {
		p, err := s.ListQueue(ctx, f)
		if err != nil || p.NextCursor == "" {
			b.Fatalf("first page: next %q, %v", p.NextCursor, err)
		}
		f.Cursor = p.NextCursor
		return f
	}
	high := 0.99
	tests := []struct {
		name string
		f    models.QueueFilter
	}{
		{"newest", pending},
		{"newest page 2", second(pending)},
		{"oldest", with(func(f *models.QueueFilter) { f.Sort = models.SortOldest })},
		{"score", with(func(f *models.QueueFilter) { f.Sort = models.SortScore })},
		{"score page 2", second(with(func(f *models.QueueFilter) { f.Sort = models.SortScore }))},
		{"post", with(func(f *models.QueueFilter) { f.Post = "https://example.org/2025/post-42" })},
		{"post by score", with(func(f *models.QueueFilter) { f.Post, f.Sort = "https://example.org/2025/post-42", models.SortScore })},
		{"email", with(func(f *models.QueueFilter) { f.Email = "Reader42@example.org" })},
		{"ip", with(func(f *models.QueueFilter) { f.IP = "198.18.21.84" })},
		{"ip /24", with(func(f *models.QueueFilter) { f.IP = "198.19.100.0/24" })},
		{"ip /16", with(func(f *models.QueueFilter) { f.IP = "198.19.0.0/16" })},
		{"score above 0.99", with(func(f *models.QueueFilter) { f.MinScore = &high })},
		{"last day", with(func(f *models.QueueFilter) { f.Since = start.Add(100_000*time.Second - 24*time.Hour) })},
		{"author substring", with(func(f *models.QueueFilter) { f.Author = "reader 4242" })},
		{"text substring, common", with(func(f *models.QueueFilter) { f.Text = "ORDINARY length" })},
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
	b.Run("QueueIDs 10k", func(b *testing.B) {
		for b.Loop() {
			ids, err := s.QueueIDs(ctx, pending, 10_000)
			if err != nil || len(ids) != 10_000 {
				b.Fatalf("%d ids, %v", len(ids), err)
			}
		}
	})
	b.Run("AuthorHistory 50", func(b *testing.B) {
		emails := make([]string, 50)
		for i := range emails {
			emails[i] = fmt.Sprintf("reader%d@example.org", i*97)
		}
		for b.Loop() {
			if _, err := s.AuthorHistory(ctx, emails); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchDecideMany applies batches of n decisions, each with a training event
// and an audit entry, to comments 1..n, pending when it starts.
func BenchDecideMany(b *testing.B, s Store, n int) {
	ctx := b.Context()
	from, to := models.StatusPending, models.StatusSpam
	ds := make([]models.Decision, n)
	for b.Loop() {
		for i := range ds {
			ds[i] = models.Decision{CommentID: int64(i + 1), From: from, To: to,
				Events: []models.TrainingEvent{{Class: models.ClassSpam, Delta: 1, Tokens: []string{"cheap", "pills"}}},
				Audit:  &models.AuditEntry{Actor: "bench", Action: "spam.bulk"}}
		}
		updated, conflicted, err := s.DecideMany(ctx, ds)
		if err != nil || len(updated) != n || len(conflicted) != 0 {
			b.Fatalf("%d updated, %d conflicted, %v", len(updated), len(conflicted), err)
		}
		from, to = to, from
	}
}

// BenchCreateCommentUnique stores comments on a busy post, as an anonymous
// reader's (all share the empty email), each checked for a duplicate among the
// 500 seeded ones and those stored before it; their lengths vary as real
// comments' do. Compare with BenchCreateComment.
func BenchCreateCommentUnique(b *testing.B, s Store) {
	ctx := b.Context()
	anonymous := func(i int) models.Comment {
		c := BenchComment(i)
		c.Email, c.Text = "", c.Text+strings.Repeat("!", i%1000)
		return c
	}
	for i := range 500 {
		c := anonymous(i)
		if err := s.CreateComment(ctx, &c); err != nil {
			b.Fatal(err)
		}
	}
	since := BenchComment(0).CreatedAt.Add(-time.Hour)
	i := 500
	for b.Loop() {
		c := anonymous(i)
		if err := s.CreateCommentUnique(ctx, &c, since); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
