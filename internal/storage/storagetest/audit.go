package storagetest

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/commentd/commentd/models"
)

// allAudit returns the whole audit log, newest first.
func allAudit(t *testing.T, s Store) []models.AuditEntry {
	t.Helper()
	var out []models.AuditEntry
	for cursor := ""; ; {
		es, next, err := s.ListAudit(t.Context(), models.AuditFilter{Cursor: cursor, Limit: 1000})
		if err != nil {
			t.Fatalf("ListAudit: %v", err)
		}
		out = append(out, es...)
		if next == "" {
			return out
		}
		cursor = next
	}
}

// wantAudit fails unless the audit log holds n entries more than before, and
// returns the new ones in the order they were recorded.
func wantAudit(t *testing.T, s Store, before []models.AuditEntry, n int) []models.AuditEntry {
	t.Helper()
	after := allAudit(t, s)
	if len(after) != len(before)+n {
		t.Fatalf("%d audit entries recorded, want %d", len(after)-len(before), n)
	}
	old := make(map[int64]bool, len(before))
	for _, e := range before {
		old[e.ID] = true
	}
	var fresh []models.AuditEntry
	for _, e := range after {
		if !old[e.ID] {
			fresh = append(fresh, e)
		}
	}
	slices.SortFunc(fresh, func(a, b models.AuditEntry) int { return cmp.Compare(a.ID, b.ID) })
	return fresh
}

