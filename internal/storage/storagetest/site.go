package storagetest

import (
	"bytes"
	"context"
	"errors"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/commentd/commentd/models"
)

// SiteStore is what the Akismet-compatible API and the webhooks keep: the
// sites' API keys, the spam checks other sites asked for, and the webhook outbox.
type SiteStore interface {
	// CreateAPIKey stores a valid key and sets its ID and a zero CreatedAt (now); ErrConflict for
	// a hash in use; ErrInvalid for an empty hash or site or a bad audit.
	CreateAPIKey(ctx context.Context, k *models.APIKey, audit *models.AuditEntry) error
	// APIKeyByHash returns the unrevoked key with hash; ErrNotFound.
	APIKeyByHash(ctx context.Context, hash []byte) (models.APIKey, error)
	// ListAPIKeys returns every key, revoked included, oldest first.
	ListAPIKeys(ctx context.Context) ([]models.APIKey, error)
	// RevokeAPIKey revokes a key at at (now when zero); ErrNotFound; ErrConflict when revoked
	// already; ErrInvalid for a bad audit.
	RevokeAPIKey(ctx context.Context, id int64, at time.Time, audit *models.AuditEntry) error

	// CreateSpamCheck stores c and sets its ID, a zero CreatedAt (now) and UpdatedAt (CreatedAt);
	// ErrConflict for a GUID in use; ErrInvalid for an empty GUID or content hash, an unknown
	// status or class, or a non-finite score.
	CreateSpamCheck(ctx context.Context, c *models.SpamCheck) error
	// SpamCheckByGUID returns one check; ErrNotFound.
	SpamCheckByGUID(ctx context.Context, guid string) (models.SpamCheck, error)
	// LatestSpamCheck returns the newest check of a key with a content hash; ErrNotFound.
	LatestSpamCheck(ctx context.Context, keyID int64, contentHash []byte) (models.SpamCheck, error)
	// TrainSpamCheck, in one transaction, moves a check trained as l.From to l.To (updated at
	// l.At, now when zero) and appends l.Events created at l.At; it returns the check. ErrNotFound;
	// ErrConflict when it is no longer l.From; ErrInvalid for a bad class or event, or an event
	// with a CommentID.
	TrainSpamCheck(ctx context.Context, l models.Lesson) (models.SpamCheck, error)
	// DeleteSpamChecks deletes the untrained checks created before a time and returns how many.
	DeleteSpamChecks(ctx context.Context, before time.Time) (int, error)

	// RecordWebhookEvents turns the outbox on: from then on CreateComment writes comment.created
	// and the event of the status, Decide and DecideMany the event of the new status (From, and
	// the audit's Actor), DeleteComment and DeleteComments comment.deleted, each in the change's
	// transaction and due at once.
	RecordWebhookEvents(on bool)
	// ClaimWebhookEvents leases until now+lease up to limit events due at now (not done, next
	// attempt reached, no live lease), oldest first; concurrent claims never share an event.
	// ErrInvalid for a limit below 1 or a lease not above 0.
	ClaimWebhookEvents(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]models.WebhookEvent, error)
	// ReleaseWebhookEvent writes an event's delivery state and lifts its lease; ErrNotFound;
	// ErrConflict when e.Lease is no longer the event's; ErrInvalid for an empty lease.
	ReleaseWebhookEvent(ctx context.Context, e models.WebhookEvent) error
	// DeleteWebhookEvents deletes the events done before a time and returns how many.
	DeleteWebhookEvents(ctx context.Context, before time.Time) (int, error)
	// PendingWebhookEvents counts the events not done, leased or not.
	PendingWebhookEvents(ctx context.Context) (int, error)
}

// siteTests are the suite's tests of SiteStore.
var siteTests = []struct {
	name string
	test func(t *testing.T, s Store)
}{
	{"APIKeys", testAPIKeys},
	{"SpamChecks", testSpamChecks},
	{"TrainSpamCheck", testTrainSpamCheck},
	{"TrainSpamCheckConcurrent", testTrainSpamCheckConcurrent},
	{"WebhookEventsOff", testWebhookEventsOff},
	{"WebhookEvents", testWebhookEvents},
	{"WebhookLeases", testWebhookLeases},
	{"WebhookClaimsConcurrent", testWebhookClaimsConcurrent},
}

