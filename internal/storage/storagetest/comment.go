package storagetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/commentd/commentd/models"
)

func testCreateGetRoundTrip(t *testing.T, s Store) {
	tests := []struct {
		name string
		edit func(c *models.Comment)
	}{
		{"plain", func(c *models.Comment) {}},
		{"every field", func(c *models.Comment) {
			c.Parent = 42
			c.URL = "https://ada.example.org/about?x=1&y=2#top"
			c.Status = models.StatusSpam
			c.Score = 0.9999999999999999
			c.TrainedAs = models.ClassSpam
			c.Reasons = models.Reasons{
				Rules:  []string{"links", "blocked_word:casino"},
				Tokens: []models.TokenWeight{{Token: "casino", Weight: 3.25}, {Token: "hello", Weight: -1.5e-7}},
			}
			c.UpdatedAt = c.CreatedAt.Add(90 * time.Minute)
		}},
		{"unicode and emoji", func(c *models.Comment) {
			c.Author = "Zoë Ångström 山田太郎"
			c.Email = "zoë@exämple.org"
			c.Text = "Grüße 👋🏽 👨‍👩‍👧‍👦 🇺🇦 — naïve café, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢\nsecond line\ttabbed"
			c.Reasons.Rules = []string{"ключ", "🚫"}
		}},
		{"rtl and bidi controls", func(c *models.Comment) {
			c.Author = "محمد"
			c.Text = "שלום עולם \u202Eevil.exe\u202C مرحبا \u2067isolate\u2069 \u200F"
		}},
		{"zero width characters", func(c *models.Comment) {
			c.Author = "a\u200Bb\u200Cc\u200Dd\uFEFF"
			c.Text = "\u200Bhidden\u2060joiner\u00AD"
		}},
		{"long text", func(c *models.Comment) {
			c.Text = strings.Repeat("long text, ünïcödé 🦀 ", 20000)
			c.UserAgent = strings.Repeat("Mozilla/5.0 ", 100)
		}},
		{"post is a url with quotes and percent signs", func(c *models.Comment) {
			c.Post = `https://blog.example.org/2025/06/it's-"quoted"-100%25-%_off?q='a'&b="c"#frag`
		}},
		{"sql-looking text", func(c *models.Comment) {
			c.Post = "'; DROP TABLE comments; --"
			c.Text = `Robert'); DROP TABLE comments;-- \ % _ " ' ` + "`"
		}},
		{"empty optional fields", func(c *models.Comment) {
			c.URL, c.IP, c.UserAgent, c.Score = "", "", "", 0
			c.Reasons = models.Reasons{Rules: []string{}, Tokens: []models.TokenWeight{}}
		}},
		{"negative score and ham", func(c *models.Comment) {
			c.Score = -0.5
			c.TrainedAs = models.ClassHam
			c.Status = models.StatusApproved
		}},
		{"times at the nanosecond", func(c *models.Comment) {
			c.CreatedAt = time.Date(2262, 1, 1, 0, 0, 0, 999999999, time.UTC)
			c.UpdatedAt = time.Date(1700, 1, 1, 0, 0, 0, 1, time.FixedZone("X", -11*3600))
		}},
	}
	var lastID int64
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := comment("post-1", models.StatusPending, at(7))
			tt.edit(&want)
			got := create(t, s, want)
			if got.ID <= lastID {
				t.Errorf("ID %d after %d, want increasing", got.ID, lastID)
			}
			lastID = got.ID
			want.ID = got.ID
			checkComment(t, got, want) // what CreateComment left in c
			checkComment(t, get(t, s, got.ID), want)
		})
	}
}

func testCreateDefaults(t *testing.T, s Store) {
	before := time.Now()
	c := comment("p", models.StatusPending, time.Time{})
	c.ID = 12345 // ignored
	got := create(t, s, c)
	after := time.Now()
	if got.ID == 12345 {
		t.Errorf("CreateComment kept the caller's ID")
	}
	if got.CreatedAt.Before(before.Add(-time.Second)) || got.CreatedAt.After(after.Add(time.Second)) {
		t.Errorf("CreatedAt = %v, want now (%v..%v)", got.CreatedAt, before, after)
	}
	if !got.UpdatedAt.Equal(got.CreatedAt) {
		t.Errorf("UpdatedAt = %v, want CreatedAt %v", got.UpdatedAt, got.CreatedAt)
	}
	checkComment(t, get(t, s, got.ID), got)
}

