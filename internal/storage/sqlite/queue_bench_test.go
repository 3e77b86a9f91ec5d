package sqlite

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// seedQueue stores n comments, all with status st, in one transaction through
// the insert CreateComment uses: 500 posts, 5,000 authors, addresses in
// 256 /24 ranges and scores spread over 0..1. The first comment was created at
// start, each next one a second later.
func seedQueue(tb testing.TB, s *Store, n int, st models.Status, start time.Time) {
	tb.Helper()
	// The default 2 MB page cache thrashes on a bulk insert into eight indexes.
	if _, err := s.write.ExecContext(tb.Context(), "PRAGMA cache_size = -262144"); err != nil {
		tb.Fatal(err)
	}
	err := s.inTx(tb.Context(), func(tx *sql.Tx) error {
		p := newPreparer(tx)
		for i := range n {
			c := models.Comment{
				Post:   fmt.Sprintf("https://example.org/2025/post-%d", i%500),
				Author: fmt.Sprintf("Reader %d", i%5000), Email: fmt.Sprintf("reader%d@example.org", i%5000),
				Text: fmt.Sprintf("Comment %d: a few sentences of ordinary length about the post, "+
					"with a link or two and some ünïcödé. 👋", i),
				IP:     fmt.Sprintf("198.%d.%d.%d", 18+i%2, (i/2)%128, i%251),
				Status: st, Score: float64(i*7919%10007) / 10007,
				Reasons:   models.Reasons{Rules: []string{"links"}, Tokens: []models.TokenWeight{{Token: "post", Weight: -1.2}}},
				CreatedAt: start.Add(time.Duration(i) * time.Second),
			}
			row, err := storage.CheckComment(&c)
			if err != nil {
				return err
			}
			if _, err := insertComment(tb.Context(), p, &c, row); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkListQueue100k pages through a queue of 100,000 pending comments
// (among 10,000 spam ones) 50 at a time, by each sort and filter.
func BenchmarkListQueue100k(b *testing.B) {
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	began := time.Now()
	seedQueue(b, s, 100_000, models.StatusPending, start)
	seedQueue(b, s, 10_000, models.StatusSpam, start)
	b.Logf("seeded 110,000 comments in %s", time.Since(began).Round(time.Millisecond))
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

// BenchmarkDecideMany applies batches of 1,000 decisions, each with a training
// event and an audit entry.
func BenchmarkDecideMany(b *testing.B) {
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	const batch = 1000
	ctx := b.Context()
	from, to := models.StatusPending, models.StatusSpam
	seedQueue(b, s, batch, from, time.Now())
	ds := make([]models.Decision, batch)
	for b.Loop() {
		for i := range ds {
			ds[i] = models.Decision{CommentID: int64(i + 1), From: from, To: to,
				Events: []models.TrainingEvent{{Class: models.ClassSpam, Delta: 1, Tokens: []string{"cheap", "pills"}}},
				Audit:  &models.AuditEntry{Actor: "bench", Action: "spam.bulk"}}
		}
		updated, conflicted, err := s.DecideMany(ctx, ds)
		if err != nil || len(updated) != batch || len(conflicted) != 0 {
			b.Fatalf("%d updated, %d conflicted, %v", len(updated), len(conflicted), err)
		}
		from, to = to, from
	}
}
