package storagetest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/commentd/commentd/models"
)

// thread is the post most listing tests page through.
const thread = `https://example.org/blog/"quoted"/100%?p='1'`

// seed stores 23 approved comments on thread in a scrambled order, three to a
// timestamp (so ties break by ID), with comments of other statuses and posts
// around them. It returns everything stored.
func seed(t *testing.T, s Store) []models.Comment {
	t.Helper()
	const n = 23
	var all []models.Comment
	for i := range n {
		k := (i * 7) % n // 7 and 23 are coprime: every k once, not in time order
		c := comment(thread, models.StatusApproved, at(k/3))
		c.Text = fmt.Sprintf("approved %d", k)
		all = append(all, create(t, s, c))
		if k%4 == 0 {
			for _, st := range []models.Status{models.StatusPending, models.StatusSpam, models.StatusTrash} {
				all = append(all, create(t, s, comment(thread, st, at(k/3))))
			}
		}
		if k%5 == 0 {
			for _, post := range []string{thread + "/", strings.ToUpper(thread), "other"} {
				all = append(all, create(t, s, comment(post, models.StatusApproved, at(k/3))))
			}
		}
	}
	return all
}

// selectSorted returns the comments of all that keep returns, sorted oldest
// first by (CreatedAt, ID), or newest first when desc.
func selectSorted(all []models.Comment, keep func(models.Comment) bool, desc bool) []models.Comment {
	var out []models.Comment
	for _, c := range all {
		if keep(c) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b models.Comment) int {
		r := cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
		if desc {
			return -r
		}
		return r
	})
	return out
}

// lister is ListApproved or ListByStatus with its filter bound.
type lister func(cursor string, limit int) (models.Page, error)

// walk follows NextCursor from the first page to the last and checks the
// shape of every page; between pages it calls between, when not nil.
func walk(t *testing.T, list lister, limit, max int, between func(page int)) []models.Comment {
	t.Helper()
	var got []models.Comment
	cursor := ""
	for page := 0; ; page++ {
		if page > max+1 {
			t.Fatalf("limit %d: more than %d pages: the cursor does not advance", limit, max+1)
		}
		p, err := list(cursor, limit)
		if err != nil {
			t.Fatalf("limit %d page %d: %v", limit, page, err)
		}
		if len(p.Comments) > limit {
			t.Fatalf("limit %d page %d: %d comments", limit, page, len(p.Comments))
		}
		if again, err := list(cursor, limit); err != nil || !slices.Equal(ids(again.Comments), ids(p.Comments)) {
			t.Fatalf("limit %d page %d: the same cursor gave %v then %v (%v)", limit, page, ids(p.Comments), ids(again.Comments), err)
		}
		got = append(got, p.Comments...)
		if p.NextCursor == "" {
			return got
		}
		if len(p.Comments) == 0 {
			t.Fatalf("limit %d page %d: empty page with a next cursor", limit, page)
		}
		if between != nil {
			between(page)
		}
		cursor = p.NextCursor
	}
}

// checkWalk walks with each limit and compares the result with want; pages
// must be full until the last, which has no cursor.
func checkWalk(t *testing.T, list lister, want []models.Comment) {
	t.Helper()
	for _, limit := range []int{1, 2, 3, 5, 7, len(want) - 1, len(want), len(want) + 1, 100, 1_000_000} {
		if limit < 1 {
			continue
		}
		t.Run(fmt.Sprintf("limit=%d", limit), func(t *testing.T) {
			pages := 0
			got := walk(t, list, limit, len(want), func(int) { pages++ })
			if !slices.Equal(ids(got), ids(want)) {
				t.Fatalf("walk = %v\nwant   %v", ids(got), ids(want))
			}
			for i := range got {
				checkComment(t, got[i], want[i])
			}
			if limit <= 100 && len(want) > 0 {
				if wantPages := (len(want)+limit-1)/limit - 1; pages != wantPages {
					t.Errorf("%d pages with a next cursor, want %d (last page must have none)", pages, wantPages)
				}
			}
		})
	}
}

func testListApprovedWalk(t *testing.T, s Store) {
	all := seed(t, s)
	tests := []struct {
		name string
		post string
	}{
		{"thread", thread},
		{"post with a trailing slash", thread + "/"},
		{"post in other case", strings.ToUpper(thread)},
		{"no such post", "nobody-commented-here"},
		{"empty post", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := selectSorted(all, func(c models.Comment) bool {
				return c.Post == tt.post && c.Status == models.StatusApproved
			}, false)
			checkWalk(t, func(cursor string, limit int) (models.Page, error) {
				return s.ListApproved(t.Context(), tt.post, cursor, limit)
			}, want)
		})
	}
}

func testListByStatusWalk(t *testing.T, s Store) {
	all := seed(t, s)
	for _, st := range []models.Status{models.StatusApproved, models.StatusPending, models.StatusSpam, models.StatusTrash} {
		t.Run(string(st), func(t *testing.T) {
			want := selectSorted(all, func(c models.Comment) bool { return c.Status == st }, true)
			checkWalk(t, func(cursor string, limit int) (models.Page, error) {
				return s.ListByStatus(t.Context(), st, cursor, limit)
			}, want)
		})
	}
}

