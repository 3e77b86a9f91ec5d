package storage

import (
	"encoding/json"
	"math"
	"time"

	"github.com/commentd/commentd/models"
)

// The checks and stored forms of what the Akismet-compatible API and the
// webhooks keep: sites' API keys, spam checks with their lessons, and the
// webhook outbox.

// CheckAPIKey checks k for CreateAPIKey and returns its creation time: a zero
// CreatedAt becomes now. Error: *models.ValidationError for an empty hash or
// site, or a time outside 1678..2262.
func CheckAPIKey(k *models.APIKey, now time.Time) (int64, error) {
	var v models.ValidationError
	if len(k.Hash) == 0 {
		v.Add("hash", "required")
	}
	if k.Site == "" {
		v.Add("site", "required")
	}
	created := CreationTime(&v, k.CreatedAt, now)
	return created, v.Err()
}

// SpamCheckRow is a spam check checked by CheckSpamCheck, in its stored form.
type SpamCheckRow struct {
	Tokens  string // JSON array
	Created int64
}

// CheckSpamCheck checks c for CreateSpamCheck: a zero CreatedAt becomes now,
// and UpdatedAt is CreatedAt. Error: *models.ValidationError for an empty GUID
// or content hash, an unknown status or class, a non-finite score or a time
// outside 1678..2262.
func CheckSpamCheck(c *models.SpamCheck, now time.Time) (SpamCheckRow, error) {
	var v models.ValidationError
	if c.GUID == "" {
		v.Add("guid", "required")
	}
	if len(c.ContentHash) == 0 {
		v.Add("content_hash", "required")
	}
	if !c.Status.Valid() {
		v.Add("status", "invalid")
	}
	if !ValidClass(c.TrainedAs) {
		v.Add("trained_as", "invalid")
	}
	if math.IsNaN(c.Score) || math.IsInf(c.Score, 0) {
		v.Add("score", "invalid")
	}
	created := CreationTime(&v, c.CreatedAt, now)
	tokens, err := json.Marshal(nonNil(c.Tokens))
	if err != nil {
		v.Add("tokens", "invalid")
	}
	return SpamCheckRow{Tokens: string(tokens), Created: created}, v.Err()
}

// CheckLesson validates l for TrainSpamCheck and returns its time (now when
// zero) and its events, whose CommentID must be 0. Error:
// *models.ValidationError for an unknown class, a bad event or time.
func CheckLesson(l models.Lesson, now time.Time) (int64, []models.TrainingEvent, error) {
	var v models.ValidationError
	if !ValidClass(l.From) {
		v.Add("from", "invalid")
	}
	if !ValidClass(l.To) {
		v.Add("to", "invalid")
	}
	at := l.At
	if at.IsZero() {
		at = now
	}
	n, ok := ToNanos(at)
	if !ok {
		v.Add("at", "out_of_range")
	}
	for _, e := range l.Events {
		if e.CommentID != 0 {
			v.Add("events", "comment_mismatch")
			break
		}
	}
	CheckEvents(&v, l.Events)
	return n, l.Events, v.Err()
}

// WebhookRow is a webhook event as it is written to the outbox.
type WebhookRow struct {
	Type      string
	CommentID int64
	From      string
	Actor     string
	Comment   *string // JSON models.Comment; nil on comment.deleted
	At        int64   // created_at and the first next_attempt_at
}

// CreatedEvents are the outbox rows of a comment just stored: comment.created,
// then the event of its status.
func CreatedEvents(c models.Comment, at time.Time) ([]WebhookRow, error) {
	body, err := commentJSON(c)
	if err != nil {
		return nil, err
	}
	n := ClampNanos(at)
	return []WebhookRow{
		{Type: models.EventCreated, CommentID: c.ID, Comment: body, At: n},
		{Type: models.StatusEvent(c.Status), CommentID: c.ID, Comment: body, At: n},
	}, nil
}

// DecidedEvent is the outbox row of a comment moved from status from to
// c.Status by actor ("" when unknown).
func DecidedEvent(c models.Comment, from models.Status, actor string, at time.Time) (WebhookRow, error) {
	body, err := commentJSON(c)
	if err != nil {
		return WebhookRow{}, err
	}
	return WebhookRow{Type: models.StatusEvent(c.Status), CommentID: c.ID, From: string(from), Actor: actor,
		Comment: body, At: ClampNanos(at)}, nil
}

// DeletedEvent is the outbox row of a comment of status from deleted by actor.
func DeletedEvent(id int64, from models.Status, actor string, at time.Time) WebhookRow {
	return WebhookRow{Type: models.EventDeleted, CommentID: id, From: string(from), Actor: actor, At: ClampNanos(at)}
}

// ActorOf is the actor an audit entry names, "" without one.
func ActorOf(audit *models.AuditEntry) string {
	if audit == nil {
		return ""
	}
	return audit.Actor
}

func commentJSON(c models.Comment) (*string, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	s := string(b)
	return &s, nil
}

// WebhookState is a webhook event's delivery state checked by CheckRelease, in its stored form.
type WebhookState struct {
	NextAttemptAt int64
	Delivered     string // JSON array
	DoneAt        *int64
}

// CheckRelease validates the delivery state ReleaseWebhookEvent writes.
// Error: *models.ValidationError for an empty lease, negative attempts or a
// time outside 1678..2262.
func CheckRelease(e models.WebhookEvent) (WebhookState, error) {
	var v models.ValidationError
	if e.Lease == "" {
		v.Add("lease", "required")
	}
	if e.Attempts < 0 {
		v.Add("attempts", "invalid")
	}
	next, ok := ToNanos(e.NextAttemptAt)
	if !ok {
		v.Add("next_attempt_at", "out_of_range")
	}
	var done *int64
	if e.DoneAt != nil {
		n, ok := ToNanos(*e.DoneAt)
		if !ok {
			v.Add("done_at", "out_of_range")
		}
		done = &n
	}
	delivered, _ := json.Marshal(nonNil(e.Delivered))
	return WebhookState{NextAttemptAt: next, Delivered: string(delivered), DoneAt: done}, v.Err()
}

// DecodeWebhook fills the JSON columns of a stored webhook event.
func DecodeWebhook(e *models.WebhookEvent, comment *string, delivered string) error {
	if comment != nil {
		e.Comment = &models.Comment{}
		if err := json.Unmarshal([]byte(*comment), e.Comment); err != nil {
			return err
		}
	}
	return json.Unmarshal([]byte(delivered), &e.Delivered)
}

// DecodeTokens reads a JSON array of tokens.
func DecodeTokens(s string) ([]string, error) {
	var out []string
	err := json.Unmarshal([]byte(s), &out)
	return out, err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
