package storage

import (
	"encoding/json"
	"time"

	"github.com/commentd/commentd/models"
)

// ExportBatch is how many rows of one kind Export hands over at a time.
const ExportBatch = 1000

// Batch is a slice of a store's data as Export hands it over and Import takes
// it: rows with the IDs and times they were stored with. Import stores the
// moderators before their tokens and sessions; the other kinds stand alone
// (spam checks name their API key, and webhook events their comment, by id only).
type Batch struct {
	Moderators []models.Moderator
	Tokens     []models.APIToken
	Sessions   []models.Session
	Settings   *models.Settings
	Words      []models.Word
	Bans       []models.Ban
	Comments   []models.Comment
	Sources    []models.CommentSource // where imported comments came from
	Events     []models.TrainingEvent
	Audit      []models.AuditEntry
	APIKeys    []models.APIKey       // the sites' keys to the Akismet-compatible API, revoked ones included
	SpamChecks []models.SpamCheck    // what other sites asked about, which their reports teach from
	Webhooks   []models.WebhookEvent // the outbox, pending and done events alike; never with a Lease
	Snapshot   *models.ModelSnapshot // the newest only
	// LastIDs is the highest id each table has given, by table name, deleted
	// rows included, so that an import does not give a deleted row's id again:
	// training events and audit entries still name deleted comments, and
	// webhook receivers tell events apart by id.
	LastIDs map[string]int64
}

// Tables are the tables whose ids LastIDs carries; both engines name them alike.
var Tables = []string{"moderators", "api_tokens", "words", "bans", "comments", "training_events", "audit_log", "model_snapshots",
	"api_keys", "spam_checks", "webhook_events"}

// Len is the number of rows in b, LastIDs counting as one.
func (b Batch) Len() int {
	n := len(b.Moderators) + len(b.Tokens) + len(b.Sessions) + len(b.Words) + len(b.Bans) +
		len(b.Comments) + len(b.Sources) + len(b.Events) + len(b.Audit) +
		len(b.APIKeys) + len(b.SpamChecks) + len(b.Webhooks)
	if b.Settings != nil {
		n++
	}
	if b.Snapshot != nil {
		n++
	}
	if b.LastIDs != nil {
		n++
	}
	return n
}

// Counts is how many rows of each kind a store holds.
type Counts struct {
	Moderators, Tokens, Sessions, Settings, Words, Bans int64
	Comments, Events, Audit, Snapshots                  int64
	Sources                                             int64 // comment sources
	APIKeys, SpamChecks, Webhooks                       int64 // site API keys, spam checks, webhook events
}

// Held counts the rows that make an installation hold something: all but the
// sessions and the model snapshots, which a new installation may have too.
func (c Counts) Held() int64 {
	return c.Moderators + c.Tokens + c.Settings + c.Words + c.Bans + c.Comments + c.Sources + c.Events + c.Audit +
		c.APIKeys + c.SpamChecks + c.Webhooks
}

// Upsert is one statement of an Import, in SQL both engines read ($1, $2 …
// placeholders, ON CONFLICT … DO UPDATE), with its arguments.
type Upsert struct {
	SQL  string
	Args []any
}

// The upserts of the rows of the Akismet-compatible API and the webhooks: a
// row whose id is stored already is replaced, so that importing again
// changes nothing and a second migration brings over what changed since.
const (
	upsertAPIKeySQL = `INSERT INTO api_keys (id, site, hash, created_by, created_at, revoked_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (id) DO UPDATE SET site = excluded.site, hash = excluded.hash, created_by = excluded.created_by,
		created_at = excluded.created_at, revoked_at = excluded.revoked_at`
	upsertSpamCheckSQL = `INSERT INTO spam_checks (id, guid, key_id, content_hash, status, score, tokens, trained_as,
		created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (id) DO UPDATE SET guid = excluded.guid, key_id = excluded.key_id, content_hash = excluded.content_hash,
		status = excluded.status, score = excluded.score, tokens = excluded.tokens, trained_as = excluded.trained_as,
		created_at = excluded.created_at, updated_at = excluded.updated_at`
	// A lease is a claim of an instance of the installation the event comes
	// from: the event arrives unclaimed, due when it was due there.
	upsertWebhookSQL = `INSERT INTO webhook_events (id, type, comment_id, from_status, actor, comment, created_at,
		attempts, next_attempt_at, delivered, last_error, lease, lease_until, done_at, failed)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, NULL, $12, $13)
		ON CONFLICT (id) DO UPDATE SET type = excluded.type, comment_id = excluded.comment_id,
		from_status = excluded.from_status, actor = excluded.actor, comment = excluded.comment,
		created_at = excluded.created_at, attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at,
		delivered = excluded.delivered, last_error = excluded.last_error, lease = NULL, lease_until = NULL,
		done_at = excluded.done_at, failed = excluded.failed`
)

// SiteUpserts returns the statements that store b's API keys, spam checks and
// webhook events with their ids, times and states: a revoked key stays
// revoked, a check keeps what its reports taught, an event what it was
// delivered to. Error: a comment of an event that does not encode.
func SiteUpserts(b Batch) ([]Upsert, error) {
	out := make([]Upsert, 0, len(b.APIKeys)+len(b.SpamChecks)+len(b.Webhooks))
	for _, k := range b.APIKeys {
		out = append(out, Upsert{upsertAPIKeySQL, []any{k.ID, k.Site, k.Hash, k.CreatedBy, ClampNanos(k.CreatedAt),
			NanosOrNil(k.RevokedAt)}})
	}
	for _, c := range b.SpamChecks {
		tokens, _ := json.Marshal(nonNil(c.Tokens)) // a []string always encodes
		out = append(out, Upsert{upsertSpamCheckSQL, []any{c.ID, c.GUID, c.KeyID, c.ContentHash, string(c.Status), c.Score,
			string(tokens), string(c.TrainedAs), ClampNanos(c.CreatedAt), ClampNanos(c.UpdatedAt)}})
	}
	for _, e := range b.Webhooks {
		var body *string
		if e.Comment != nil {
			var err error
			if body, err = commentJSON(*e.Comment); err != nil {
				return nil, err
			}
		}
		delivered, _ := json.Marshal(nonNil(e.Delivered))
		out = append(out, Upsert{upsertWebhookSQL, []any{e.ID, e.Type, e.CommentID, string(e.From), e.Actor, body,
			ClampNanos(e.CreatedAt), e.Attempts, ClampNanos(e.NextAttemptAt), string(delivered), e.LastError,
			NanosOrNil(e.DoneAt), e.Failed}})
	}
	return out, nil
}

// NanosOrNil is the stored form of an optional time: nil, or its unix
// nanoseconds saturated at the representable range.
func NanosOrNil(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	n := ClampNanos(*t)
	return &n
}
