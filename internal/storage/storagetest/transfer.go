package storagetest

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// fill stores a little of every kind of row through the ordinary methods,
// and more training events than one export batch holds. The outbox is on, so
// that comment changes write webhook events.
func fill(t *testing.T, s Store) {
	t.Helper()
	ctx := t.Context()
	s.RecordWebhookEvents(true)
	ada := moderator(t, s, "Ada", models.RoleAdmin)
	bob := moderator(t, s, "bob", models.RoleModerator)
	gone := moderator(t, s, "gone", models.RoleModerator)
	for i, m := range []models.Moderator{ada, bob, ada} {
		tok := models.APIToken{ModeratorID: m.ID, Name: fmt.Sprint("t", i), Hash: hash(fmt.Sprint("token", i)), CreatedAt: at(i)}
		if err := s.CreateAPIToken(ctx, &tok, note("root", "token.add")); err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			if err := s.RevokeAPIToken(ctx, tok.ID, at(50), nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.DeleteModerator(ctx, gone.ID, note("root", "moderator.delete")); err != nil {
		t.Fatal(err)
	}
	for i, m := range []models.Moderator{ada, bob} {
		if err := s.CreateSession(ctx, models.Session{ID: hash(fmt.Sprint("cookie", i)), ModeratorID: m.ID, CSRFToken: "c",
			CreatedAt: at(10 + i), LastSeenAt: at(20 + i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveSettings(ctx, models.Settings{HamThreshold: 0.3, SpamThreshold: 0.9, MaxLinks: 3, HoldFirst: true}, nil); err != nil {
		t.Fatal(err)
	}
	for _, w := range []models.Word{{Kind: models.WordBlocked, Word: "Casino", CreatedBy: "ada", CreatedAt: at(1)},
		{Kind: models.WordHeld, Word: "crypto", CreatedBy: "bob", CreatedAt: at(2)}} {
		if err := s.AddWord(ctx, &w, nil); err != nil {
			t.Fatal(err)
		}
	}
	expires := at(1000)
	for _, b := range []models.Ban{{Kind: models.BanIP, Value: "203.0.113.0/24", CreatedBy: "ada", CreatedAt: at(3)},
		{Kind: models.BanEmail, Value: "x@example.org", Reason: "spam", ExpiresAt: &expires, CreatedBy: "ada", CreatedAt: at(4)}} {
		if err := s.AddBan(ctx, &b, nil); err != nil {
			t.Fatal(err)
		}
	}
	var cs []models.Comment
	for i, st := range []models.Status{models.StatusPending, models.StatusApproved, models.StatusSpam, models.StatusPending, models.StatusTrash} {
		c := comment(fmt.Sprint("post-", i%2), st, at(i))
		c.Reasons = models.Reasons{Rules: []string{"links"}, Tokens: []models.TokenWeight{{Token: "hi", Weight: 0.5}}}
		c.IP = []string{"203.0.113.9", "2001:db8::1", "not an ip"}[i%3]
		cs = append(cs, create(t, s, c))
	}
	if _, err := s.Decide(ctx, models.Decision{CommentID: cs[0].ID, From: models.StatusPending, To: models.StatusSpam,
		TrainedTo: models.ClassSpam, Events: []models.TrainingEvent{event(models.ClassSpam, 1, "buy", "now")},
		At: at(100), Audit: note("ada", "spam")}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteComment(ctx, cs[3].ID, note("ada", "delete")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportComments(ctx, yieldAll([]models.ImportedComment{imported("w:1", "", models.StatusApproved, models.ClassNone),
		imported("w:2", "w:1", models.StatusPending, models.ClassNone)}, nil), nil); err != nil {
		t.Fatal(err)
	}
	var corpus []models.TrainingEvent
	for i := range storage.ExportBatch + 200 {
		corpus = append(corpus, event([]models.Class{models.ClassHam, models.ClassSpam}[i%2], 1, fmt.Sprint("w", i)))
	}
	if _, err := s.AppendTrainingEvents(ctx, corpus); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := s.SaveSnapshot(ctx, models.ModelSnapshot{LastEventID: int64(i), StarterVersion: "v1",
			Data: []byte{byte(i), 0, 0xff}, CreatedAt: at(200 + i)}); err != nil {
			t.Fatal(err)
		}
	}
	fillSites(t, s)
}

// fillSites stores two site API keys, the second revoked, a spam check of
// each, the first taught, and leaves the outbox with an event of every state:
// delivered, failed once and due later, given up, claimed, and deleted.
func fillSites(t *testing.T, s Store) {
	t.Helper()
	ctx := t.Context()
	keys := make([]models.APIKey, 2)
	for i := range keys {
		keys[i] = models.APIKey{Site: fmt.Sprintf("https://site%d.example.org", i), Hash: hash(fmt.Sprint("key", i)),
			CreatedBy: "ada", CreatedAt: at(300 + i)}
		if err := s.CreateAPIKey(ctx, &keys[i], note("ada", "apikey.create")); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RevokeAPIKey(ctx, keys[1].ID, at(310), nil); err != nil {
		t.Fatal(err)
	}
	taught := createCheck(t, s, spamCheck("g-taught", keys[0].ID, "buy now", at(320)))
	createCheck(t, s, spamCheck("g-revoked", keys[1].ID, "hello", at(321)))
	if _, err := s.TrainSpamCheck(ctx, models.Lesson{CheckID: taught.ID, To: models.ClassSpam, At: at(330)}); err != nil {
		t.Fatal(err)
	}

	evs, err := s.ClaimWebhookEvents(ctx, time.Now(), time.Hour, 100)
	if err != nil || len(evs) < 6 {
		t.Fatalf("ClaimWebhookEvents: %d events, %v; want at least 6", len(evs), err)
	}
	now := time.Now()
	later, old := now.Add(time.Hour), at(0)
	delivered, failed, givenUp, gone := evs[0], evs[1], evs[2], evs[len(evs)-1]
	delivered.Attempts, delivered.Delivered, delivered.DoneAt = 1, []string{"https://a.example/hook", "https://b.example/hook"}, &now
	failed.Attempts, failed.Delivered, failed.LastError, failed.NextAttemptAt = 2, []string{"https://a.example/hook"}, "503", later
	givenUp.Attempts, givenUp.LastError, givenUp.DoneAt, givenUp.Failed = 9, "timeout", &now, true
	gone.Attempts, gone.Delivered, gone.DoneAt = 1, []string{"https://a.example/hook"}, &old
	for _, e := range []models.WebhookEvent{delivered, failed, givenUp, gone} { // the others stay claimed
		if err := s.ReleaseWebhookEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.DeleteWebhookEvents(ctx, at(1)); err != nil || n != 1 {
		t.Fatalf("DeleteWebhookEvents = %d, %v; want the newest event deleted", n, err)
	}
}

// exportAll returns everything s exports, batches of a kind joined.
func exportAll(t *testing.T, s Store) storage.Batch {
	t.Helper()
	var all storage.Batch
	err := s.Export(t.Context(), func(b storage.Batch) error {
		if b.Len() == 0 || b.Len() > storage.ExportBatch {
			t.Errorf("a batch of %d rows", b.Len())
		}
		all.Moderators = append(all.Moderators, b.Moderators...)
		all.Tokens = append(all.Tokens, b.Tokens...)
		all.Sessions = append(all.Sessions, b.Sessions...)
		all.Words = append(all.Words, b.Words...)
		all.Bans = append(all.Bans, b.Bans...)
		all.Comments = append(all.Comments, b.Comments...)
		all.Sources = append(all.Sources, b.Sources...)
		all.Events = append(all.Events, b.Events...)
		all.Audit = append(all.Audit, b.Audit...)
		all.APIKeys = append(all.APIKeys, b.APIKeys...)
		all.SpamChecks = append(all.SpamChecks, b.SpamChecks...)
		all.Webhooks = append(all.Webhooks, b.Webhooks...)
		all.Settings = cmpOr(b.Settings, all.Settings)
		all.Snapshot = cmpOr(b.Snapshot, all.Snapshot)
		if b.LastIDs != nil {
			all.LastIDs = b.LastIDs
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	return all
}

func cmpOr[T any](a, b *T) *T {
	if a != nil {
		return a
	}
	return b
}

// copyAll imports everything from exports into to, one batch at a time.
func copyAll(t *testing.T, from, to Store) {
	t.Helper()
	err := from.Export(t.Context(), func(b storage.Batch) error { return to.Import(t.Context(), b) })
	if err != nil {
		t.Fatalf("Export into Import: %v", err)
	}
}

func testExportImport(t *testing.T, open func(t *testing.T) Store) {
	ctx := t.Context()
	from, to := open(t), open(t)
	for _, s := range []Store{from, to} {
		t.Cleanup(func() { s.Close() })
	}
	fill(t, from)
	want := exportAll(t, from)
	if len(want.Events) != storage.ExportBatch+201 || want.Snapshot == nil || want.Settings == nil || len(want.Moderators) != 2 {
		t.Fatalf("export: %d events, %d moderators, snapshot %v, settings %v", len(want.Events), len(want.Moderators),
			want.Snapshot != nil, want.Settings != nil)
	}
	if len(want.APIKeys) != 2 || len(want.SpamChecks) != 2 || len(want.Webhooks) < 5 {
		t.Fatalf("export: %d API keys, %d spam checks, %d webhook events", len(want.APIKeys), len(want.SpamChecks), len(want.Webhooks))
	}
	for _, e := range want.Webhooks {
		if e.Lease != "" {
			t.Errorf("webhook event %d exported with the lease of a claim", e.ID)
		}
	}
	counts, err := from.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for round := range 2 { // importing again changes nothing
		copyAll(t, from, to)
		got, err := to.Counts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wantCounts := counts
		wantCounts.Snapshots = 1 // the newest only
		if got != wantCounts {
			t.Errorf("round %d: counts %+v, want %+v", round, got, wantCounts)
		}
		if got := exportAll(t, to); !reflect.DeepEqual(got, want) {
			t.Errorf("round %d: the copy exports differently\n got: %+v\nwant: %+v", round, got, want)
		}
	}
	// Reads see the copy as they saw the original.
	if _, m, err := to.SessionByID(ctx, hash("cookie1")); err != nil || m.Name != "bob" {
		t.Errorf("session of the copy: %v, %v", m, err)
	}
	if _, _, err := to.APITokenByHash(ctx, hash("token2")); err == nil {
		t.Error("a revoked token is valid in the copy")
	}
	for _, s := range []Store{from, to} {
		page, err := s.ListQueue(ctx, models.QueueFilter{Status: models.StatusSpam, IP: "203.0.113.0/24", Email: "ADA@example.org", Limit: 10})
		if err != nil || len(page.Comments) != 1 || page.Comments[0].ID != want.Comments[0].ID {
			t.Errorf("queue by IP range and email: %v, %v; want [%d]", ids(page.Comments), err, want.Comments[0].ID)
		}
	}
	checkSitesCopied(t, from, to, want)
	// New rows get ids after the copied ones, also where the original's newest row was deleted.
	to.RecordWebhookEvents(true)
	c := create(t, to, comment("p", models.StatusPending, time.Time{}))
	if maxID := slices.MaxFunc(want.Comments, func(a, b models.Comment) int { return int(a.ID - b.ID) }).ID; c.ID <= maxID {
		t.Errorf("new comment id %d, want above %d", c.ID, maxID)
	}
	evs, err := to.AppendTrainingEvents(ctx, []models.TrainingEvent{event(models.ClassHam, 1, "new")})
	if err != nil || evs[0].ID <= want.Events[len(want.Events)-1].ID {
		t.Errorf("new event %+v, %v; want an id above %d", evs, err, want.Events[len(want.Events)-1].ID)
	}
	m := moderator(t, to, "carol", models.RoleModerator)
	if gone := want.LastIDs["moderators"]; m.ID <= gone || gone <= want.Moderators[len(want.Moderators)-1].ID {
		t.Errorf("new moderator id %d, want above the deleted moderator's %d", m.ID, gone)
	}
	if err := to.SaveSnapshot(ctx, models.ModelSnapshot{StarterVersion: "v2"}); err != nil {
		t.Fatal(err)
	}
	if snap, err := to.LatestSnapshot(ctx); err != nil || snap.StarterVersion != "v2" {
		t.Errorf("latest snapshot after a new save: %+v, %v", snap, err)
	}
	checkNewSiteIDs(t, to, want)
	// A name, hash or GUID taken under another id is a conflict, not a silent merge.
	for _, b := range []storage.Batch{
		{Moderators: []models.Moderator{{ID: m.ID + 100, Name: "ADA", Role: models.RoleAdmin, CreatedAt: at(0)}}},
		{APIKeys: []models.APIKey{{ID: 100, Site: "https://other.example.org", Hash: hash("key0"), CreatedAt: at(0)}}},
		{SpamChecks: []models.SpamCheck{func() models.SpamCheck { c := want.SpamChecks[0]; c.ID = 100; return c }()}},
	} {
		wantErr(t, to.Import(ctx, b), models.ErrConflict)
	}
}

// checkSitesCopied checks that the copy to of from (which exported want)
// answers the Akismet-compatible API and delivers the webhooks as from did:
// the valid key verifies by its hash and the revoked one does not, the checks
// name their keys and keep their lessons, and every event not done is due at
// once, unclaimed, while from's claims still hold there.
func checkSitesCopied(t *testing.T, from, to Store, want storage.Batch) {
	t.Helper()
	ctx := t.Context()
	for i, wantKeyErr := range []error{nil, models.ErrNotFound} {
		k, err := to.APIKeyByHash(ctx, hash(fmt.Sprint("key", i)))
		if !errorsIs(err, wantKeyErr) || (err == nil && (k.ID != want.APIKeys[i].ID || k.Site != want.APIKeys[i].Site)) {
			t.Errorf("key %d on the copy: %+v, %v; want %+v, %v", i, k, err, want.APIKeys[i], wantKeyErr)
		}
	}
	if want.APIKeys[1].RevokedAt == nil {
		t.Error("the revoked key exports without its revocation")
	}
	c, err := to.LatestSpamCheck(ctx, want.APIKeys[0].ID, hash("buy now"))
	if err != nil || c.GUID != "g-taught" || c.TrainedAs != models.ClassSpam {
		t.Errorf("the key's latest check on the copy: %+v, %v; want g-taught, trained as spam", c, err)
	}
	var due []int64
	for _, e := range want.Webhooks {
		if e.DoneAt == nil && !e.NextAttemptAt.After(time.Now()) {
			due = append(due, e.ID)
		}
	}
	for _, s := range []struct {
		name  string
		store Store
		want  []int64
	}{{"original", from, nil}, {"copy", to, due}} {
		evs, err := s.store.ClaimWebhookEvents(ctx, time.Now(), time.Minute, 100)
		got := make([]int64, len(evs))
		for i, e := range evs {
			got[i] = e.ID
		}
		if err != nil || !slices.Equal(got, s.want) {
			t.Errorf("due events of the %s: %v, %v; want %v", s.name, got, err, s.want)
		}
		for _, e := range evs {
			if err := s.store.ReleaseWebhookEvent(ctx, e); err != nil { // due again, for a later claim
				t.Fatal(err)
			}
		}
	}
}

// checkNewSiteIDs checks that keys, checks and events new on the copy to get
// ids after the copied ones, and after the deleted newest event.
func checkNewSiteIDs(t *testing.T, to Store, want storage.Batch) {
	t.Helper()
	ctx := t.Context()
	k := models.APIKey{Site: "https://new.example.org", Hash: hash("new key")}
	if err := to.CreateAPIKey(ctx, &k, nil); err != nil || k.ID <= want.LastIDs["api_keys"] {
		t.Errorf("new key %d, %v; want an id above %d", k.ID, err, want.LastIDs["api_keys"])
	}
	c := createCheck(t, to, spamCheck("g-new", k.ID, "new", time.Time{}))
	if c.ID <= want.LastIDs["spam_checks"] {
		t.Errorf("new check %d, want an id above %d", c.ID, want.LastIDs["spam_checks"])
	}
	evs, err := to.ClaimWebhookEvents(ctx, time.Now(), time.Minute, 100)
	if err != nil || len(evs) == 0 {
		t.Fatalf("ClaimWebhookEvents on the copy: %d, %v", len(evs), err)
	}
	last, gone := evs[len(evs)-1], want.LastIDs["webhook_events"]
	if last.Type != models.EventQueued || last.ID <= gone || gone <= want.Webhooks[len(want.Webhooks)-1].ID {
		t.Errorf("new event %d (%s), want the new comment's above the deleted event's %d", last.ID, last.Type, gone)
	}
}