func testAPIKeys(t *testing.T, s Store) {
	ctx := t.Context()
	var stored []models.APIKey
	tests := []struct {
		name  string
		key   models.APIKey
		check func(t *testing.T, err error)
	}{
		{"first", models.APIKey{Site: "https://blog.example.org", Hash: hash("k1"), CreatedBy: "ada", CreatedAt: at(1)}, nil},
		{"zero time", models.APIKey{Site: "https://shop.example.org/", Hash: hash("k2"), CreatedBy: "cli"}, nil},
		{"revoked time ignored", models.APIKey{Site: "http://[::1]:8080", Hash: hash("k3"), RevokedAt: new(time.Time)}, nil},
		{"hash in use", models.APIKey{Site: "https://other.example.org", Hash: hash("k1")}, is(models.ErrConflict)},
		{"empty hash", models.APIKey{Site: "https://other.example.org"}, field("hash")},
		{"empty site", models.APIKey{Hash: hash("k9")}, field("site")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, audit := tt.key, note("ada", "apikey.create")
			start := time.Now()
			if !audited(t, s, audit, tt.check, func() error { return s.CreateAPIKey(ctx, &k, audit) }) {
				return
			}
			if k.ID <= 0 || k.RevokedAt != nil {
				t.Errorf("stored key %+v", k)
			}
			if tt.key.CreatedAt.IsZero() {
				wantNow(t, "CreatedAt", k.CreatedAt, start)
			}
			got, err := s.APIKeyByHash(ctx, tt.key.Hash)
			if err != nil {
				t.Fatal(err)
			}
			checkAPIKey(t, got, k)
			stored = append(stored, k)
		})
	}
	for _, h := range [][]byte{nil, {}, hash("k1")[:31], hash("unknown")} {
		_, err := s.APIKeyByHash(ctx, h)
		wantErr(t, err, models.ErrNotFound)
	}

	revokes := []struct {
		name  string
		id    int64
		at    time.Time
		check func(t *testing.T, err error)
	}{
		{"revoke", stored[0].ID, at(50), nil},
		{"revoke at zero time", stored[2].ID, time.Time{}, nil},
		{"revoked already", stored[0].ID, at(60), is(models.ErrConflict)},
		{"unknown", stored[2].ID + 100, at(50), is(models.ErrNotFound)},
	}
	for _, tt := range revokes {
		t.Run(tt.name, func(t *testing.T) {
			audit := note("ada", "apikey.revoke")
			audited(t, s, audit, tt.check, func() error { return s.RevokeAPIKey(ctx, tt.id, tt.at, audit) })
		})
	}
	_, err := s.APIKeyByHash(ctx, hash("k1"))
	wantErr(t, err, models.ErrNotFound)
	if _, err := s.APIKeyByHash(ctx, hash("k2")); err != nil {
		t.Errorf("the unrevoked key: %v", err)
	}
	all, err := s.ListAPIKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(stored) {
		t.Fatalf("ListAPIKeys = %d keys, want %d", len(all), len(stored))
	}
	for i := range all {
		want := stored[i]
		want.RevokedAt = all[i].RevokedAt
		checkAPIKey(t, all[i], want)
	}
	if all[0].RevokedAt == nil || !all[0].RevokedAt.Equal(at(50)) || all[1].RevokedAt != nil || all[2].RevokedAt == nil {
		t.Errorf("revocations listed: %v %v %v", all[0].RevokedAt, all[1].RevokedAt, all[2].RevokedAt)
	}
}

// checkAPIKey fails unless got equals want, times as instants in UTC.
func checkAPIKey(t *testing.T, got, want models.APIKey) {
	t.Helper()
	if got.CreatedAt.Location() != time.UTC {
		t.Errorf("key %d: CreatedAt %v not in UTC", got.ID, got.CreatedAt)
	}
	sameRevoked := (got.RevokedAt == nil) == (want.RevokedAt == nil) && (got.RevokedAt == nil || got.RevokedAt.Equal(*want.RevokedAt))
	if got.ID != want.ID || got.Site != want.Site || got.CreatedBy != want.CreatedBy || !bytes.Equal(got.Hash, want.Hash) ||
		!got.CreatedAt.Equal(want.CreatedAt) || !sameRevoked {
		t.Errorf("key mismatch\n got: %+v\nwant: %+v", got, want)
	}
}

