// Package storagetest is the conformance suite every commentd storage engine
// passes, so that SQLite and PostgreSQL behave the same to the layers above.
package storagetest

import (
	"context"
	"iter"
	"testing"
	"time"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// Store is what a storage engine provides. Times are stored with nanosecond
// precision and come back in UTC. Validation errors are *models.ValidationError
// (errors.Is ErrInvalid).
type Store interface {
	// Ping checks that the database is reachable.
	Ping(ctx context.Context) error
	// CreateComment stores c, sets c.ID (increasing) and fills a zero CreatedAt (now)
	// and UpdatedAt (CreatedAt); ErrInvalid for an unknown status or class or a non-finite score.
	CreateComment(ctx context.Context, c *models.Comment) error
	// GetComment returns one comment; ErrNotFound.
	GetComment(ctx context.Context, id int64) (models.Comment, error)
	// ListApproved pages through a post's approved comments, oldest first by (CreatedAt, ID);
	// ErrInvalid (field "cursor" or "limit") for a malformed cursor or a limit below 1.
	ListApproved(ctx context.Context, post, cursor string, limit int) (models.Page, error)
	// ListByStatus pages through the comments of a status, newest first by (CreatedAt, ID);
	// ErrInvalid as ListApproved, and for an unknown status.
	ListByStatus(ctx context.Context, status models.Status, cursor string, limit int) (models.Page, error)
	// CountApproved counts each post's approved comments; every requested post is present.
	CountApproved(ctx context.Context, posts []string) (map[string]int, error)
	// CreateCommentUnique is CreateComment unless a non-trashed comment with the same post,
	// email (ignoring case) and text was created at or after since (zero: any time): then
	// ErrDuplicate and nothing stored. Of identical comments sent at once, one is stored.
	CreateCommentUnique(ctx context.Context, c *models.Comment, since time.Time) error
	// Decide applies d in one transaction: status, trained_as, updated_at (d.At) and d.Events,
	// whose IDs the store sets, CreatedAt to d.At and a zero CommentID to d.CommentID; d.Audit,
	// when set, too, its zero At, CommentID, FromStatus, ToStatus and Score filled in from the
	// decision, and *d.Audit becomes the entry as recorded. ErrNotFound;
	// ErrConflict when the comment is no longer d.From/d.TrainedFrom; ErrInvalid, also for an
	// event of another comment.
	Decide(ctx context.Context, d models.Decision) (models.Comment, error)
	// DeleteComment removes a comment for good; replies keep their Parent; ErrNotFound.
	// audit, when set, is recorded in the same transaction, its zero At, CommentID,
	// FromStatus and Score filled in, and *audit becomes the entry as recorded; ErrInvalid for a bad one.
	DeleteComment(ctx context.Context, id int64, audit *models.AuditEntry) error
	// LastTrainingEvent returns the comment's latest event with Delta > 0; ErrNotFound.
	LastTrainingEvent(ctx context.Context, commentID int64) (models.TrainingEvent, error)
	// AppendTrainingEvents appends evs in one transaction and returns them with IDs and
	// CreatedAt set; ErrInvalid, and then nothing is appended.
	AppendTrainingEvents(ctx context.Context, evs []models.TrainingEvent) ([]models.TrainingEvent, error)
	// TrainingEventsAfter returns up to limit events with ID > afterID in ID order; ErrInvalid for limit < 1.
	TrainingEventsAfter(ctx context.Context, afterID int64, limit int) ([]models.TrainingEvent, error)
	// SaveSnapshot stores a model snapshot, keeping only the newest few.
	SaveSnapshot(ctx context.Context, s models.ModelSnapshot) error
	// LatestSnapshot returns the snapshot saved last; ErrNotFound.
	LatestSnapshot(ctx context.Context) (models.ModelSnapshot, error)
	// CountByStatus counts comments per status; every status is present.
	CountByStatus(ctx context.Context) (map[models.Status]int, error)

	// DeleteComments removes comments in one transaction and returns the ids deleted, in order;
	// unknown ids are skipped. audits is nil or one entry per id, recorded as DeleteComment does;
	// ErrInvalid when its length differs or an entry is bad, and then nothing is deleted.
	DeleteComments(ctx context.Context, ids []int64, audits []models.AuditEntry) ([]int64, error)
	// GetComments returns the comments with ids by id; unknown ids are absent.
	GetComments(ctx context.Context, ids []int64) (map[int64]models.Comment, error)
	// DecideMany applies decisions in one transaction, in order, each as Decide does; a decision
	// whose comment is unknown or no longer From/TrainedFrom is skipped and its id returned in
	// conflicted. It returns the updated comments of the applied ones; ErrInvalid when any
	// decision is, and then nothing is applied.
	DecideMany(ctx context.Context, ds []models.Decision) (updated []models.Comment, conflicted []int64, err error)
	// ListQueue pages through the comments a filter selects, in its Sort order (newest when
	// empty); every filter combines. ErrInvalid (fields "status", "sort", "ip", "min_score",
	// "max_score", "cursor", "limit") for an unknown status or sort, a malformed IP or CIDR,
	// a NaN bound, a cursor malformed or of another sort, or a limit below 1.
	ListQueue(ctx context.Context, f models.QueueFilter) (models.Page, error)
	// QueueIDs returns up to max ids a filter selects, in its Sort order, ignoring Cursor and
	// Limit; ErrInvalid as ListQueue, and for max below 1 (field "max").
	QueueIDs(ctx context.Context, f models.QueueFilter, max int) ([]int64, error)
	// AuthorHistory counts each email's comments by status ignoring case, keyed by the
	// lower-cased email; every requested email is present.
	AuthorHistory(ctx context.Context, emails []string) (map[string]models.AuthorHistory, error)

	// CreateModerator stores m and sets its ID and a zero CreatedAt (now); ErrConflict when the
	// name is taken ignoring case; ErrInvalid for an empty name, an unknown role or a bad audit.
	CreateModerator(ctx context.Context, m *models.Moderator, audit *models.AuditEntry) error
	// GetModerator returns one moderator; ErrNotFound.
	GetModerator(ctx context.Context, id int64) (models.Moderator, error)
	// GetModeratorByName returns the moderator with name, ignoring case; ErrNotFound.
	GetModeratorByName(ctx context.Context, name string) (models.Moderator, error)
	// ListModerators returns every moderator, by name ignoring case.
	ListModerators(ctx context.Context) ([]models.Moderator, error)
	// UpdateModerator sets m's role and password hash; ErrNotFound; ErrInvalid for an unknown
	// role or a bad audit.
	UpdateModerator(ctx context.Context, m models.Moderator, audit *models.AuditEntry) error
	// DeleteModerator deletes a moderator with its sessions and revokes its tokens; ErrNotFound;
	// ErrInvalid for a bad audit.
	DeleteModerator(ctx context.Context, id int64, audit *models.AuditEntry) error
	// CreateAPIToken stores a valid token and sets its ID and a zero CreatedAt (now); ErrNotFound
	// for an unknown moderator; ErrConflict for a hash in use; ErrInvalid for an empty hash or a bad audit.
	CreateAPIToken(ctx context.Context, t *models.APIToken, audit *models.AuditEntry) error
	// APITokenByHash returns the unrevoked token with hash and its moderator; ErrNotFound.
	APITokenByHash(ctx context.Context, hash []byte) (models.APIToken, models.Moderator, error)
	// ListAPITokens returns a moderator's tokens, or everyone's for 0, revoked included, oldest first.
	ListAPITokens(ctx context.Context, moderatorID int64) ([]models.APIToken, error)
	// RevokeAPIToken revokes a token at at (now when zero); ErrNotFound; ErrConflict when revoked
	// already; ErrInvalid for a bad audit.
	RevokeAPIToken(ctx context.Context, id int64, at time.Time, audit *models.AuditEntry) error
	// CreateSession stores a session, a zero CreatedAt now and a zero LastSeenAt CreatedAt;
	// ErrNotFound for an unknown moderator; ErrConflict for an ID in use; ErrInvalid for an empty ID.
	CreateSession(ctx context.Context, s models.Session) error
	// SessionByID returns a session and its moderator, expired or not; ErrNotFound.
	SessionByID(ctx context.Context, id []byte) (models.Session, models.Moderator, error)
	// TouchSession moves LastSeenAt forward to at (now when zero), never back; ErrNotFound.
	TouchSession(ctx context.Context, id []byte, at time.Time) error
	// DeleteSession deletes a session; ErrNotFound.
	DeleteSession(ctx context.Context, id []byte) error
	// DeleteExpiredSessions deletes the sessions created before createdBefore or last seen
	// before seenBefore (a zero time: no such bound) and returns how many.
	DeleteExpiredSessions(ctx context.Context, createdBefore, seenBefore time.Time) (int, error)

	// GetSettings returns the settings saved last; ErrNotFound when never saved.
	GetSettings(ctx context.Context) (models.Settings, error)
	// SaveSettings replaces the settings; ErrInvalid for a non-finite threshold or a bad audit.
	SaveSettings(ctx context.Context, s models.Settings, audit *models.AuditEntry) error
	// ListWords returns both word lists by kind, then by word ignoring case.
	ListWords(ctx context.Context) ([]models.Word, error)
	// AddWord stores w and sets its ID and a zero CreatedAt (now); ErrConflict when its kind
	// lists the word already, ignoring case; ErrInvalid for an unknown kind, an empty word or a bad audit.
	AddWord(ctx context.Context, w *models.Word, audit *models.AuditEntry) error
	// DeleteWord deletes a listed word; ErrNotFound; ErrInvalid for a bad audit.
	DeleteWord(ctx context.Context, id int64, audit *models.AuditEntry) error
	// ListBans returns every ban, expired included, newest first by (CreatedAt, ID).
	ListBans(ctx context.Context) ([]models.Ban, error)
	// AddBan stores b and sets its ID and a zero CreatedAt (now); ErrInvalid for an unknown kind,
	// an empty value, an IP ban neither an address nor a CIDR range, or a bad audit.
	AddBan(ctx context.Context, b *models.Ban, audit *models.AuditEntry) error
	// DeleteBan deletes a ban; ErrNotFound; ErrInvalid for a bad audit.
	DeleteBan(ctx context.Context, id int64, audit *models.AuditEntry) error

	// AppendAudit records e, its ID set by the store and a zero At now; ErrInvalid for an empty
	// Action, an unknown status, a non-finite score or a negative CommentID.
	AppendAudit(ctx context.Context, e models.AuditEntry) error
	// ListAudit pages through the entries f selects, newest first by (At, ID), and returns the
	// next cursor ("" on the last page); Action matches exactly, or as a prefix ending in ".".
	// ErrInvalid (field "cursor" or "limit") for a malformed cursor or a limit below 1.
	ListAudit(ctx context.Context, f models.AuditFilter) ([]models.AuditEntry, string, error)

	// Counts returns how many rows of each kind the store holds.
	Counts(ctx context.Context) (storage.Counts, error)
	// Export calls fn with every row, read in one snapshot, a batch of at most storage.ExportBatch
	// rows of one kind at a time, moderators before their tokens and sessions, webhook events
	// without their leases, and the newest snapshot.
	Export(ctx context.Context, fn func(storage.Batch) error) error
	// Import stores rows with their IDs and times, replacing those of the same ID (events, audit
	// entries and snapshots never change), so importing again changes nothing; webhook events come
	// unleased, due as they were; new rows then get IDs after the highest. ErrConflict when a unique
	// name, hash, word or GUID is taken under another ID.
	Import(ctx context.Context, b storage.Batch) error

	// ImportComments stores, in one transaction, the comments items yields whose source key no
	// import stored before (the others are skipped, also when deleted since): each with its source,
	// under the comment its parent key names wherever that came in items (top level when it is not
	// there), and with a training event of its Tokens when TrainedAs is set; then audit, its Detail
	// followed by the counts. An error from items, ErrInvalid for a comment without a key or bad as
	// for CreateComment, or a bad audit entry, and nothing is stored.
	ImportComments(ctx context.Context, items iter.Seq2[models.ImportedComment, error], audit *models.AuditEntry) (models.ImportResult, error)
	// ImportBatches stores the batches in one transaction, each as Import does, then audit; an
	// error from batches, and nothing is stored.
	ImportBatches(ctx context.Context, batches iter.Seq2[storage.Batch, error], audit *models.AuditEntry) error
	// Close releases the store.
	Close() error

	SiteStore // site.go
}

// Run runs the suite. open must return a new, empty store each time it is
// called; Run closes it when the subtest ends. Subtests do not run in parallel.
func Run(t *testing.T, open func(t *testing.T) Store) {
	tests := []struct {
		name string
		test func(t *testing.T, s Store)
	}{
		{"Ping", testPing},
		{"CreateGetRoundTrip", testCreateGetRoundTrip},
		{"CreateDefaults", testCreateDefaults},
		{"CreateInvalid", testCreateInvalid},
		{"CreateConcurrent", testCreateConcurrent},
		{"GetNotFound", testGetNotFound},
		{"CanceledContext", testCanceledContext},
		{"ListApprovedWalk", testListApprovedWalk},
		{"ListByStatusWalk", testListByStatusWalk},
		{"ListStableUnderInserts", testListStableUnderInserts},
		{"ListBadInput", testListBadInput},
		{"CountApproved", testCountApproved},
		{"CountByStatus", testCountByStatus},
		{"CreateCommentUnique", testCreateCommentUnique},
		{"CreateUniqueConcurrent", testCreateUniqueConcurrent},
		{"Decide", testDecide},
		{"DecideRefused", testDecideRefused},
		{"DecideConcurrent", testDecideConcurrent},
		{"DecideAudit", testDecideAudit},
		{"DecideMany", testDecideMany},
		{"DecideManyLarge", testDecideManyLarge},
		{"DeleteComment", testDeleteComment},
		{"DeleteComments", testDeleteComments},
		{"GetComments", testGetComments},
		{"ListQueue", testListQueue},
		{"ListQueueStableUnderDecisions", testListQueueStableUnderDecisions},
		{"ListQueueBadInput", testListQueueBadInput},
		{"QueueIDs", testQueueIDs},
		{"AuthorHistory", testAuthorHistory},
		{"LastTrainingEvent", testLastTrainingEvent},
		{"AppendTrainingEvents", testAppendTrainingEvents},
		{"TrainingEventsAfter", testTrainingEventsAfter},
		{"Snapshot", testSnapshot},
		{"CreateModerator", testCreateModerator},
		{"GetModerator", testGetModerator},
		{"UpdateModerator", testUpdateModerator},
		{"DeleteModerator", testDeleteModerator},
		{"APITokens", testAPITokens},
		{"Sessions", testSessions},
		{"DeleteExpiredSessions", testDeleteExpiredSessions},
		{"Settings", testSettings},
		{"Words", testWords},
		{"Bans", testBans},
		{"AppendAudit", testAppendAudit},
		{"ListAudit", testListAudit},
		{"ImportComments", testImportComments},
		{"ImportCommentsChunks", testImportCommentsChunks},
		{"ImportCommentsRollback", testImportCommentsRollback},
	}
	tests = append(tests, siteTests...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tt.test(t, s)
		})
	}
	t.Run("ExportImport", func(t *testing.T) { testExportImport(t, open) })
	t.Run("ImportBatches", func(t *testing.T) { testImportBatches(t, open) })
}

func testPing(t *testing.T, s Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}
