package storagetest

import (
	"errors"
	"fmt"
	"iter"
	"reflect"
	"strings"
	"testing"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// imported returns a comment from another system, keyed key, replying to the
// comment keyed parent ("" for none), teaching class.
func imported(key, parent string, st models.Status, class models.Class) models.ImportedComment {
	c := comment("imported", st, at(len(key)))
	c.Text, c.TrainedAs = "text of "+key, class
	return models.ImportedComment{Source: models.CommentSource{Key: key, ParentKey: parent}, Comment: c,
		Tokens: []string{"word", "of-" + key}}
}

// yieldAll yields items, then fail when not nil.
func yieldAll(items []models.ImportedComment, fail error) iter.Seq2[models.ImportedComment, error] {
	return func(yield func(models.ImportedComment, error) bool) {
		for _, it := range items {
			if !yield(it, nil) {
				return
			}
		}
		if fail != nil {
			yield(models.ImportedComment{}, fail)
		}
	}
}

// byText returns every comment of s by its text.
func byText(t *testing.T, s Store) map[string]models.Comment {
	t.Helper()
	var all []int64
	for _, st := range []models.Status{models.StatusApproved, models.StatusPending, models.StatusSpam, models.StatusTrash} {
		ids, err := s.QueueIDs(t.Context(), models.QueueFilter{Status: st}, 100_000)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ids...)
	}
	got, err := s.GetComments(t.Context(), all)
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]models.Comment, len(got))
	for _, c := range got {
		out[c.Text] = c
	}
	return out
}

func testImportComments(t *testing.T, s Store) {
	ctx := t.Context()
	items := []models.ImportedComment{
		imported("w:a", "", models.StatusApproved, models.ClassHam),
		imported("w:b", "w:a", models.StatusPending, models.ClassNone),  // a reply to an earlier comment
		imported("w:c", "w:d", models.StatusSpam, models.ClassSpam),     // a reply to a later one
		imported("w:d", "", models.StatusApproved, models.ClassHam),     //
		imported("w:e", "w:gone", models.StatusTrash, models.ClassNone), // a reply to a comment not there
		imported("w:f", "w:f", models.StatusApproved, models.ClassNone), // its own parent: top level
		imported("w:a", "", models.StatusApproved, models.ClassHam),     // twice in one file
	}
	audit := note("cli", "import.wordpress")
	res, err := s.ImportComments(ctx, yieldAll(items, nil), audit)
	if err != nil {
		t.Fatalf("ImportComments: %v", err)
	}
	if want := (models.ImportResult{Imported: 6, Skipped: 1, Ham: 2, Spam: 1, Replies: 2, Orphans: 1}); res != want {
		t.Errorf("result %+v, want %+v", res, want)
	}
	got := byText(t, s)
	if len(got) != 6 {
		t.Fatalf("%d comments stored, want 6", len(got))
	}
	parents := map[string]string{"w:a": "", "w:b": "w:a", "w:c": "w:d", "w:d": "", "w:e": "", "w:f": ""}
	for key, parent := range parents {
		c := got["text of "+key]
		want := items[strings.IndexByte("abcdef", key[2])].Comment
		want.ID, want.Parent = c.ID, got["text of "+parent].ID
		checkComment(t, c, want)
	}
	evs := allEvents(t, s)
	if len(evs) != 3 {
		t.Fatalf("%d training events, want 3", len(evs))
	}
	for i, key := range []string{"w:a", "w:c", "w:d"} {
		c := got["text of "+key]
		want := models.TrainingEvent{ID: evs[i].ID, CommentID: c.ID, Class: c.TrainedAs, Delta: 1,
			Tokens: []string{"word", "of-" + key}, CreatedAt: evs[i].CreatedAt}
		checkEvent(t, evs[i], want)
	}
	if want := "detail of import.wordpress: imported 6, skipped 1, trained 2 ham and 1 spam, 2 replies threaded, 1 orphans"; audit.ID == 0 || audit.Detail != want {
		t.Errorf("audit entry %s, want detail %q", describeAudit(*audit), want)
	}
	if all := allAudit(t, s); len(all) != 1 || all[0].Detail != audit.Detail {
		t.Errorf("audit log %v, want the import's entry", all)
	}

	// Again, with one comment more and one deleted meanwhile: only the new one is stored.
	if err := s.DeleteComment(ctx, got["text of w:d"].ID, nil); err != nil {
		t.Fatal(err)
	}
	again := append(items, imported("w:g", "w:a", models.StatusPending, models.ClassNone))
	res, err = s.ImportComments(ctx, yieldAll(again, nil), nil)
	if err != nil {
		t.Fatalf("ImportComments again: %v", err)
	}
	if want := (models.ImportResult{Imported: 1, Skipped: 7, Replies: 1}); res != want {
		t.Errorf("again: result %+v, want %+v", res, want)
	}
	after := byText(t, s)
	if len(after) != 6 || after["text of w:g"].Parent != got["text of w:a"].ID {
		t.Errorf("again: %d comments, w:g under %d; want 6, under %d", len(after), after["text of w:g"].Parent, got["text of w:a"].ID)
	}
	if n := len(allEvents(t, s)); n != 3 {
		t.Errorf("again: %d training events, want 3", n)
	}
	if _, err := s.ImportComments(ctx, yieldAll(nil, nil), nil); err != nil {
		t.Errorf("an empty import: %v", err)
	}
}