// spamCheck returns a valid check with guid and content, created at t.
func spamCheck(guid string, keyID int64, content string, t time.Time) models.SpamCheck {
	return models.SpamCheck{GUID: guid, KeyID: keyID, ContentHash: hash(content), Status: models.StatusSpam,
		Score: 0.97, Tokens: []string{"cheap", "pills", "url:example.com"}, CreatedAt: t}
}

func createCheck(t *testing.T, s Store, c models.SpamCheck) models.SpamCheck {
	t.Helper()
	if err := s.CreateSpamCheck(t.Context(), &c); err != nil {
		t.Fatalf("CreateSpamCheck(%q): %v", c.GUID, err)
	}
	return c
}

// checkSpamCheck fails unless got equals want, times as instants in UTC.
func checkSpamCheck(t *testing.T, got, want models.SpamCheck) {
	t.Helper()
	if got.CreatedAt.Location() != time.UTC || got.UpdatedAt.Location() != time.UTC {
		t.Errorf("check %d: times %v, %v not in UTC", got.ID, got.CreatedAt, got.UpdatedAt)
	}
	if got.ID != want.ID || got.GUID != want.GUID || got.KeyID != want.KeyID || !bytes.Equal(got.ContentHash, want.ContentHash) ||
		got.Status != want.Status || got.Score != want.Score || !slices.Equal(got.Tokens, want.Tokens) ||
		got.TrainedAs != want.TrainedAs || !got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) {
		t.Errorf("check mismatch\n got: %+v\nwant: %+v", got, want)
	}
}

func testSpamChecks(t *testing.T, s Store) {
	ctx := t.Context()
	nan := spamCheck("nan", 1, "x", at(1))
	nan.Score = math.NaN()
	noTokens := spamCheck("no-tokens", 1, "empty", time.Time{})
	noTokens.Tokens = nil
	tests := []struct {
		name  string
		c     models.SpamCheck
		check func(t *testing.T, err error)
	}{
		{"first", spamCheck("g-1", 1, "buy now", at(1)), nil},
		{"same content later", spamCheck("g-2", 1, "buy now", at(2)), nil},
		{"other key", spamCheck("g-3", 2, "buy now", at(3)), nil},
		{"no tokens, zero time", noTokens, nil},
		{"guid in use", spamCheck("g-1", 1, "other", at(4)), is(models.ErrConflict)},
		{"no guid", spamCheck("", 1, "other", at(4)), field("guid")},
		{"no content hash", models.SpamCheck{GUID: "g-9", Status: models.StatusApproved}, field("content_hash")},
		{"unknown status", models.SpamCheck{GUID: "g-9", ContentHash: hash("x"), Status: "maybe"}, field("status")},
		{"unknown class", models.SpamCheck{GUID: "g-9", ContentHash: hash("x"), Status: models.StatusPending, TrainedAs: "eggs"}, field("trained_as")},
		{"NaN score", nan, field("score")},
	}
	stored := map[string]models.SpamCheck{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			start := time.Now()
			err := s.CreateSpamCheck(ctx, &c)
			if tt.check != nil {
				tt.check(t, err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.c.CreatedAt.IsZero() {
				wantNow(t, "CreatedAt", c.CreatedAt, start)
			}
			if !c.UpdatedAt.Equal(c.CreatedAt) {
				t.Errorf("UpdatedAt %v, want CreatedAt %v", c.UpdatedAt, c.CreatedAt)
			}
			got, err := s.SpamCheckByGUID(ctx, c.GUID)
			if err != nil {
				t.Fatal(err)
			}
			checkSpamCheck(t, got, c)
			stored[c.GUID] = c
		})
	}
	_, err := s.SpamCheckByGUID(ctx, "unknown")
	wantErr(t, err, models.ErrNotFound)

	latest := []struct {
		name    string
		keyID   int64
		content string
		want    string // "" for ErrNotFound
	}{
		{"newest of two", 1, "buy now", "g-2"},
		{"other key", 2, "buy now", "g-3"},
		{"unknown key", 3, "buy now", ""},
		{"unknown content", 1, "hello", ""},
	}
	for _, tt := range latest {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.LatestSpamCheck(ctx, tt.keyID, hash(tt.content))
			if tt.want == "" {
				wantErr(t, err, models.ErrNotFound)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkSpamCheck(t, got, stored[tt.want])
		})
	}

	// Old checks nobody reported go; taught ones stay whatever their age.
	if _, err := s.TrainSpamCheck(ctx, models.Lesson{CheckID: stored["g-1"].ID, To: models.ClassSpam}); err != nil {
		t.Fatal(err)
	}
	n, err := s.DeleteSpamChecks(ctx, at(3))
	if err != nil || n != 1 {
		t.Fatalf("DeleteSpamChecks = %d, %v; want 1 (g-2)", n, err)
	}
	for guid, want := range map[string]error{"g-1": nil, "g-2": models.ErrNotFound, "g-3": nil, "no-tokens": nil} {
		if _, err := s.SpamCheckByGUID(ctx, guid); !errorsIs(err, want) {
			t.Errorf("after DeleteSpamChecks, %s: %v, want %v", guid, err, want)
		}
	}
}

