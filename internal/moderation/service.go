// Package moderation holds commentd's use cases: submitting a comment through
// validation, rate limits, bans, rules and the filter; the moderators' decisions
// (one at a time or in bulk); and the policy moderators control.
// It declares the small interfaces it needs from storage, the filter and the limiter.
package moderation

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/commentd/commentd/models"
)

// Store is the persistence the use cases need.
type Store interface {
	// CreateComment stores c and sets c.ID.
	CreateComment(ctx context.Context, c *models.Comment) error
	// GetComment returns models.ErrNotFound for an unknown id.
	GetComment(ctx context.Context, id int64) (models.Comment, error)
	// GetComments returns the comments that exist among ids.
	GetComments(ctx context.Context, ids []int64) (map[int64]models.Comment, error)
	// ListApproved pages through a post's approved comments, oldest first; a bad cursor is ErrInvalid.
	ListApproved(ctx context.Context, post, cursor string, limit int) (models.Page, error)
	// ListQueue pages through comments matching f; a bad cursor or status is ErrInvalid.
	ListQueue(ctx context.Context, f models.QueueFilter) (models.Page, error)
	// QueueIDs returns up to max ids matching f.
	QueueIDs(ctx context.Context, f models.QueueFilter, max int) ([]int64, error)
	// CountApproved counts approved comments for each post.
	CountApproved(ctx context.Context, posts []string) (map[string]int, error)
	// CountByStatus counts comments per status.
	CountByStatus(ctx context.Context) (map[models.Status]int, error)
	// AuthorHistory counts earlier comments per (lowercased) email.
	AuthorHistory(ctx context.Context, emails []string) (map[string]models.AuthorHistory, error)
	// CreateCommentUnique is CreateComment unless a comment (not trashed) with the same
	// post, email and text was created at or after since: then models.ErrDuplicate.
	CreateCommentUnique(ctx context.Context, c *models.Comment, since time.Time) error
	// Decide applies d atomically; models.ErrConflict when the comment moved on, ErrNotFound when absent.
	Decide(ctx context.Context, d models.Decision) (models.Comment, error)
	// DecideMany applies each decision that still holds, in one transaction, and names the rest.
	DecideMany(ctx context.Context, ds []models.Decision) ([]models.Comment, []int64, error)
	// DeleteComment removes a comment for good; models.ErrNotFound when absent.
	DeleteComment(ctx context.Context, id int64, audit *models.AuditEntry) error
	// DeleteComments removes many in one transaction and returns those that existed.
	DeleteComments(ctx context.Context, ids []int64, audits []models.AuditEntry) ([]int64, error)
	// LastTrainingEvent returns the latest positive event of a comment; models.ErrNotFound when none.
	LastTrainingEvent(ctx context.Context, commentID int64) (models.TrainingEvent, error)
	PolicyStore
	CheckStore // check.go
}

// PolicyStore keeps what admins edit: settings, word lists, bans, and the audit log.
type PolicyStore interface {
	// GetSettings returns models.ErrNotFound when never saved.
	GetSettings(ctx context.Context) (models.Settings, error)
	SaveSettings(ctx context.Context, s models.Settings, audit *models.AuditEntry) error
	ListWords(ctx context.Context) ([]models.Word, error)
	// AddWord: models.ErrConflict when listed already.
	AddWord(ctx context.Context, w *models.Word, audit *models.AuditEntry) error
	// DeleteWord: models.ErrNotFound.
	DeleteWord(ctx context.Context, id int64, audit *models.AuditEntry) error
	ListBans(ctx context.Context) ([]models.Ban, error)
	AddBan(ctx context.Context, b *models.Ban, audit *models.AuditEntry) error
	// DeleteBan: models.ErrNotFound.
	DeleteBan(ctx context.Context, id int64, audit *models.AuditEntry) error
	AppendAudit(ctx context.Context, e models.AuditEntry) error
	// ListAudit pages newest first; a bad cursor is ErrInvalid.
	ListAudit(ctx context.Context, f models.AuditFilter) ([]models.AuditEntry, string, error)
}

// Filter scores comments and follows the training log.
type Filter interface {
	// Tokens returns the features of a comment.
	Tokens(c models.NewComment) []string
	// Score returns the spam probability and the strongest tokens.
	Score(tokens []string) (float64, []models.TokenWeight)
	// Classify is Score(Tokens(c)) for a caller that does not keep the tokens.
	Classify(c models.NewComment) (float64, []models.TokenWeight)
	// Sync applies training events the model has not seen yet.
	Sync(ctx context.Context) error
}

// Limiter spends one unit of a key's budget.
type Limiter interface {
	// Allow returns a *models.RateLimitError when key is over its limit.
	Allow(ctx context.Context, key string) error
}

// Notifier tells live views about changes. It must not block.
type Notifier interface {
	Publish(ctx context.Context, e models.Event)
}

// Service runs the use cases. Build it with New.
type Service struct {
	store    Store
	filter   Filter
	limiter  Limiter
	notifier Notifier
	obs      Observer
	base     *Policy                 // from the config
	current  atomic.Pointer[ruleSet] // base merged with what admins saved
	now      func() time.Time
	log      *slog.Logger
}

// New returns a Service. limiter governs posting (keys "ip:…" and "email:…");
// policy holds the configured defaults that admins' settings override. Call
// ReloadPolicy before serving.
func New(store Store, filter Filter, limiter Limiter, notifier Notifier, policy *Policy, logger *slog.Logger, opts ...Option) *Service {
	s := &Service{store: store, filter: filter, limiter: limiter, notifier: notifier, obs: noObserver{}, base: policy, now: time.Now, log: logger}
	for _, o := range opts {
		o(s)
	}
	s.current.Store(compile(policy, defaultSettings(policy), nil, nil))
	return s
}

// Run reloads the policy every interval, so changes made on another instance apply here.
func (s *Service) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.ReloadPolicy(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("policy reload failed; keeping the last one", slog.Any("err", err))
			}
		}
	}
}

func (s *Service) publish(ctx context.Context, e models.Event) {
	if s.notifier != nil {
		s.notifier.Publish(ctx, e)
	}
}