// testImportCommentsChunks imports more comments than one round trip carries,
// each a reply to the one before, and the first a reply to the last.
func testImportCommentsChunks(t *testing.T, s Store) {
	const n = 1234
	key := func(i int) string { return fmt.Sprintf("d:%04d", (i+n)%n) }
	items := make([]models.ImportedComment, n)
	for i := range items {
		items[i] = imported(key(i), key(i-1), models.StatusApproved, models.ClassHam)
	}
	res, err := s.ImportComments(t.Context(), yieldAll(items, nil), nil)
	if err != nil {
		t.Fatalf("ImportComments: %v", err)
	}
	if want := (models.ImportResult{Imported: n, Ham: n, Replies: n}); res != want {
		t.Errorf("result %+v, want %+v", res, want)
	}
	got := byText(t, s)
	for i := range n {
		if c, p := got["text of "+key(i)], got["text of "+key(i-1)]; c.Parent != p.ID || p.ID == 0 {
			t.Fatalf("%s under %d, want %d", key(i), c.Parent, p.ID)
		}
	}
	if evs := allEvents(t, s); len(evs) != n || evs[0].CommentID != got["text of "+key(0)].ID {
		t.Errorf("%d training events, the first of comment %d; want %d, of %d", len(evs), evs[0].CommentID, n, got["text of "+key(0)].ID)
	}
}

func testImportCommentsRollback(t *testing.T, s Store) {
	ctx := t.Context()
	good := []models.ImportedComment{
		imported("r:1", "", models.StatusApproved, models.ClassHam),
		imported("r:2", "r:1", models.StatusSpam, models.ClassSpam),
	}
	bad := imported("r:3", "", "bogus", models.ClassNone)
	noKey := imported("", "", models.StatusPending, models.ClassNone)
	errBroken := errors.New("line 9, column 3: broken file")
	tests := []struct {
		name  string
		items iter.Seq2[models.ImportedComment, error]
		audit *models.AuditEntry
		check func(t *testing.T, err error)
	}{
		{"the source fails", yieldAll(good, errBroken), nil, is(errBroken)},
		{"a bad comment", yieldAll(append(good[:2:2], bad), nil), nil, field("status")},
		{"no key", yieldAll(append(good[:2:2], noKey), nil), nil, field("source.key")},
		{"a bad audit entry", yieldAll(good, nil), &models.AuditEntry{Actor: "cli"}, field("audit.action")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.ImportComments(ctx, tt.items, tt.audit)
			tt.check(t, err)
			if res != (models.ImportResult{}) {
				t.Errorf("result %+v of a failed import", res)
			}
			if got := byText(t, s); len(got) != 0 {
				t.Errorf("%d comments stored by a failed import", len(got))
			}
			if evs := allEvents(t, s); len(evs) != 0 {
				t.Errorf("%d training events written by a failed import", len(evs))
			}
			if es := allAudit(t, s); len(es) != 0 {
				t.Errorf("%d audit entries recorded by a failed import", len(es))
			}
		})
	}
	// Nothing of the failed attempts stayed, not even the keys.
	res, err := s.ImportComments(ctx, yieldAll(good, nil), nil)
	if want := (models.ImportResult{Imported: 2, Ham: 1, Spam: 1, Replies: 1}); err != nil || res != want {
		t.Errorf("after the failures: %+v, %v; want %+v", res, err, want)
	}
}

// testImportBatches restores one store's export into another in one
// transaction, twice, and checks that a failing source leaves nothing behind.
func testImportBatches(t *testing.T, open func(t *testing.T) Store) {
	ctx := t.Context()
	from, to := open(t), open(t)
	for _, s := range []Store{from, to} {
		t.Cleanup(func() { s.Close() })
	}
	fill(t, from)
	want := exportAll(t, from)
	batches := func(fail error) iter.Seq2[storage.Batch, error] {
		return func(yield func(storage.Batch, error) bool) {
			all := []storage.Batch{}
			from.Export(ctx, func(b storage.Batch) error { all = append(all, b); return nil })
			for i, b := range all {
				if i == len(all)-1 && fail != nil {
					yield(storage.Batch{}, fail)
					return
				}
				if !yield(b, nil) {
					return
				}
			}
		}
	}
	errBroken := errors.New("line 7: broken file")
	if err := to.ImportBatches(ctx, batches(errBroken), note("cli", "import.json")); !errors.Is(err, errBroken) {
		t.Fatalf("ImportBatches from a broken source: %v", err)
	}
	if got, err := to.Counts(ctx); err != nil || got != (storage.Counts{}) {
		t.Fatalf("after a failed import: counts %+v, %v; want none", got, err)
	}
	for round := range 2 {
		audit := note("cli", "import.json")
		if err := to.ImportBatches(ctx, batches(nil), audit); err != nil {
			t.Fatalf("round %d: ImportBatches: %v", round, err)
		}
		got := exportAll(t, to)
		if last := got.Audit[len(got.Audit)-1]; last.ID != audit.ID || last.Action != "import.json" || audit.ID <= want.LastIDs["audit_log"] {
			t.Errorf("round %d: the last audit entry %s, want the import's, after the copied ones", round, describeAudit(last))
		}
		got.Audit = got.Audit[:len(got.Audit)-1-round]
		got.LastIDs["audit_log"] = want.LastIDs["audit_log"]
		if !reflect.DeepEqual(got, want) {
			t.Errorf("round %d: the copy exports differently\n got: %+v\nwant: %+v", round, got, want)
		}
	}
}
