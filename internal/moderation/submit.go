package moderation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/commentd/commentd/models"
)

// Submit judges and stores a visitor's comment: validate, rate-limit (per IP
// and per email), check the parent and duplicates, run the rules and the
// filter, and store it with its verdict. Errors: *models.ValidationError
// (ErrInvalid), *models.RateLimitError (ErrRateLimited), ErrDuplicate.
func (s *Service) Submit(ctx context.Context, in models.NewComment) (models.Comment, error) {
	in.Normalize()
	if err := in.Validate(s.policy.Limits); err != nil {
		return models.Comment{}, fmt.Errorf("moderation: submit: %w", err)
	}
	if err := s.limiter.Allow(ctx, "ip:"+in.IP); err != nil {
		return models.Comment{}, fmt.Errorf("moderation: submit: %w", err)
	}
	if err := s.limiter.Allow(ctx, "email:"+strings.ToLower(in.Email)); err != nil {
		return models.Comment{}, fmt.Errorf("moderation: submit: %w", err)
	}
	if err := s.checkParent(ctx, in); err != nil {
		return models.Comment{}, fmt.Errorf("moderation: submit: %w", err)
	}
	now := s.now().UTC()
	if s.policy.DuplicateWindow > 0 {
		dup, err := s.store.FindDuplicate(ctx, in.Post, in.Email, in.Text, now.Add(-s.policy.DuplicateWindow))
		if err != nil {
			return models.Comment{}, fmt.Errorf("moderation: submit: %w", err)
		}
		if dup {
			return models.Comment{}, fmt.Errorf("moderation: submit: %w", models.ErrDuplicate)
		}
	}
	score, tokens := s.filter.Score(s.filter.Tokens(in))
	if len(tokens) > s.policy.TopTokens {
		tokens = tokens[:s.policy.TopTokens]
	}
	status, rules := s.policy.Verdict(in, score)
	c := models.Comment{
		Post: in.Post, Parent: in.Parent, Author: in.Author, Email: in.Email, URL: in.URL,
		Text: in.Text, IP: in.IP, UserAgent: in.UserAgent,
		Status: status, Score: score,
		Reasons:   models.Reasons{Rules: rules, Tokens: tokens},
		CreatedAt: now, UpdatedAt: now,
	}
	if err := s.store.CreateComment(ctx, &c); err != nil {
		return models.Comment{}, fmt.Errorf("moderation: submit: %w", err)
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "verdict",
		slog.Int64("id", c.ID), slog.String("post", c.Post), slog.String("status", string(c.Status)),
		slog.Float64("score", c.Score), slog.Any("rules", rules), slog.String("client_ip", c.IP))
	return c, nil
}

// checkParent requires a reply's parent to be an approved comment of the same post.
func (s *Service) checkParent(ctx context.Context, in models.NewComment) error {
	if in.Parent == 0 {
		return nil
	}
	p, err := s.store.GetComment(ctx, in.Parent)
	var reason string
	switch {
	case errors.Is(err, models.ErrNotFound):
		reason = "not_found"
	case err != nil:
		return err
	case p.Post != in.Post:
		reason = "other_post"
	case p.Status != models.StatusApproved:
		reason = "not_approved"
	default:
		return nil
	}
	v := &models.ValidationError{}
	v.Add("parent", reason)
	return v
}
