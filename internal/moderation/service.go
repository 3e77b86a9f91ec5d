// Package moderation holds commentd's use cases: submitting a comment through
// validation, rate limits, rules and the filter; and the moderators' decisions.
// It declares the small interfaces it needs from storage, the filter and the limiter.
package moderation

import (
	"context"
	"log/slog"
	"time"

	"github.com/commentd/commentd/models"
)

// Store is the persistence the use cases need.
type Store interface {
	// CreateComment stores c and sets c.ID.
	CreateComment(ctx context.Context, c *models.Comment) error
	// GetComment returns models.ErrNotFound for an unknown id.
	GetComment(ctx context.Context, id int64) (models.Comment, error)
	// ListApproved pages through a post's approved comments, oldest first; a bad cursor is ErrInvalid.
	ListApproved(ctx context.Context, post, cursor string, limit int) (models.Page, error)
	// ListByStatus pages through comments of one status, newest first; a bad cursor is ErrInvalid.
	ListByStatus(ctx context.Context, status models.Status, cursor string, limit int) (models.Page, error)
	// CountApproved counts approved comments for each post.
	CountApproved(ctx context.Context, posts []string) (map[string]int, error)
	// CountByStatus counts comments per status.
	CountByStatus(ctx context.Context) (map[models.Status]int, error)
	// FindDuplicate reports a comment with the same post, email and text since the given time.
	FindDuplicate(ctx context.Context, post, email, text string, since time.Time) (bool, error)
	// Decide applies d atomically; models.ErrConflict when the comment moved on, ErrNotFound when absent.
	Decide(ctx context.Context, d models.Decision) (models.Comment, error)
	// DeleteComment removes a comment for good; models.ErrNotFound when absent.
	DeleteComment(ctx context.Context, id int64) error
	// LastTrainingEvent returns the latest positive event of a comment; models.ErrNotFound when none.
	LastTrainingEvent(ctx context.Context, commentID int64) (models.TrainingEvent, error)
}

// Filter scores comments and follows the training log.
type Filter interface {
	// Tokens returns the features of a comment.
	Tokens(c models.NewComment) []string
	// Score returns the spam probability and the strongest tokens.
	Score(tokens []string) (float64, []models.TokenWeight)
	// Sync applies training events the model has not seen yet.
	Sync(ctx context.Context) error
}

// Limiter spends one unit of a key's budget.
type Limiter interface {
	// Allow returns a *models.RateLimitError when key is over its limit.
	Allow(ctx context.Context, key string) error
}

// Service runs the use cases. Build it with New.
type Service struct {
	store   Store
	filter  Filter
	limiter Limiter
	policy  *Policy
	now     func() time.Time
	log     *slog.Logger
}

// New returns a Service. limiter governs posting (keys "ip:…" and "email:…").
func New(store Store, filter Filter, limiter Limiter, policy *Policy, logger *slog.Logger) *Service {
	return &Service{store: store, filter: filter, limiter: limiter, policy: policy, now: time.Now, log: logger}
}
