package moderation

import (
	"context"
	"fmt"

	"github.com/commentd/commentd/models"
)

// MaxPageSize caps every listing.
const MaxPageSize = 200

// ListApproved returns a page of a post's approved comments, oldest first.
func (s *Service) ListApproved(ctx context.Context, post, cursor string, limit int) (models.Page, error) {
	p, err := s.store.ListApproved(ctx, post, cursor, clampLimit(limit))
	if err != nil {
		return models.Page{}, fmt.Errorf("moderation: list approved: %w", err)
	}
	return p, nil
}

// Counts returns the approved count of each post.
func (s *Service) Counts(ctx context.Context, posts []string) (map[string]int, error) {
	m, err := s.store.CountApproved(ctx, posts)
	if err != nil {
		return nil, fmt.Errorf("moderation: counts: %w", err)
	}
	return m, nil
}

// Queue returns a page of comments with the given status, newest first.
func (s *Service) Queue(ctx context.Context, status models.Status, cursor string, limit int) (models.Page, error) {
	if !status.Valid() {
		v := &models.ValidationError{}
		v.Add("status", "invalid")
		return models.Page{}, v
	}
	p, err := s.store.ListByStatus(ctx, status, cursor, clampLimit(limit))
	if err != nil {
		return models.Page{}, fmt.Errorf("moderation: queue: %w", err)
	}
	return p, nil
}

// QueueCounts returns how many comments have each status.
func (s *Service) QueueCounts(ctx context.Context) (map[models.Status]int, error) {
	m, err := s.store.CountByStatus(ctx)
	if err != nil {
		return nil, fmt.Errorf("moderation: queue counts: %w", err)
	}
	return m, nil
}

func clampLimit(n int) int {
	switch {
	case n <= 0:
		return 50
	case n > MaxPageSize:
		return MaxPageSize
	}
	return n
}