func testTrainSpamCheck(t *testing.T, s Store) {
	ctx := t.Context()
	c := createCheck(t, s, spamCheck("g-1", 1, "buy now", at(1)))
	before := allEvents(t, s)
	steps := []struct {
		name  string
		l     models.Lesson
		check func(t *testing.T, err error)
		want  []models.TrainingEvent // appended
	}{
		{"teach spam", models.Lesson{CheckID: c.ID, From: "", To: models.ClassSpam, At: at(10),
			Events: []models.TrainingEvent{event(models.ClassSpam, 1, c.Tokens...)}}, nil,
			[]models.TrainingEvent{event(models.ClassSpam, 1, c.Tokens...)}},
		{"again from none", models.Lesson{CheckID: c.ID, From: "", To: models.ClassSpam,
			Events: []models.TrainingEvent{event(models.ClassSpam, 1, c.Tokens...)}}, is(models.ErrConflict), nil},
		{"correct to ham", models.Lesson{CheckID: c.ID, From: models.ClassSpam, To: models.ClassHam, At: at(20),
			Events: []models.TrainingEvent{event(models.ClassSpam, -1, c.Tokens...), event(models.ClassHam, 1, c.Tokens...)}}, nil,
			[]models.TrainingEvent{event(models.ClassSpam, -1, c.Tokens...), event(models.ClassHam, 1, c.Tokens...)}},
		{"unknown check", models.Lesson{CheckID: c.ID + 100, From: models.ClassHam, To: models.ClassSpam}, is(models.ErrNotFound), nil},
		{"event of a comment", models.Lesson{CheckID: c.ID, From: models.ClassHam, To: models.ClassSpam,
			Events: []models.TrainingEvent{{CommentID: 3, Class: models.ClassSpam, Delta: 1}}}, field("events"), nil},
		{"bad delta", models.Lesson{CheckID: c.ID, From: models.ClassHam, To: models.ClassSpam,
			Events: []models.TrainingEvent{{Class: models.ClassSpam, Delta: 2}}}, field("events"), nil},
		{"unknown class", models.Lesson{CheckID: c.ID, From: models.ClassHam, To: "eggs"}, field("to"), nil},
	}
	for _, tt := range steps {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.TrainSpamCheck(ctx, tt.l)
			after := allEvents(t, s)
			added := after[len(before):]
			before = after
			if tt.check != nil {
				tt.check(t, err)
				if len(added) != 0 {
					t.Errorf("a refused lesson appended %d events", len(added))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := c
			want.TrainedAs, want.UpdatedAt = tt.l.To, tt.l.At
			checkSpamCheck(t, got, want)
			if stored, _ := s.SpamCheckByGUID(ctx, c.GUID); stored.TrainedAs != tt.l.To {
				t.Errorf("stored check trained as %q, want %q", stored.TrainedAs, tt.l.To)
			}
			if len(added) != len(tt.want) {
				t.Fatalf("appended %d events, want %d", len(added), len(tt.want))
			}
			for i, e := range added {
				w := tt.want[i]
				w.ID, w.CreatedAt = e.ID, tt.l.At
				checkEvent(t, e, w)
			}
		})
	}
}

