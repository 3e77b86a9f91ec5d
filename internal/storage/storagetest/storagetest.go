// Package storagetest is the conformance suite every commentd storage engine
// passes, so that SQLite and PostgreSQL behave the same to the layers above.
package storagetest

import (
	"context"
	"testing"
	"time"

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
	// FindDuplicate reports a non-trashed comment with the same post, email (ignoring case)
	// and text created at or after since.
	FindDuplicate(ctx context.Context, post, email, text string, since time.Time) (bool, error)
	// Decide applies d in one transaction: status, trained_as, updated_at (d.At) and d.Events,
	// whose IDs the store sets, CreatedAt to d.At and a zero CommentID to d.CommentID. ErrNotFound;
	// ErrConflict when the comment is no longer d.From/d.TrainedFrom; ErrInvalid, also for an
	// event of another comment.
	Decide(ctx context.Context, d models.Decision) (models.Comment, error)
	// DeleteComment removes a comment for good; replies keep their Parent; ErrNotFound.
	DeleteComment(ctx context.Context, id int64) error
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
	// Close releases the store.
	Close() error
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
		{"GetNotFound", testGetNotFound},
		{"CanceledContext", testCanceledContext},
		{"ListApprovedWalk", testListApprovedWalk},
		{"ListByStatusWalk", testListByStatusWalk},
		{"ListStableUnderInserts", testListStableUnderInserts},
		{"ListBadInput", testListBadInput},
		{"CountApproved", testCountApproved},
		{"CountByStatus", testCountByStatus},
		{"FindDuplicate", testFindDuplicate},
		{"Decide", testDecide},
		{"DecideRefused", testDecideRefused},
		{"DecideConcurrent", testDecideConcurrent},
		{"DeleteComment", testDeleteComment},
		{"LastTrainingEvent", testLastTrainingEvent},
		{"AppendTrainingEvents", testAppendTrainingEvents},
		{"TrainingEventsAfter", testTrainingEventsAfter},
		{"Snapshot", testSnapshot},
	}
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
}

func testPing(t *testing.T, s Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}
