package dump

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)

// sample is one batch of every kind a store exports.
func sample() []storage.Batch {
	score := 0.42
	expires := t0.Add(time.Hour)
	evs := make([]models.TrainingEvent, 2500)
	for i := range evs {
		evs[i] = models.TrainingEvent{ID: int64(i + 1), CommentID: 1, Class: models.ClassHam, Delta: 1,
			Tokens: []string{"w", fmt.Sprint(i)}, CreatedAt: t0}
	}
	return []storage.Batch{
		{Moderators: []models.Moderator{{ID: 1, Name: "Ann", Role: models.RoleAdmin, PasswordHash: "$2a$10$abc", CreatedAt: t0}}},
		{Tokens: []models.APIToken{{ID: 3, ModeratorID: 1, Name: "cli", Hash: []byte{1, 2, 3}, CreatedAt: t0, RevokedAt: &expires}}},
		{Sessions: []models.Session{{ID: []byte{9}, ModeratorID: 1, CSRFToken: "x", CreatedAt: t0, LastSeenAt: t0}}},
		{Settings: &models.Settings{HamThreshold: 0.3, SpamThreshold: 0.9, MaxLinks: 2, HoldFirst: true}},
		{Words: []models.Word{{ID: 1, Kind: models.WordHeld, Word: "casino", CreatedBy: "Ann", CreatedAt: t0}}},
		{Bans: []models.Ban{{ID: 2, Kind: models.BanIP, Value: "203.0.113.0/24", Reason: "<spam> & more", ExpiresAt: &expires,
			CreatedBy: "Ann", CreatedAt: t0}}},
		{Comments: []models.Comment{{ID: 7, Post: "2026/sourdough", Parent: 3, Author: "Inès", Email: "ines@example.org",
			Text: "x < 3 && \"quoted\" 🫒\nsecond line", IP: "2001:db8::1", UserAgent: "ua", Status: models.StatusApproved,
			Score: 0.1234567890123, Reasons: models.Reasons{Rules: []string{"imported"}}, TrainedAs: models.ClassHam,
			CreatedAt: t0, UpdatedAt: t0.Add(time.Second)}}},
		{Sources: []models.CommentSource{{Key: "wordpress:blog.example.org:12", CommentID: 7, ParentKey: "wordpress:blog.example.org:9"}}},
		{Events: evs[:1000]}, {Events: evs[1000:2000]}, {Events: evs[2000:]},
		{Audit: []models.AuditEntry{{ID: 4, At: t0, Actor: "Ann", Action: "approve", CommentID: 7, FromStatus: models.StatusPending,
			ToStatus: models.StatusApproved, Score: &score, Detail: "d"}}},
		{APIKeys: []models.APIKey{{ID: 1, Site: "https://blog.example.org", Hash: []byte{4, 5}, CreatedBy: "Ann", CreatedAt: t0},
			{ID: 2, Site: "https://shop.example.org", Hash: []byte{6}, CreatedBy: "cli", CreatedAt: t0, RevokedAt: &expires}}},
		{SpamChecks: []models.SpamCheck{{ID: 5, GUID: "0f3c", KeyID: 2, ContentHash: []byte{7, 8}, Status: models.StatusSpam,
			Score: 0.97, Tokens: []string{"cheap", "pills"}, TrainedAs: models.ClassSpam, CreatedAt: t0, UpdatedAt: expires}}},
		{Webhooks: []models.WebhookEvent{
			{ID: 8, Type: models.EventApproved, CommentID: 7, From: models.StatusPending, Actor: "Ann",
				Comment: &models.Comment{ID: 7, Post: "2026/sourdough", Author: "Inès", Text: "x < 3", Status: models.StatusApproved,
					CreatedAt: t0, UpdatedAt: t0}, CreatedAt: t0, Attempts: 1, NextAttemptAt: t0,
				Delivered: []string{"https://hooks.example.org/a"}, DoneAt: &expires},
			{ID: 9, Type: models.EventDeleted, CommentID: 7, From: models.StatusApproved, CreatedAt: t0, Attempts: 3,
				NextAttemptAt: expires, LastError: "503 Service Unavailable"},
		}},
		{LastIDs: map[string]int64{"comments": 9, "training_events": 2500, "webhook_events": 10}},
		{Snapshot: &models.ModelSnapshot{ID: 1, Data: []byte{1}}},
	}
}

func write(t *testing.T, passwordHashes bool, batches []storage.Batch) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, passwordHashes)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range batches {
		if err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func read(data []byte) (*Reader, []storage.Batch, error) {
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, nil, err
	}
	var out []storage.Batch
	for b, err := range r.Batches() {
		if err != nil {
			return r, out, err
		}
		out = append(out, b)
	}
	return r, out, nil
}

