package storagetest

import (
	"cmp"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/commentd/commentd/models"
)

// seedQueue stores 180 comments that vary in every field a queue filter
// reads, with ties in time and score so that sorts break them by ID. It
// returns everything stored.
func seedQueue(t *testing.T, s Store) []models.Comment {
	t.Helper()
	statuses := []models.Status{models.StatusPending, models.StatusPending, models.StatusSpam, models.StatusApproved, models.StatusTrash}
	posts := []string{"https://example.org/a", "https://example.org/b", `https://example.org/it's-100%_"off"`}
	authors := []string{"Ada Lovelace", "ADA", "bob", "Zoë Ångström", "100% real_name", `back\slash`}
	emails := []string{"ada@example.org", "Ada@Example.org", "bob@example.org", "zoe@example.org", "BOB@EXAMPLE.ORG"}
	ips := []string{"203.0.113.7", "203.0.113.200", "198.51.100.1", "10.1.17.3", "10.1.31.255", "10.1.32.0",
		"2001:db8::1", "2001:db8:1::5", "2001:db9::1", "", "not-an-ip"}
	texts := []string{"Great post, thanks!", "CHEAP pills at example.com", "50% off_today only", "Grüße aus Köln",
		`a \ backslash`, "nothing special"}
	var all []models.Comment
	for i := range 180 {
		// Fields of the same count take turns at different paces, so that
		// every combination occurs.
		c := comment(posts[(i/7)%len(posts)], statuses[i%len(statuses)], at((i*37%180)/2))
		c.Author = authors[i%len(authors)]
		c.Email = emails[(i/5)%len(emails)]
		c.IP = ips[i%len(ips)]
		c.Text = fmt.Sprintf("%s #%d", texts[(i/6)%len(texts)], i)
		c.Score = float64((i/5)*7%20) / 20
		all = append(all, create(t, s, c))
	}
	return all
}

