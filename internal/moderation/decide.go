package moderation

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/commentd/commentd/models"
)

// Approve publishes a comment and teaches the filter it is ham. expect is the
// status the moderator saw ("" for any): when the comment has moved on since, the
// answer is ErrConflict, so of two moderators deciding at once exactly one wins.
func (s *Service) Approve(ctx context.Context, id int64, expect models.Status) (models.Comment, error) {
	return s.decide(ctx, id, expect, models.StatusApproved, models.ClassHam)
}

// MarkSpam hides a comment as spam and teaches the filter it is spam.
func (s *Service) MarkSpam(ctx context.Context, id int64, expect models.Status) (models.Comment, error) {
	return s.decide(ctx, id, expect, models.StatusSpam, models.ClassSpam)
}

// Trash hides a comment without teaching the filter anything new.
func (s *Service) Trash(ctx context.Context, id int64, expect models.Status) (models.Comment, error) {
	return s.decide(ctx, id, expect, models.StatusTrash, models.ClassNone)
}

// decide moves comment id to status to. class is what the filter learns (ClassNone:
// keep what it learned before). A reversal takes back the earlier lesson with the
// exact tokens it taught, so nothing counts twice. Errors: ErrNotFound, and
// ErrConflict when the comment already has that status or another decision won.
func (s *Service) decide(ctx context.Context, id int64, expect, to models.Status, class models.Class) (models.Comment, error) {
	if expect != "" && !expect.Valid() {
		v := &models.ValidationError{}
		v.Add("from", "invalid")
		return models.Comment{}, v
	}
	c, err := s.store.GetComment(ctx, id)
	if err != nil {
		return models.Comment{}, fmt.Errorf("moderation: %s %d: %w", to, id, err)
	}
	if c.Status == to {
		return models.Comment{}, fmt.Errorf("moderation: %d is already %s: %w", id, to, models.ErrConflict)
	}
	if expect != "" && c.Status != expect {
		return models.Comment{}, fmt.Errorf("moderation: %d is %s, not %s: %w", id, c.Status, expect, models.ErrConflict)
	}
	d := models.Decision{CommentID: id, From: c.Status, To: to, TrainedFrom: c.TrainedAs, TrainedTo: c.TrainedAs, At: s.now().UTC()}
	if class != models.ClassNone && class != c.TrainedAs {
		if c.TrainedAs != models.ClassNone {
			last, err := s.store.LastTrainingEvent(ctx, id)
			if err != nil {
				return models.Comment{}, fmt.Errorf("moderation: %s %d: earlier lesson: %w", to, id, err)
			}
			d.Events = append(d.Events, models.TrainingEvent{CommentID: id, Class: c.TrainedAs, Delta: -1, Tokens: last.Tokens})
		}
		d.Events = append(d.Events, models.TrainingEvent{CommentID: id, Class: class, Delta: 1, Tokens: s.filter.Tokens(asNew(c))})
		d.TrainedTo = class
	}
	updated, err := s.store.Decide(ctx, d)
	if err != nil {
		return models.Comment{}, fmt.Errorf("moderation: %s %d: %w", to, id, err)
	}
	if err := s.filter.Sync(ctx); err != nil {
		// The lesson is in the log; the next sync applies it.
		s.log.WarnContext(ctx, "filter sync after decision failed", slog.Int64("id", id), slog.Any("err", err))
	}
	s.log.InfoContext(ctx, "decision", slog.Int64("id", id), slog.String("from", string(c.Status)),
		slog.String("to", string(to)), slog.String("trained_as", string(updated.TrainedAs)))
	return updated, nil
}

// Delete removes a comment for good. What the filter learned from it stays.
func (s *Service) Delete(ctx context.Context, id int64) error {
	if err := s.store.DeleteComment(ctx, id); err != nil {
		return fmt.Errorf("moderation: delete %d: %w", id, err)
	}
	s.log.InfoContext(ctx, "deleted", slog.Int64("id", id))
	return nil
}

func asNew(c models.Comment) models.NewComment {
	return models.NewComment{Post: c.Post, Parent: c.Parent, Author: c.Author, Email: c.Email, URL: c.URL, Text: c.Text}
}