// audited runs write, which passes audit to the store, and checks the audit
// log: when check is nil, write must succeed and record one entry, the one
// *audit then holds; otherwise check judges the error and nothing may be
// recorded. It reports whether write succeeded.
func audited(t *testing.T, s Store, audit *models.AuditEntry, check func(t *testing.T, err error), write func() error) bool {
	t.Helper()
	before := allAudit(t, s)
	err := write()
	if check != nil {
		check(t, err)
		wantAudit(t, s, before, 0)
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	checkAudit(t, wantAudit(t, s, before, 1)[0], *audit)
	return true
}

// wantNow fails unless got is the time between start and now, give or take a second.
func wantNow(t *testing.T, what string, got, start time.Time) {
	t.Helper()
	if got.Before(start.Add(-time.Second)) || got.After(time.Now().Add(time.Second)) {
		t.Errorf("%s = %v, want now", what, got)
	}
}

// checkAudit fails unless got equals want; times are compared as instants and
// must come back in UTC, scores by value.
func checkAudit(t *testing.T, got, want models.AuditEntry) {
	t.Helper()
	if got.At.Location() != time.UTC {
		t.Errorf("audit %d: time %v is not in UTC", got.ID, got.At)
	}
	sameScore := (got.Score == nil) == (want.Score == nil) && (got.Score == nil || *got.Score == *want.Score)
	if got.ID != want.ID || !got.At.Equal(want.At) || got.Actor != want.Actor || got.Action != want.Action ||
		got.CommentID != want.CommentID || got.FromStatus != want.FromStatus || got.ToStatus != want.ToStatus ||
		!sameScore || got.Detail != want.Detail {
		t.Errorf("audit mismatch\n got: %s\nwant: %s", describeAudit(got), describeAudit(want))
	}
}

func describeAudit(e models.AuditEntry) string {
	score := "nil"
	if e.Score != nil {
		score = fmt.Sprint(*e.Score)
	}
	return fmt.Sprintf("#%d %s %q %q comment %d %q->%q score %s %q", e.ID, e.At.UTC().Format(time.RFC3339Nano),
		e.Actor, e.Action, e.CommentID, e.FromStatus, e.ToStatus, score, e.Detail)
}

// score returns a pointer to f.
func score(f float64) *float64 { return &f }

// note returns an audit entry by actor for action.
func note(actor, action string) *models.AuditEntry {
	return &models.AuditEntry{Actor: actor, Action: action, Detail: "detail of " + action}
}

func testAppendAudit(t *testing.T, s Store) {
	ctx := t.Context()
	tests := []struct {
		name  string
		e     models.AuditEntry
		field string // "" when valid
	}{
		{"every field", models.AuditEntry{At: at(5), Actor: "ada", Action: "approve", CommentID: 7,
			FromStatus: models.StatusPending, ToStatus: models.StatusApproved, Score: score(0.25), Detail: "looks fine"}, ""},
		{"only an action", models.AuditEntry{Action: "settings.update"}, ""},
		{"zero score kept", models.AuditEntry{At: at(6), Actor: "bob", Action: "spam", Score: score(0)}, ""},
		{"unicode detail", models.AuditEntry{At: at(7), Actor: "Zoë", Action: "ban.add", Detail: "spam from 山田 👋 \u202E"}, ""},
		{"no action", models.AuditEntry{Actor: "ada"}, "action"},
		{"unknown from status", models.AuditEntry{Action: "approve", FromStatus: "published"}, "from_status"},
		{"unknown to status", models.AuditEntry{Action: "approve", ToStatus: "gone"}, "to_status"},
		{"NaN score", models.AuditEntry{Action: "approve", Score: score(math.NaN())}, "score"},
		{"negative comment", models.AuditEntry{Action: "approve", CommentID: -1}, "comment_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := allAudit(t, s)
			start := time.Now()
			err := s.AppendAudit(ctx, tt.e)
			if tt.field != "" {
				wantInvalid(t, err, tt.field)
				wantAudit(t, s, before, 0)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := wantAudit(t, s, before, 1)[0]
			for _, e := range before {
				if got.ID <= e.ID {
					t.Errorf("audit ID %d after %d, want increasing", got.ID, e.ID)
				}
			}
			want := tt.e
			want.ID = got.ID
			if want.At.IsZero() {
				wantNow(t, "At", got.At, start)
				want.At = got.At
			}
			checkAudit(t, got, want)
		})
	}
}

func testListAudit(t *testing.T, s Store) {
	ctx := t.Context()
	type entry struct {
		actor, action string
		comment       int64
		at            int
	}
	// Three entries share each time, so ties break by ID.
	var seeded []entry
	for i := range 30 {
		actions := []string{"approve", "ban.add", "ban.delete", "bans", "word.add", "banana"}
		actors := []string{"ada", "bob", "Ada"}
		seeded = append(seeded, entry{actors[i%3], actions[i%len(actions)], int64(i % 4), (i * 7 % 30) / 3})
	}
	for _, e := range seeded {
		if err := s.AppendAudit(ctx, models.AuditEntry{At: at(e.at), Actor: e.actor, Action: e.action, CommentID: e.comment}); err != nil {
			t.Fatal(err)
		}
	}
	all := allAudit(t, s)
	for i := 1; i < len(all); i++ {
		if a, b := all[i-1], all[i]; a.At.Before(b.At) || (a.At.Equal(b.At) && a.ID < b.ID) {
			t.Fatalf("log not newest first at %d: %s before %s", i, describeAudit(a), describeAudit(b))
		}
	}
	tests := []struct {
		name  string
		f     models.AuditFilter
		match func(e models.AuditEntry) bool
	}{
		{"everything", models.AuditFilter{}, func(models.AuditEntry) bool { return true }},
		{"actor exact, case sensitive", models.AuditFilter{Actor: "ada"}, func(e models.AuditEntry) bool { return e.Actor == "ada" }},
		{"action exact", models.AuditFilter{Action: "ban.add"}, func(e models.AuditEntry) bool { return e.Action == "ban.add" }},
		{"action prefix", models.AuditFilter{Action: "ban."}, func(e models.AuditEntry) bool {
			return e.Action == "ban.add" || e.Action == "ban.delete"
		}},
		{"action without a dot is exact", models.AuditFilter{Action: "ban"}, func(models.AuditEntry) bool { return false }},
		{"comment", models.AuditFilter{CommentID: 2}, func(e models.AuditEntry) bool { return e.CommentID == 2 }},
		{"since inclusive", models.AuditFilter{Since: at(4)}, func(e models.AuditEntry) bool { return !e.At.Before(at(4)) }},
		{"until exclusive", models.AuditFilter{Until: at(4)}, func(e models.AuditEntry) bool { return e.At.Before(at(4)) }},
		{"combined", models.AuditFilter{Actor: "bob", Action: "ban.", Since: at(2), Until: at(9)}, func(e models.AuditEntry) bool {
			return e.Actor == "bob" && (e.Action == "ban.add" || e.Action == "ban.delete") && !e.At.Before(at(2)) && e.At.Before(at(9))
		}},
		{"nothing matches", models.AuditFilter{Actor: "nobody"}, func(models.AuditEntry) bool { return false }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []int64
			for _, e := range all {
				if tt.match(e) {
					want = append(want, e.ID)
				}
			}
			for _, limit := range []int{1, 4, 1000} {
				var got []int64
				f := tt.f
				f.Limit = limit
				for page := 0; ; page++ {
					if page > len(all) {
						t.Fatalf("limit %d: the cursor does not advance", limit)
					}
					es, next, err := s.ListAudit(ctx, f)
					if err != nil {
						t.Fatalf("limit %d page %d: %v", limit, page, err)
					}
					if len(es) > limit || (next != "" && len(es) != limit) {
						t.Fatalf("limit %d page %d: %d entries, next %q", limit, page, len(es), next)
					}
					for _, e := range es {
						got = append(got, e.ID)
					}
					if next == "" {
						break
					}
					f.Cursor = next
				}
				if !slices.Equal(got, want) {
					t.Errorf("limit %d: %v\nwant %v", limit, got, want)
				}
			}
		})
	}

	create(t, s, comment("p", models.StatusPending, at(0)))
	create(t, s, comment("p", models.StatusPending, at(1)))
	queue, err := s.ListQueue(ctx, models.QueueFilter{Status: models.StatusPending, Limit: 1})
	if err != nil || queue.NextCursor == "" {
		t.Fatalf("ListQueue: next %q, %v", queue.NextCursor, err)
	}
	_, next, err := s.ListAudit(ctx, models.AuditFilter{Limit: 1})
	if err != nil || next == "" {
		t.Fatalf("ListAudit: next %q, %v", next, err)
	}
	for _, cursor := range []string{"!", "not a cursor", next + "A", next[:len(next)-1], queue.NextCursor} {
		t.Run(fmt.Sprintf("cursor %.12q", cursor), func(t *testing.T) {
			_, _, err := s.ListAudit(ctx, models.AuditFilter{Cursor: cursor, Limit: 10})
			wantInvalid(t, err, "cursor")
		})
	}
	for _, limit := range []int{0, -1} {
		_, _, err := s.ListAudit(ctx, models.AuditFilter{Limit: limit})
		wantInvalid(t, err, "limit")
	}
}