// sortQueue returns the comments of all that keep returns, in sort's order.
func sortQueue(all []models.Comment, keep func(models.Comment) bool, sort models.QueueSort) []models.Comment {
	var out []models.Comment
	for _, c := range all {
		if keep(c) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b models.Comment) int {
		switch sort {
		case models.SortOldest:
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
		case models.SortScore:
			return -cmp.Or(cmp.Compare(a.Score, b.Score), cmp.Compare(a.ID, b.ID))
		}
		return -cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// inRange reports whether ip is the address filter or in the CIDR range filter.
func inRange(ip, filter string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	if p, err := netip.ParsePrefix(filter); err == nil {
		return p.Masked().Contains(a)
	}
	return a == netip.MustParseAddr(filter)
}

// queueCase is a filter and the predicate that says what it must select,
// status aside; nil for a filter that must select nothing.
type queueCase struct {
	name  string
	f     models.QueueFilter
	match func(c models.Comment) bool
}

// matches reports whether tt must select c.
func (tt queueCase) matches(c models.Comment) bool { return tt.match != nil && tt.match(c) }

func queueCases() []queueCase {
	contains := func(s, sub string) bool { return strings.Contains(strings.ToLower(s), strings.ToLower(sub)) }
	return []queueCase{
		{"no filter", models.QueueFilter{}, func(models.Comment) bool { return true }},
		{"post", models.QueueFilter{Post: "https://example.org/b"}, func(c models.Comment) bool { return c.Post == "https://example.org/b" }},
		{"post with quotes and wildcards", models.QueueFilter{Post: `https://example.org/it's-100%_"off"`},
			func(c models.Comment) bool { return strings.Contains(c.Post, "it's") }},
		{"post is exact", models.QueueFilter{Post: "https://example.org/"}, nil},
		{"author substring ignoring case", models.QueueFilter{Author: "aDa"}, func(c models.Comment) bool { return contains(c.Author, "ada") }},
		{"author with a literal percent", models.QueueFilter{Author: "0% r"}, func(c models.Comment) bool { return c.Author == "100% real_name" }},
		{"author percent is not a wildcard", models.QueueFilter{Author: "%"}, func(c models.Comment) bool { return strings.Contains(c.Author, "%") }},
		{"author underscore is not a wildcard", models.QueueFilter{Author: "a_e"}, nil},
		{"author backslash", models.QueueFilter{Author: `k\s`}, func(c models.Comment) bool { return c.Author == `back\slash` }},
		{"author non-ASCII in the same case", models.QueueFilter{Author: "zoë Å"}, func(c models.Comment) bool { return c.Author == "Zoë Ångström" }},
		{"email ignoring case", models.QueueFilter{Email: "BOB@example.ORG"}, func(c models.Comment) bool { return strings.EqualFold(c.Email, "bob@example.org") }},
		{"email is exact", models.QueueFilter{Email: "example.org"}, nil},
		{"ip exact", models.QueueFilter{IP: "203.0.113.7"}, func(c models.Comment) bool { return c.IP == "203.0.113.7" }},
		{"ipv4 /24", models.QueueFilter{IP: "203.0.113.0/24"}, func(c models.Comment) bool { return inRange(c.IP, "203.0.113.0/24") }},
		{"ipv4 /20 across text prefixes", models.QueueFilter{IP: "10.1.16.0/20"}, func(c models.Comment) bool { return inRange(c.IP, "10.1.16.0/20") }},
		{"ipv4 host bits set", models.QueueFilter{IP: "10.1.20.9/20"}, func(c models.Comment) bool { return inRange(c.IP, "10.1.16.0/20") }},
		{"ipv4 /32", models.QueueFilter{IP: "10.1.32.0/32"}, func(c models.Comment) bool { return c.IP == "10.1.32.0" }},
		{"ipv4 /0 is every IPv4", models.QueueFilter{IP: "0.0.0.0/0"}, func(c models.Comment) bool { return inRange(c.IP, "0.0.0.0/0") }},
		{"ipv6 exact", models.QueueFilter{IP: "2001:db8::1"}, func(c models.Comment) bool { return c.IP == "2001:db8::1" }},
		{"ipv6 exact, other spelling", models.QueueFilter{IP: "2001:0db8:0:0:0:0:0:0001"}, func(c models.Comment) bool { return c.IP == "2001:db8::1" }},
		{"ipv6 /32", models.QueueFilter{IP: "2001:db8::/32"}, func(c models.Comment) bool { return inRange(c.IP, "2001:db8::/32") }},
		{"ipv6 /48", models.QueueFilter{IP: "2001:db8:1::/48"}, func(c models.Comment) bool { return c.IP == "2001:db8:1::5" }},
		{"unused address", models.QueueFilter{IP: "192.0.2.1"}, nil},
		{"text substring ignoring case", models.QueueFilter{Text: "cheap PILLS"}, func(c models.Comment) bool { return contains(c.Text, "cheap pills") }},
		{"text with percent and underscore", models.QueueFilter{Text: "50% off_"}, func(c models.Comment) bool { return strings.Contains(c.Text, "50% off_") }},
		{"text underscore is not a wildcard", models.QueueFilter{Text: "off_t"}, func(c models.Comment) bool { return strings.Contains(c.Text, "off_t") }},
		{"text non-ASCII in the same case", models.QueueFilter{Text: "grüße"}, func(c models.Comment) bool { return strings.HasPrefix(c.Text, "Grüße") }},
		{"min score inclusive", models.QueueFilter{MinScore: score(0.65)}, func(c models.Comment) bool { return c.Score >= 0.65 }},
		{"max score inclusive", models.QueueFilter{MaxScore: score(0.25)}, func(c models.Comment) bool { return c.Score <= 0.25 }},
		{"score band", models.QueueFilter{MinScore: score(0.3), MaxScore: score(0.5)}, func(c models.Comment) bool { return c.Score >= 0.3 && c.Score <= 0.5 }},
		{"empty score band", models.QueueFilter{MinScore: score(0.6), MaxScore: score(0.5)}, nil},
		{"since inclusive", models.QueueFilter{Since: at(40)}, func(c models.Comment) bool { return !c.CreatedAt.Before(at(40)) }},
		{"until exclusive", models.QueueFilter{Until: at(40)}, func(c models.Comment) bool { return c.CreatedAt.Before(at(40)) }},
		{"time window in another zone", models.QueueFilter{Since: at(20).In(time.UTC), Until: at(60).In(time.FixedZone("Y", -7*3600))},
			func(c models.Comment) bool { return !c.CreatedAt.Before(at(20)) && c.CreatedAt.Before(at(60)) }},
		{"everything combined", models.QueueFilter{Post: "https://example.org/b", Author: "a", Email: "ADA@example.org",
			IP: "203.0.113.0/24", Text: "#", MinScore: score(0.1), MaxScore: score(0.9), Since: at(5), Until: at(85)},
			func(c models.Comment) bool {
				return c.Post == "https://example.org/b" && contains(c.Author, "a") && strings.EqualFold(c.Email, "ada@example.org") &&
					inRange(c.IP, "203.0.113.0/24") && c.Score >= 0.1 && c.Score <= 0.9 && !c.CreatedAt.Before(at(5)) && c.CreatedAt.Before(at(85))
			}},
	}
}

func testListQueue(t *testing.T, s Store) {
	all := seedQueue(t, s)
	for i, tt := range queueCases() {
		// The filters do not depend on the status: the unfiltered case walks every
		// status, sort and page size, the others fewer.
		statuses := []models.Status{models.StatusPending}
		sorts := []models.QueueSort{models.SortNewest, models.SortOldest, models.SortScore}
		limits := []int{5, 1000}
		if i == 0 {
			statuses = append(statuses, models.StatusSpam, models.StatusApproved, models.StatusTrash)
			sorts = append(sorts, "")
			limits = []int{1, 7, 1000}
		}
		t.Run(tt.name, func(t *testing.T) {
			selected := 0
			for _, st := range statuses {
				for _, sort := range sorts {
					want := sortQueue(all, func(c models.Comment) bool { return c.Status == st && tt.matches(c) }, sort)
					selected += len(want)
					for _, limit := range limits {
						f := tt.f
						f.Status, f.Sort, f.Limit = st, sort, limit
						got := walk(t, func(cursor string, limit int) (models.Page, error) {
							f.Cursor = cursor
							return s.ListQueue(t.Context(), f)
						}, limit, len(want), nil)
						if !slices.Equal(ids(got), ids(want)) {
							t.Fatalf("%s sort %q limit %d:\n got %v\nwant %v", st, sort, limit, ids(got), ids(want))
						}
						for i := range got {
							checkComment(t, got[i], want[i])
						}
					}
				}
			}
			if selected == 0 && tt.match != nil {
				t.Errorf("the seed has no comment for this filter: it tests nothing")
			}
		})
	}
}

func testListQueueStableUnderDecisions(t *testing.T, s Store) {
	ctx := t.Context()
	all := seedQueue(t, s)
	pending := sortQueue(all, func(c models.Comment) bool { return c.Status == models.StatusPending }, models.SortScore)
	// Approving comments on pages already seen and still to come moves them out
	// of the queue; the walk neither repeats nor skips the others.
	gone := map[int64]bool{}
	got := walk(t, func(cursor string, limit int) (models.Page, error) {
		return s.ListQueue(ctx, models.QueueFilter{Status: models.StatusPending, Sort: models.SortScore, Cursor: cursor, Limit: limit})
	}, 10, len(pending), func(page int) {
		for _, c := range []models.Comment{pending[page*10], pending[len(pending)-1-page]} {
			if gone[c.ID] {
				continue
			}
			if _, err := s.Decide(ctx, models.Decision{CommentID: c.ID, From: models.StatusPending, To: models.StatusApproved, At: at(1000)}); err != nil {
				t.Fatal(err)
			}
			gone[c.ID] = true
		}
	})
	seen := map[int64]bool{}
	for _, c := range got {
		if seen[c.ID] {
			t.Fatalf("comment %d listed twice", c.ID)
		}
		seen[c.ID] = true
	}
	for _, c := range pending {
		if !seen[c.ID] && !gone[c.ID] {
			t.Errorf("comment %d skipped", c.ID)
		}
	}
}

func testListQueueBadInput(t *testing.T, s Store) {
	ctx := t.Context()
	all := seedQueue(t, s)
	ok := models.QueueFilter{Status: models.StatusPending, Limit: 2}
	cursorOf := func(sort models.QueueSort) string {
		f := ok
		f.Sort = sort
		p, err := s.ListQueue(ctx, f)
		if err != nil || p.NextCursor == "" {
			t.Fatalf("ListQueue %s: next %q, %v", sort, p.NextCursor, err)
		}
		return p.NextCursor
	}
	newest, byScore := cursorOf(models.SortNewest), cursorOf(models.SortScore)
	byStatus, err := s.ListByStatus(ctx, models.StatusPending, "", 2)
	if err != nil || byStatus.NextCursor == "" {
		t.Fatalf("ListByStatus: %v", err)
	}
	nan := math.NaN()
	tests := []struct {
		name  string
		edit  func(f *models.QueueFilter)
		field string
	}{
		{"no status", func(f *models.QueueFilter) { f.Status = "" }, "status"},
		{"unknown status", func(f *models.QueueFilter) { f.Status = "published" }, "status"},
		{"unknown sort", func(f *models.QueueFilter) { f.Sort = "best" }, "sort"},
		{"ip not an address", func(f *models.QueueFilter) { f.IP = "example.org" }, "ip"},
		{"ip out of range", func(f *models.QueueFilter) { f.IP = "300.1.1.1" }, "ip"},
		{"ip bad prefix length", func(f *models.QueueFilter) { f.IP = "10.0.0.0/33" }, "ip"},
		{"ip empty prefix", func(f *models.QueueFilter) { f.IP = "/8" }, "ip"},
		{"NaN min score", func(f *models.QueueFilter) { f.MinScore = &nan }, "min_score"},
		{"NaN max score", func(f *models.QueueFilter) { f.MaxScore = &nan }, "max_score"},
		{"limit zero", func(f *models.QueueFilter) { f.Limit = 0 }, "limit"},
		{"limit negative", func(f *models.QueueFilter) { f.Limit = -5 }, "limit"},
		{"garbage cursor", func(f *models.QueueFilter) { f.Cursor = "not a cursor" }, "cursor"},
		{"truncated cursor", func(f *models.QueueFilter) { f.Cursor = newest[:len(newest)-2] }, "cursor"},
		{"newest cursor, score sort", func(f *models.QueueFilter) { f.Cursor, f.Sort = newest, models.SortScore }, "cursor"},
		{"newest cursor, oldest sort", func(f *models.QueueFilter) { f.Cursor, f.Sort = newest, models.SortOldest }, "cursor"},
		{"score cursor, newest sort", func(f *models.QueueFilter) { f.Cursor = byScore }, "cursor"},
		{"ListByStatus cursor", func(f *models.QueueFilter) { f.Cursor = byStatus.NextCursor }, "cursor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := ok
			tt.edit(&f)
			_, err := s.ListQueue(ctx, f)
			wantInvalid(t, err, tt.field)
			if tt.field != "cursor" && tt.field != "limit" {
				_, err := s.QueueIDs(ctx, f, 10)
				wantInvalid(t, err, tt.field)
			}
		})
	}
	// A cursor of the same sort carries over to other filters.
	f := ok
	f.Cursor, f.Sort, f.Post = byScore, models.SortScore, "https://example.org/a"
	if _, err := s.ListQueue(ctx, f); err != nil {
		t.Errorf("score cursor with a post filter: %v", err)
	}
	// Limits above the page size are clamped.
	p, err := s.ListQueue(ctx, models.QueueFilter{Status: models.StatusPending, Limit: 1 << 30})
	if want := sortQueue(all, func(c models.Comment) bool { return c.Status == models.StatusPending }, ""); err != nil ||
		!slices.Equal(ids(p.Comments), ids(want)) {
		t.Errorf("huge limit: %d comments, %v", len(p.Comments), err)
	}
}

func testQueueIDs(t *testing.T, s Store) {
	ctx := t.Context()
	all := seedQueue(t, s)
	for _, tt := range queueCases() {
		t.Run(tt.name, func(t *testing.T) {
			for _, sort := range []models.QueueSort{models.SortNewest, models.SortOldest, models.SortScore} {
				want := ids(sortQueue(all, func(c models.Comment) bool { return c.Status == models.StatusPending && tt.matches(c) }, sort))
				for _, max := range []int{1, 5, len(want), 100_000} {
					if max < 1 {
						continue
					}
					f := tt.f
					f.Status, f.Sort = models.StatusPending, sort
					f.Cursor, f.Limit = "ignored", 1 // QueueIDs ignores both
					got, err := s.QueueIDs(ctx, f, max)
					if err != nil {
						t.Fatal(err)
					}
					if w := want[:min(max, len(want))]; !slices.Equal(got, w) {
						t.Fatalf("sort %q max %d: %v\nwant %v", sort, max, got, w)
					}
				}
			}
		})
	}
	for _, max := range []int{0, -1} {
		_, err := s.QueueIDs(ctx, models.QueueFilter{Status: models.StatusPending}, max)
		wantInvalid(t, err, "max")
	}
}

func testAuthorHistory(t *testing.T, s Store) {
	ctx := t.Context()
	for i, e := range []struct {
		email  string
		status models.Status
	}{
		{"ada@example.org", models.StatusApproved}, {"Ada@Example.org", models.StatusApproved},
		{"ADA@EXAMPLE.ORG", models.StatusSpam}, {"ada@example.org", models.StatusPending},
		{"ada@example.org", models.StatusTrash}, {"ada@example.org", models.StatusTrash},
		{"bob@example.org", models.StatusSpam}, {"ada@example.org.evil", models.StatusApproved},
	} {
		c := comment("p", e.status, at(i))
		c.Email = e.email
		create(t, s, c)
	}
	ada := models.AuthorHistory{Approved: 2, Spam: 1, Pending: 1, Trash: 2}
	bob := models.AuthorHistory{Spam: 1}
	many := []string{"ada@example.org"}
	for i := range 1100 {
		many = append(many, fmt.Sprintf("reader%d@example.org", i))
	}
	many = append(many, "BOB@example.org")
	tests := []struct {
		name   string
		emails []string
		want   map[string]models.AuthorHistory
	}{
		{"nil", nil, map[string]models.AuthorHistory{}},
		{"one", []string{"ada@example.org"}, map[string]models.AuthorHistory{"ada@example.org": ada}},
		{"keyed lower-case", []string{"Ada@EXAMPLE.org"}, map[string]models.AuthorHistory{"ada@example.org": ada}},
		{"absent email gets zeros", []string{"nobody@example.org", "bob@example.org"},
			map[string]models.AuthorHistory{"nobody@example.org": {}, "bob@example.org": bob}},
		{"repeated in several cases", []string{"ada@example.org", "ADA@example.org", "bob@EXAMPLE.org"},
			map[string]models.AuthorHistory{"ada@example.org": ada, "bob@example.org": bob}},
		{"exact, not a prefix", []string{"ada@example"}, map[string]models.AuthorHistory{"ada@example": {}}},
		{"more emails than one query takes", many, func() map[string]models.AuthorHistory {
			m := map[string]models.AuthorHistory{"ada@example.org": ada, "bob@example.org": bob}
			for _, e := range many[1 : len(many)-1] {
				m[e] = models.AuthorHistory{}
			}
			return m
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.AuthorHistory(ctx, tt.emails)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Errorf("%d emails in the answer, want %d", len(got), len(tt.want))
			}
			for e, w := range tt.want {
				if g, ok := got[e]; !ok || g != w {
					t.Errorf("%s: %+v (present %v), want %+v", e, g, ok, w)
				}
			}
		})
	}
}