func TestRoundTrip(t *testing.T) {
	for _, hashes := range []bool{false, true} {
		t.Run(fmt.Sprint("password hashes ", hashes), func(t *testing.T) {
			data := write(t, hashes, sample())
			r, got, err := read(data)
			if err != nil {
				t.Fatal(err)
			}
			want := sample()
			want = append(want[:2], want[3:len(want)-1]...) // no sessions, no snapshot
			if !hashes {
				want[0].Moderators[0].PasswordHash = ""
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("read back\n got %+v\nwant %+v", got, want)
			}
			if r.Header.PasswordHashes != hashes || len(r.Header.ExportID) != 32 || r.Counts()[typeEvent] != 2500 {
				t.Errorf("header %+v, counts %v", r.Header, r.Counts())
			}
			if !bytes.Contains(data, []byte(`"text":"x < 3 && \"quoted\" 🫒\nsecond line"`)) {
				t.Errorf("comment text not written plainly:\n%s", data[:min(len(data), 2000)])
			}
		})
	}
}

// TestReadVersion1 reads a dump of the first version, which had no site API
// keys, spam checks or webhook events.
func TestReadVersion1(t *testing.T) {
	batches := sample()[:9]
	data := bytes.Replace(write(t, false, batches), []byte(`"version":2`), []byte(`"version":1`), 1)
	r, got, err := read(data)
	if err != nil || r.Header.Version != 1 {
		t.Fatalf("version 1: %v, header %+v", err, r.Header)
	}
	if n := len(got); n != 8 || got[0].Moderators[0].Name != "Ann" || len(got[7].Events) != 1000 { // all but the sessions
		t.Errorf("version 1: %d batches, want 8", n)
	}
}

func TestReadErrors(t *testing.T) {
	good := string(write(t, false, sample()))
	lines := strings.SplitAfter(good, "\n")
	n := len(lines) - 1 // the last element is empty
	const comment = 7   // after the header, moderator, token, settings, word and ban
	cut := good[:len(good)-300]
	replace := func(i int, s string) string {
		out := append([]string(nil), lines...)
		out[i-1] = s + "\n"
		return strings.Join(out, "")
	}
	tests := []struct {
		name, data string
		line       int
		msg        string
	}{
		{"empty", "", 1, "empty file: not a commentd export"},
		{"no header", lines[1], 1, "not a commentd export: the first line is not its header"},
		{"newer version", strings.Replace(good, `"version":2`, `"version":3`, 1), 1, "export version 3; this commentd reads versions 1 to 2"},
		{"bad webhook event", replace(comment, `{"type":"webhook_event","row":{"id":3,"type":"comment.liked","comment_id":7,`+
			`"created_at":"2026-01-01T00:00:00Z","attempts":0,"next_attempt_at":"2026-01-01T00:00:00Z","delivered":null}}`),
			comment, "webhook_event: invalid input: type: invalid"},
		{"spam check without a key", replace(comment, `{"type":"spam_check","row":{"id":3,"guid":"g","key_id":0,"content_hash":"AQ==",`+
			`"status":"spam","score":1,"tokens":[],"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}}`),
			comment, "spam_check: invalid input: key_id: invalid"},
		{"cut off", strings.Join(lines[:n-1], ""), n - 1, "the file ends without its end record: it was cut off"},
		{"cut off mid-line", cut, strings.Count(cut, "\n") + 1, "not a record: unexpected EOF"},
		{"not JSON", replace(comment, `{"type":"comment","row":{"id":7,`), comment, "not a record"},
		{"unknown type", replace(comment, `{"type":"vote","row":{}}`), comment, `unknown record type "vote"`},
		{"unknown field", replace(comment, `{"type":"word","row":{"id":5,"kind":"held","word":"x","created_by":"a","created_at":"2026-01-01T00:00:00Z","colour":1}}`),
			comment, `word: json: unknown field "colour"`},
		{"bad status", replace(comment, strings.TrimSuffix(strings.Replace(lines[comment-1], `"status":"approved"`, `"status":"published"`, 1), "\n")),
			comment, "comment 7: invalid input: status: invalid"},
		{"bad id", replace(comment-1, `{"type":"ban","row":{"id":0,"kind":"email","value":"a@b.example","created_by":"a","created_at":"2026-01-01T00:00:00Z"}}`),
			comment - 1, "ban: invalid input: id: invalid"},
		{"counts differ", replace(n, `{"type":"end","counts":{"comment":2}}`), n, "the end record counts comment=2 rows"},
		{"after the end", good + "{}\n", n + 1, "a line after the end record"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := read([]byte(tt.data))
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, models.ErrInvalid) {
				t.Fatalf("err = %v, want an *Error", err)
			}
			if e.Line != tt.line || !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("err = %q, want line %d: …%s…", err, tt.line, tt.msg)
			}
		})
	}
}