func testTrainSpamCheckConcurrent(t *testing.T, s Store) {
	ctx := t.Context()
	c := createCheck(t, s, spamCheck("g-1", 1, "buy now", at(1)))
	const n = 8
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		won, lost int
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.TrainSpamCheck(ctx, models.Lesson{CheckID: c.ID, To: models.ClassSpam,
				Events: []models.TrainingEvent{event(models.ClassSpam, 1, c.Tokens...)}})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errorsIs(err, models.ErrConflict):
				lost++
			default:
				t.Errorf("TrainSpamCheck: %v", err)
			}
		}()
	}
	wg.Wait()
	if won != 1 || lost != n-1 {
		t.Errorf("%d reports taught and %d were refused, want 1 and %d", won, lost, n-1)
	}
	if evs := allEvents(t, s); len(evs) != 1 {
		t.Errorf("%d events appended, want 1", len(evs))
	}
}

// claimAll claims every event due now (with a second of slack) for a minute.
func claimAll(t *testing.T, s Store) []models.WebhookEvent {
	t.Helper()
	evs, err := s.ClaimWebhookEvents(t.Context(), time.Now().Add(time.Second), time.Minute, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func testWebhookEventsOff(t *testing.T, s Store) {
	ctx := t.Context()
	c := create(t, s, comment("p", models.StatusPending, at(1)))
	if _, err := s.Decide(ctx, models.Decision{CommentID: c.ID, From: models.StatusPending, To: models.StatusApproved}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteComment(ctx, c.ID, nil); err != nil {
		t.Fatal(err)
	}
	if evs := claimAll(t, s); len(evs) != 0 {
		t.Errorf("with the outbox off, %d events were written", len(evs))
	}
}

// wantEvent describes an expected webhook event; comment is the comment after
// the change, or nil.
type wantEvent struct {
	typ     string
	id      int64
	from    models.Status
	actor   string
	comment *models.Comment
}

func checkWebhookEvents(t *testing.T, got []models.WebhookEvent, want []wantEvent, start time.Time) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d events, want %d: %+v", len(got), len(want), got)
	}
	for i, e := range got {
		w := want[i]
		if i > 0 && e.ID <= got[i-1].ID {
			t.Errorf("event ids out of order: %d after %d", e.ID, got[i-1].ID)
		}
		if e.Type != w.typ || e.CommentID != w.id || e.From != w.from || e.Actor != w.actor {
			t.Errorf("event %d = %s comment %d from %q by %q, want %s comment %d from %q by %q",
				i, e.Type, e.CommentID, e.From, e.Actor, w.typ, w.id, w.from, w.actor)
		}
		switch {
		case w.comment == nil && e.Comment != nil:
			t.Errorf("event %d (%s) carries a comment", i, e.Type)
		case w.comment != nil && e.Comment == nil:
			t.Errorf("event %d (%s) carries no comment", i, e.Type)
		case w.comment != nil:
			checkComment(t, *e.Comment, *w.comment)
		}
		wantNow(t, "event CreatedAt", e.CreatedAt, start)
		if e.CreatedAt.Location() != time.UTC || e.Attempts != 0 || len(e.Delivered) != 0 || e.Lease == "" || e.DoneAt != nil || e.Failed {
			t.Errorf("event %d: fresh state %+v", i, e)
		}
	}
}

func testWebhookEvents(t *testing.T, s Store) {
	ctx := t.Context()
	s.RecordWebhookEvents(true)
	start := time.Now()
	a := create(t, s, comment("p", models.StatusPending, at(1)))
	b := create(t, s, comment("p", models.StatusApproved, at(2)))
	checkWebhookEvents(t, claimAll(t, s), []wantEvent{
		{models.EventCreated, a.ID, "", "", &a}, {models.EventQueued, a.ID, "", "", &a},
		{models.EventCreated, b.ID, "", "", &b}, {models.EventApproved, b.ID, "", "", &b},
	}, start)

	approved, err := s.Decide(ctx, models.Decision{CommentID: a.ID, From: models.StatusPending, To: models.StatusApproved,
		At: at(10), Audit: note("ann", "approve")})
	if err != nil {
		t.Fatal(err)
	}
	many, conflicted, err := s.DecideMany(ctx, []models.Decision{
		{CommentID: a.ID, From: models.StatusApproved, To: models.StatusSpam, At: at(11)},
		{CommentID: b.ID, From: models.StatusPending, To: models.StatusTrash, At: at(11)}, // moved on: no event
		{CommentID: b.ID, From: models.StatusApproved, To: models.StatusTrash, At: at(12), Audit: note("bob", "trash")},
	})
	if err != nil || len(many) != 2 || len(conflicted) != 1 {
		t.Fatalf("DecideMany = %d updated, %v conflicted, %v", len(many), conflicted, err)
	}
	checkWebhookEvents(t, claimAll(t, s), []wantEvent{
		{models.EventApproved, a.ID, models.StatusPending, "ann", &approved},
		{models.EventSpam, a.ID, models.StatusApproved, "", &many[0]},
		{models.EventTrashed, b.ID, models.StatusApproved, "bob", &many[1]},
	}, start)

	c := create(t, s, comment("p", models.StatusSpam, at(3)))
	claimAll(t, s)
	if err := s.DeleteComment(ctx, a.ID, note("ann", "delete")); err != nil {
		t.Fatal(err)
	}
	deleted, err := s.DeleteComments(ctx, []int64{c.ID, c.ID + 100, b.ID}, nil)
	if err != nil || len(deleted) != 2 {
		t.Fatalf("DeleteComments = %v, %v", deleted, err)
	}
	checkWebhookEvents(t, claimAll(t, s), []wantEvent{
		{models.EventDeleted, a.ID, models.StatusSpam, "ann", nil},
		{models.EventDeleted, c.ID, models.StatusSpam, "", nil},
		{models.EventDeleted, b.ID, models.StatusTrash, "", nil},
	}, start)

	// A refused change writes nothing.
	_, err = s.Decide(ctx, models.Decision{CommentID: c.ID, From: models.StatusSpam, To: models.StatusApproved})
	wantErr(t, err, models.ErrNotFound)
	if evs := claimAll(t, s); len(evs) != 0 {
		t.Errorf("refused changes wrote %d events", len(evs))
	}
}

// wantPending checks PendingWebhookEvents.
func wantPending(t *testing.T, s Store, want int) {
	t.Helper()
	if n, err := s.PendingWebhookEvents(t.Context()); err != nil || n != want {
		t.Errorf("PendingWebhookEvents = %d, %v; want %d", n, err, want)
	}
}

func testWebhookLeases(t *testing.T, s Store) {
	ctx := t.Context()
	s.RecordWebhookEvents(true)
	wantPending(t, s, 0)
	create(t, s, comment("p", models.StatusApproved, at(1)))
	wantPending(t, s, 2)
	now := time.Now().Add(time.Second)
	evs, err := s.ClaimWebhookEvents(ctx, now, time.Minute, 10)
	if err != nil || len(evs) != 2 {
		t.Fatalf("claim = %d events, %v", len(evs), err)
	}
	if evs[0].Lease != evs[1].Lease {
		t.Errorf("one claim, two leases: %q %q", evs[0].Lease, evs[1].Lease)
	}
	if again, _ := s.ClaimWebhookEvents(ctx, now, time.Minute, 10); len(again) != 0 {
		t.Fatalf("leased events claimed again: %+v", again)
	}
	// The first is tried and retried later; the second's holder goes silent.
	first := evs[0]
	first.Attempts, first.Delivered, first.LastError = 1, []string{"https://a.example/hook"}, "b: 503"
	first.NextAttemptAt = now.Add(2 * time.Minute)
	if err := s.ReleaseWebhookEvent(ctx, first); err != nil {
		t.Fatal(err)
	}
	wantPending(t, s, 2)                                              // leased or waiting for a retry, both still to deliver
	wantErr(t, s.ReleaseWebhookEvent(ctx, first), models.ErrConflict) // lease lifted
	if got, _ := s.ClaimWebhookEvents(ctx, now.Add(time.Minute-time.Millisecond), time.Minute, 10); len(got) != 0 {
		t.Errorf("claimed before the retry time and the lease's end: %+v", got)
	}
	later, err := s.ClaimWebhookEvents(ctx, now.Add(time.Minute), time.Hour, 10)
	if err != nil || len(later) != 1 || later[0].ID != evs[1].ID || later[0].Lease == evs[1].Lease {
		t.Fatalf("after the lease ended: %+v, %v; want event %d under a new lease", later, err, evs[1].ID)
	}
	wantErr(t, s.ReleaseWebhookEvent(ctx, evs[1]), models.ErrConflict) // the old holder lost it
	retried, err := s.ClaimWebhookEvents(ctx, now.Add(2*time.Minute), time.Minute, 10)
	if err != nil || len(retried) != 1 || retried[0].ID != first.ID {
		t.Fatalf("at the retry time: %+v, %v", retried, err)
	}
	if r := retried[0]; r.Attempts != 1 || !slices.Equal(r.Delivered, first.Delivered) || r.LastError != first.LastError ||
		!r.NextAttemptAt.Equal(first.NextAttemptAt) {
		t.Errorf("state after release: %+v, want %+v", r, first)
	}
	// Done events are never claimed again, and go once old.
	done := now.Add(3 * time.Minute)
	for _, e := range []models.WebhookEvent{retried[0], later[0]} {
		e.Attempts++
		e.DoneAt = &done
		e.Failed = e.ID == later[0].ID
		if err := s.ReleaseWebhookEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := s.ClaimWebhookEvents(ctx, now.Add(time.Hour), time.Minute, 10); len(got) != 0 {
		t.Errorf("done events claimed: %+v", got)
	}
	wantPending(t, s, 0) // delivered or given up
	if n, err := s.DeleteWebhookEvents(ctx, done); err != nil || n != 0 {
		t.Errorf("DeleteWebhookEvents(done) = %d, %v; want 0", n, err)
	}
	if n, err := s.DeleteWebhookEvents(ctx, done.Add(time.Nanosecond)); err != nil || n != 2 {
		t.Errorf("DeleteWebhookEvents(after) = %d, %v; want 2", n, err)
	}
	// Bad input.
	wantErr(t, s.ReleaseWebhookEvent(ctx, models.WebhookEvent{ID: first.ID + 100, Lease: "x", NextAttemptAt: now}), models.ErrNotFound)
	wantInvalid(t, s.ReleaseWebhookEvent(ctx, models.WebhookEvent{ID: first.ID, NextAttemptAt: now}), "lease")
	_, err = s.ClaimWebhookEvents(ctx, now, time.Minute, 0)
	wantErr(t, err, models.ErrInvalid)
}

func testWebhookClaimsConcurrent(t *testing.T, s Store) {
	ctx := t.Context()
	s.RecordWebhookEvents(true)
	const comments = 40
	for i := range comments {
		create(t, s, comment("p", models.StatusPending, at(i)))
	}
	now := time.Now().Add(time.Second)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seen = map[int64]int{}
	)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				evs, err := s.ClaimWebhookEvents(ctx, now, time.Hour, 7)
				if err != nil {
					t.Error(err)
					return
				}
				if len(evs) == 0 {
					return
				}
				mu.Lock()
				for _, e := range evs {
					seen[e.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 2*comments {
		t.Errorf("claimed %d events, want %d", len(seen), 2*comments)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("event %d claimed %d times", id, n)
		}
	}
}

// errorsIs is errors.Is, with a nil target meaning no error.
func errorsIs(err, target error) bool {
	if target == nil {
		return err == nil
	}
	return errors.Is(err, target)
}