func testCreateInvalid(t *testing.T, s Store) {
	tests := []struct {
		name  string
		field string
		edit  func(c *models.Comment)
	}{
		{"empty status", "status", func(c *models.Comment) { c.Status = "" }},
		{"unknown status", "status", func(c *models.Comment) { c.Status = "published" }},
		{"unknown class", "trained_as", func(c *models.Comment) { c.TrainedAs = "maybe" }},
		{"NaN score", "score", func(c *models.Comment) { c.Score = math.NaN() }},
		{"infinite score", "score", func(c *models.Comment) { c.Score = math.Inf(1) }},
		{"negative parent", "parent", func(c *models.Comment) { c.Parent = -1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := comment("p", models.StatusPending, at(0))
			tt.edit(&c)
			wantInvalid(t, s.CreateComment(t.Context(), &c), tt.field)
			if c.ID != 0 {
				t.Errorf("a refused CreateComment set ID %d", c.ID)
			}
		})
	}
	counts, err := s.CountByStatus(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for st, n := range counts {
		if n != 0 {
			t.Errorf("%d %s comments stored by invalid creates", n, st)
		}
	}
}

func testGetNotFound(t *testing.T, s Store) {
	c := create(t, s, comment("p", models.StatusPending, at(0)))
	for _, id := range []int64{0, -1, c.ID + 1, math.MaxInt64} {
		_, err := s.GetComment(t.Context(), id)
		wantErr(t, err, models.ErrNotFound)
	}
}

func testCanceledContext(t *testing.T, s Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	c := comment("p", models.StatusPending, at(0))
	if err := s.CreateComment(ctx, &c); err == nil {
		t.Error("CreateComment with a canceled context succeeded")
	}
	if _, err := s.GetComment(ctx, 1); err == nil || errors.Is(err, models.ErrNotFound) {
		t.Errorf("GetComment with a canceled context: %v, want a context error", err)
	}
	if _, err := s.ListApproved(ctx, "p", "", 10); err == nil {
		t.Error("ListApproved with a canceled context succeeded")
	}
	counts, err := s.CountByStatus(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if counts[models.StatusPending] != 0 {
		t.Errorf("a canceled CreateComment stored a comment")
	}
}

func testCreateCommentUnique(t *testing.T, s Store) {
	const post, email, text = "https://example.org/p?id=1", "Ada@Example.org", "Great post!\nReally."
	create(t, s, func() models.Comment {
		c := comment(post, models.StatusPending, at(1000))
		c.Email, c.Text = email, text
		return c
	}())
	trashed := comment(post, models.StatusTrash, at(2000))
	trashed.Email, trashed.Text = "trash@example.org", text
	create(t, s, trashed)
	spam := comment(post, models.StatusSpam, at(3000))
	spam.Email, spam.Text = "spam@example.org", text
	create(t, s, spam)
	sameLength := comment(post, models.StatusApproved, at(4000))
	sameLength.Email, sameLength.Text = "len@example.org", strings.ToUpper(text)
	create(t, s, sameLength)

	tests := []struct {
		name              string
		post, email, text string
		since             time.Time
		dup               bool
	}{
		{"same everything", post, email, text, at(0), true},
		{"since equals created", post, email, text, at(1000), true},
		{"since one nanosecond later", post, email, text, at(1001), false},
		{"zero since means any time", post, email, text, time.Time{}, true},
		{"email in other case", post, "ADA@EXAMPLE.ORG", text, at(0), true},
		{"email lower case", post, "ada@example.org", text, at(0), true},
		{"other email", post, "bob@example.org", text, at(0), false},
		{"other post", post + "#x", email, text, at(0), false},
		{"text with trailing space", post, email, text + " ", at(0), false},
		{"text in other case", post, email, strings.ToUpper(text), at(0), false},
		{"other text of the same length", post, "len@example.org", text, at(0), false},
		{"trashed one is ignored", post, "trash@example.org", text, at(0), false},
		{"spam one counts", post, "spam@example.org", text, at(0), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := comment(tt.post, models.StatusApproved, at(5000))
			c.Email, c.Text = tt.email, tt.text
			err := s.CreateCommentUnique(t.Context(), &c, tt.since)
			if tt.dup {
				if !errors.Is(err, models.ErrDuplicate) || c.ID != 0 {
					t.Fatalf("CreateCommentUnique = %v, id %d; want ErrDuplicate", err, c.ID)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkComment(t, get(t, s, c.ID), c)
			// Keep the cases apart: the next one must not find this one.
			if err := s.DeleteComment(t.Context(), c.ID, nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// testCreateUniqueConcurrent sends the same comment from many goroutines at
// once, as a double-clicked form or a retrying client does: one is stored,
// every other caller gets ErrDuplicate, and different comments sent alongside
// are all stored.
func testCreateUniqueConcurrent(t *testing.T, s Store) {
	const n = 64
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c := comment("double-click", models.StatusApproved, time.Time{})
			if i%2 == 1 {
				c.Text = fmt.Sprint("other comment ", i)
			}
			errs[i] = s.CreateCommentUnique(t.Context(), &c, time.Time{})
		})
	}
	wg.Wait()
	stored := 0
	for i, err := range errs {
		switch {
		case i%2 == 1 && err != nil:
			t.Errorf("comment %d: %v", i, err)
		case i%2 == 0 && err == nil:
			stored++
		case i%2 == 0 && !errors.Is(err, models.ErrDuplicate):
			t.Errorf("copy %d: %v, want ErrDuplicate", i, err)
		}
	}
	if stored != 1 {
		t.Errorf("%d of %d copies stored, want 1", stored, n/2)
	}
	page, err := s.ListApproved(t.Context(), "double-click", "", 100)
	if err != nil || len(page.Comments) != n/2+1 {
		t.Errorf("ListApproved = %d comments, %v; want %d", len(page.Comments), err, n/2+1)
	}
}

func testDeleteComment(t *testing.T, s Store) {
	ctx := t.Context()
	parent := comment("p", models.StatusApproved, at(0))
	parent.Text = "the parent"
	parent = create(t, s, parent)
	reply := comment("p", models.StatusApproved, at(1))
	reply.Parent = parent.ID
	reply.Text = "a reply"
	reply = create(t, s, reply)
	other := create(t, s, comment("p", models.StatusPending, at(2)))
	ev := models.TrainingEvent{Class: models.ClassHam, Delta: 1, Tokens: []string{"hello"}}
	if _, err := s.Decide(ctx, models.Decision{CommentID: parent.ID, From: models.StatusApproved,
		To: models.StatusApproved, TrainedTo: models.ClassHam, Events: []models.TrainingEvent{ev}, At: at(3)}); err != nil {
		t.Fatal(err)
	}

	before := allAudit(t, s)
	audit := note("ada", "delete")
	if err := s.DeleteComment(ctx, parent.ID, audit); err != nil {
		t.Fatalf("DeleteComment: %v", err)
	}
	rec := wantAudit(t, s, before, 1)[0]
	checkAudit(t, rec, models.AuditEntry{ID: rec.ID, At: rec.At, Actor: "ada", Action: "delete", CommentID: parent.ID,
		FromStatus: models.StatusApproved, Score: score(parent.Score), Detail: "detail of delete"})
	checkAudit(t, *audit, rec)
	tests := []struct {
		name  string
		id    int64
		audit *models.AuditEntry
		check func(t *testing.T, err error)
	}{
		{"deleted twice", parent.ID, note("ada", "delete"), is(models.ErrNotFound)},
		{"unknown", other.ID + 100, nil, is(models.ErrNotFound)},
		{"zero", 0, nil, is(models.ErrNotFound)},
		{"audit without action", other.ID, &models.AuditEntry{Actor: "ada"}, field("audit.action")},
		{"audit of another comment", other.ID, &models.AuditEntry{Action: "delete", CommentID: reply.ID}, field("audit.comment_id")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := allAudit(t, s)
			tt.check(t, s.DeleteComment(ctx, tt.id, tt.audit))
			wantAudit(t, s, before, 0)
		})
	}
	_, err := s.GetComment(ctx, parent.ID)
	wantErr(t, err, models.ErrNotFound)

	// The reply stays, still naming its deleted parent.
	checkComment(t, get(t, s, reply.ID), reply)
	checkComment(t, get(t, s, other.ID), other)
	page, err := s.ListApproved(ctx, "p", "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(page.Comments); len(got) != 1 || got[0] != reply.ID {
		t.Errorf("approved after delete = %v, want [%d]", got, reply.ID)
	}
	counts, err := s.CountApproved(ctx, []string{"p"})
	if err != nil || counts["p"] != 1 {
		t.Errorf("CountApproved = %v, %v; want p:1", counts, err)
	}
	again := comment("p", models.StatusApproved, time.Time{})
	again.Email, again.Text = parent.Email, parent.Text
	if err := s.CreateCommentUnique(ctx, &again, time.Time{}); err != nil {
		t.Errorf("CreateCommentUnique of a deleted comment's copy: %v", err)
	}
	// The training log is append-only: the lesson stays.
	if _, err := s.LastTrainingEvent(ctx, parent.ID); err != nil {
		t.Errorf("LastTrainingEvent of a deleted comment: %v", err)
	}
}

func testDeleteComments(t *testing.T, s Store) {
	ctx := t.Context()
	var cs []models.Comment
	for i, st := range []models.Status{models.StatusSpam, models.StatusSpam, models.StatusTrash, models.StatusPending, models.StatusSpam} {
		c := comment("p", st, at(i))
		c.Score = float64(i) / 10
		cs = append(cs, create(t, s, c))
	}
	unknown := cs[len(cs)-1].ID + 100

	refused := []struct {
		name   string
		ids    []int64
		audits []models.AuditEntry
		field  string
	}{
		{"fewer audits than ids", []int64{cs[0].ID, cs[1].ID}, []models.AuditEntry{{Action: "delete"}}, "audits"},
		{"an audit without action", []int64{cs[0].ID, cs[1].ID}, []models.AuditEntry{{Action: "delete"}, {Actor: "ada"}}, "audits.action"},
		{"an audit of another comment", []int64{cs[0].ID}, []models.AuditEntry{{Action: "delete", CommentID: cs[1].ID}}, "audits.comment_id"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			before := allAudit(t, s)
			deleted, err := s.DeleteComments(ctx, tt.ids, tt.audits)
			wantInvalid(t, err, tt.field)
			if len(deleted) != 0 {
				t.Errorf("refused, yet deleted %v", deleted)
			}
			wantAudit(t, s, before, 0)
			for _, c := range cs {
				get(t, s, c.ID)
			}
		})
	}

	tests := []struct {
		name   string
		ids    []int64
		audits bool
		want   []int64
	}{
		{"none", nil, false, []int64{}},
		{"two with audits, an unknown and a repeat", []int64{cs[1].ID, unknown, cs[0].ID, cs[1].ID}, true, []int64{cs[1].ID, cs[0].ID}},
		{"without audits", []int64{cs[2].ID, cs[3].ID}, false, []int64{cs[2].ID, cs[3].ID}},
		{"all gone already", []int64{cs[0].ID, cs[2].ID, 0}, true, []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := allAudit(t, s)
			var audits []models.AuditEntry
			if tt.audits {
				for range tt.ids {
					audits = append(audits, *note("bob", "delete"))
				}
			}
			deleted, err := s.DeleteComments(ctx, tt.ids, audits)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(deleted, tt.want) {
				t.Fatalf("deleted %v, want %v", deleted, tt.want)
			}
			for _, id := range tt.want {
				_, err := s.GetComment(ctx, id)
				wantErr(t, err, models.ErrNotFound)
			}
			if !tt.audits {
				wantAudit(t, s, before, 0)
				return
			}
			recs := wantAudit(t, s, before, len(tt.want))
			for i, id := range tt.want {
				c := cs[slices.IndexFunc(cs, func(c models.Comment) bool { return c.ID == id })]
				checkAudit(t, recs[i], models.AuditEntry{ID: recs[i].ID, At: recs[i].At, Actor: "bob", Action: "delete",
					CommentID: id, FromStatus: c.Status, Score: score(c.Score), Detail: "detail of delete"})
			}
		})
	}
	checkComment(t, get(t, s, cs[4].ID), cs[4])
}

func testGetComments(t *testing.T, s Store) {
	ctx := t.Context()
	var cs []models.Comment
	for i, st := range []models.Status{models.StatusApproved, models.StatusPending, models.StatusSpam, models.StatusTrash} {
		cs = append(cs, create(t, s, comment("p", st, at(i))))
	}
	many := []int64{cs[0].ID}
	for i := range 1200 {
		many = append(many, cs[3].ID+100+int64(i))
	}
	many = append(many, cs[3].ID)
	tests := []struct {
		name string
		ids  []int64
		want []models.Comment
	}{
		{"nil", nil, nil},
		{"one", []int64{cs[1].ID}, cs[1:2]},
		{"every status", []int64{cs[3].ID, cs[0].ID, cs[2].ID, cs[1].ID}, cs},
		{"unknown ids are absent", []int64{0, -1, cs[3].ID + 1, cs[2].ID}, cs[2:3]},
		{"repeats", []int64{cs[0].ID, cs[0].ID}, cs[:1]},
		{"more ids than one query takes", many, []models.Comment{cs[0], cs[3]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.GetComments(ctx, tt.ids)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Errorf("%d comments, want %d", len(got), len(tt.want))
			}
			for _, w := range tt.want {
				g, ok := got[w.ID]
				if !ok {
					t.Errorf("comment %d missing", w.ID)
					continue
				}
				checkComment(t, g, w)
			}
		})
	}
}

// testCreateConcurrent creates comments from many goroutines at once, as
// concurrent POSTs do (the stores commit them in shared transactions): each
// caller gets its own id and finds its own comment under it.
func testCreateConcurrent(t *testing.T, s Store) {
	const n = 200
	ids := make([]int64, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c := comment("concurrent", models.StatusApproved, time.Time{})
			c.Text = fmt.Sprint("comment ", i)
			errs[i] = s.CreateComment(t.Context(), &c)
			ids[i] = c.ID
		})
	}
	wg.Wait()
	seen := map[int64]bool{}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("comment %d: %v", i, errs[i])
		}
		if seen[ids[i]] {
			t.Fatalf("id %d given twice", ids[i])
		}
		seen[ids[i]] = true
		got, err := s.GetComment(t.Context(), ids[i])
		if err != nil || got.Text != fmt.Sprint("comment ", i) {
			t.Fatalf("comment %d as stored under %d: %+v, %v", i, ids[i], got, err)
		}
	}
}