func testListStableUnderInserts(t *testing.T, s Store) {
	ctx := t.Context()
	all := seed(t, s)
	approved := selectSorted(all, func(c models.Comment) bool {
		return c.Post == thread && c.Status == models.StatusApproved
	}, false)
	var late, early, trashed models.Comment
	got := walk(t, func(cursor string, limit int) (models.Page, error) {
		return s.ListApproved(ctx, thread, cursor, limit)
	}, 4, len(approved)+1, func(page int) {
		if page != 0 {
			return
		}
		late = create(t, s, comment(thread, models.StatusApproved, at(1000)))
		early = create(t, s, comment(thread, models.StatusApproved, at(-1000)))
		trashed = approved[len(approved)-2]
		if _, err := s.Decide(ctx, models.Decision{CommentID: trashed.ID, From: models.StatusApproved,
			To: models.StatusTrash, At: at(2000)}); err != nil {
			t.Fatal(err)
		}
	})
	var want []models.Comment
	for _, c := range approved {
		if c.ID != trashed.ID {
			want = append(want, c)
		}
	}
	want = append(want, late)
	if !slices.Equal(ids(got), ids(want)) {
		t.Errorf("walk with inserts = %v\nwant %v (early %d before the cursor, trashed %d, late %d last)",
			ids(got), ids(want), early.ID, trashed.ID, late.ID)
	}

	// The queue runs newest first: a newer comment lands before the cursor.
	pending := selectSorted(all, func(c models.Comment) bool { return c.Status == models.StatusPending }, true)
	var newer, older models.Comment
	got = walk(t, func(cursor string, limit int) (models.Page, error) {
		return s.ListByStatus(ctx, models.StatusPending, cursor, limit)
	}, 2, len(pending)+1, func(page int) {
		if page == 0 {
			newer = create(t, s, comment("q", models.StatusPending, at(5000)))
			older = create(t, s, comment("q", models.StatusPending, at(-5000)))
		}
	})
	want = append(slices.Clone(pending), older)
	if !slices.Equal(ids(got), ids(want)) {
		t.Errorf("queue walk with inserts = %v\nwant %v (newer %d before the cursor)", ids(got), ids(want), newer.ID)
	}
}

func testListBadInput(t *testing.T, s Store) {
	ctx := t.Context()
	seed(t, s)
	listings := []struct {
		name string
		list lister
	}{
		{"ListApproved", func(cursor string, limit int) (models.Page, error) {
			return s.ListApproved(ctx, thread, cursor, limit)
		}},
		{"ListByStatus", func(cursor string, limit int) (models.Page, error) {
			return s.ListByStatus(ctx, models.StatusApproved, cursor, limit)
		}},
	}
	cursors := []string{"!", "%%%", "not a cursor", " ", "\x00\x01", "null", "-1", strings.Repeat("A", 4096), "🦀"}
	for _, l := range listings {
		for _, cur := range cursors {
			t.Run(fmt.Sprintf("%s cursor %.10q", l.name, cur), func(t *testing.T) {
				_, err := l.list(cur, 10)
				wantInvalid(t, err, "cursor")
			})
		}
		for _, limit := range []int{0, -1, -1 << 31} {
			t.Run(fmt.Sprintf("%s limit %d", l.name, limit), func(t *testing.T) {
				_, err := l.list("", limit)
				wantInvalid(t, err, "limit")
			})
		}
	}
	for _, st := range []models.Status{"", "published", "APPROVED"} {
		t.Run(fmt.Sprintf("ListByStatus status %q", st), func(t *testing.T) {
			_, err := s.ListByStatus(ctx, st, "", 10)
			wantInvalid(t, err, "status")
		})
	}
}

func testCountApproved(t *testing.T, s Store) {
	ctx := t.Context()
	all := seed(t, s)
	count := func(post string) int {
		n := 0
		for _, c := range all {
			if c.Post == post && c.Status == models.StatusApproved {
				n++
			}
		}
		return n
	}
	many := []string{thread}
	for i := range 1200 {
		many = append(many, fmt.Sprintf("post-%d", i))
	}
	many = append(many, "other")
	tests := []struct {
		name  string
		posts []string
	}{
		{"nil", nil},
		{"empty", []string{}},
		{"one", []string{thread}},
		{"absent posts get zero", []string{"absent", "", thread, "other"}},
		{"repeated posts", []string{thread, thread, "other", thread}},
		{"near misses", []string{thread + "/", strings.ToUpper(thread), strings.TrimSuffix(thread, "'")}},
		{"more posts than one query takes", many},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.CountApproved(ctx, tt.posts)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]int{}
			for _, p := range tt.posts {
				want[p] = count(p)
			}
			if len(got) != len(want) {
				t.Errorf("%d posts in the answer, want %d", len(got), len(want))
			}
			for p, n := range want {
				if m, ok := got[p]; !ok || m != n {
					t.Errorf("post %q: %d (present %v), want %d", p, m, ok, n)
				}
			}
		})
	}
}

func testCountByStatus(t *testing.T, s Store) {
	statuses := []models.Status{models.StatusApproved, models.StatusPending, models.StatusSpam, models.StatusTrash}
	check := func(want map[models.Status]int) {
		t.Helper()
		got, err := s.CountByStatus(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range statuses {
			if n, ok := got[st]; !ok || n != want[st] {
				t.Errorf("%s: %d (present %v), want %d", st, n, ok, want[st])
			}
		}
		if len(got) != len(statuses) {
			t.Errorf("CountByStatus = %v, want the four statuses only", got)
		}
	}
	check(map[models.Status]int{})
	want := map[models.Status]int{}
	for _, c := range seed(t, s) {
		want[c.Status]++
	}
	check(want)
}
