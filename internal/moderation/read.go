package moderation

import (
	"context"
	"fmt"
	"strings"

	"github.com/commentd/commentd/models"
)

// MaxPageSize caps every listing.
const MaxPageSize = 200

// QueueItem is a comment as moderators see it: with its author's history and,
// for a reply, the parent comment.
type QueueItem struct {
	models.Comment
	History models.AuthorHistory `json:"history"`
	ParentC *models.Comment      `json:"parent_comment,omitempty"`
}

// QueuePage is one page of the moderation queue.
type QueuePage struct {
	Items      []QueueItem
	NextCursor string
}

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

// Queue returns a page of comments matching f, each with its author's history
// and its parent.
func (s *Service) Queue(ctx context.Context, f models.QueueFilter) (QueuePage, error) {
	if f.Status == "" {
		f.Status = models.StatusPending
	}
	if !f.Status.Valid() {
		v := &models.ValidationError{}
		v.Add("status", "invalid")
		return QueuePage{}, v
	}
	f.Limit = clampLimit(f.Limit)
	page, err := s.store.ListQueue(ctx, f)
	if err != nil {
		return QueuePage{}, fmt.Errorf("moderation: queue: %w", err)
	}
	var emails []string
	var parents []int64
	for _, c := range page.Comments {
		emails = append(emails, strings.ToLower(c.Email))
		if c.Parent != 0 {
			parents = append(parents, c.Parent)
		}
	}
	hist, err := s.store.AuthorHistory(ctx, emails)
	if err != nil {
		return QueuePage{}, fmt.Errorf("moderation: queue: history: %w", err)
	}
	pc := map[int64]models.Comment{}
	if len(parents) > 0 {
		if pc, err = s.store.GetComments(ctx, parents); err != nil {
			return QueuePage{}, fmt.Errorf("moderation: queue: parents: %w", err)
		}
	}
	out := QueuePage{Items: make([]QueueItem, len(page.Comments)), NextCursor: page.NextCursor}
	for i, c := range page.Comments {
		out.Items[i] = QueueItem{Comment: c, History: hist[strings.ToLower(c.Email)]}
		if p, ok := pc[c.Parent]; ok {
			out.Items[i].ParentC = &p
		}
	}
	return out, nil
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
