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
// and per email), check the parent, bans, rules, the filter and the author's
// history, and store it with its verdict unless it duplicates a recent one. Errors:
// *models.ValidationError (ErrInvalid), *models.RateLimitError (ErrRateLimited),
// ErrDuplicate, ErrBanned (when banned visitors are refused), ErrRejected
// (spam beyond doubt, when discarding is on).
func (s *Service) Submit(ctx context.Context, in models.NewComment) (models.Comment, error) {
	rs := s.current.Load()
	in.Normalize()
	if err := in.Validate(rs.policy.Limits); err != nil {
		return models.Comment{}, fmt.Errorf("moderation: submit: %w", err)
	}
	if err := s.limiter.Allow(ctx, "ip:"+models.ClientKey(in.IP)); err != nil {
		return models.Comment{}, fmt.Errorf("moderation: submit: %w", err)
	}
	if err := s.limiter.Allow(ctx, "email:"+strings.ToLower(in.Email)); err != nil {
		return models.Comment{}, fmt.Errorf("moderation: submit: %w", err)
	}
	if err := s.checkParent(ctx, in); err != nil {
		return models.Comment{}, fmt.Errorf("moderation: submit: %w", err)
	}
	now := s.now().UTC()
	score, tokens := s.filter.Classify(in)
	if len(tokens) > rs.policy.TopTokens {
		tokens = tokens[:rs.policy.TopTokens]
	}
	status, rules, err := s.judge(ctx, rs, in, score)
	if err != nil {
		s.log.LogAttrs(ctx, slog.LevelInfo, "verdict", slog.String("post", in.Post), slog.String("status", "refused"),
			slog.Float64("score", score), slog.Any("rules", rules), slog.String("client_ip", in.IP))
		if errors.Is(err, models.ErrBanned) || errors.Is(err, models.ErrRejected) {
			s.obs.Verdict("refused")
		}
		return models.Comment{}, fmt.Errorf("moderation: submit: %w", err)
	}
	c := models.Comment{
		Post: in.Post, Parent: in.Parent, Author: in.Author, Email: in.Email, URL: in.URL,
		Text: in.Text, IP: in.IP, UserAgent: in.UserAgent,
		Status: status, Score: score,
		Reasons:   models.Reasons{Rules: rules, Tokens: tokens},
		CreatedAt: now, UpdatedAt: now,
	}
	// The duplicate check is part of the insert: of two copies sent at once
	// (a double-clicked form), one is stored and the other gets ErrDuplicate.
	create := s.store.CreateComment
	if w := rs.policy.DuplicateWindow; w > 0 {
		create = func(ctx context.Context, c *models.Comment) error {
			return s.store.CreateCommentUnique(ctx, c, now.Add(-w))
		}
	}
	if err := create(ctx, &c); err != nil {
		return models.Comment{}, fmt.Errorf("moderation: submit: %w", err)
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "verdict",
		slog.Int64("id", c.ID), slog.String("post", c.Post), slog.String("status", string(c.Status)),
		slog.Float64("score", c.Score), slog.Any("rules", rules), slog.String("client_ip", c.IP))
	s.obs.Verdict(string(c.Status))
	s.publish(ctx, models.Event{Type: "comment.created", CommentID: c.ID, Post: c.Post, Status: c.Status})
	return c, nil
}

// judge applies the rules, bans and the author's history to the score.
func (s *Service) judge(ctx context.Context, rs *ruleSet, in models.NewComment, score float64) (models.Status, []string, error) {
	status, rules := rs.policy.Verdict(in, score)
	if b, ok := rs.banned(in, s.now()); ok {
		rule := "banned:" + string(b.Kind)
		if rs.settings.RefuseBanned {
			return "", append(rules, rule), models.ErrBanned
		}
		return models.StatusSpam, append(rules, rule), nil
	}
	if d := rs.settings.DiscardAbove; d > 0 && d <= 1 && score >= d {
		return "", append(rules, "discarded"), models.ErrRejected
	}
	if rs.settings.TrustAfter <= 0 && !rs.settings.HoldFirst {
		return status, rules, nil
	}
	key := strings.ToLower(in.Email)
	hist, err := s.store.AuthorHistory(ctx, []string{key})
	if err != nil {
		return "", rules, err
	}
	h := hist[key]
	switch {
	case rs.settings.TrustAfter > 0 && h.Approved >= rs.settings.TrustAfter && h.Spam == 0 && scoreOnly(rules):
		// A trusted author overrides the filter's doubt, never a rule.
		status, rules = models.StatusApproved, append(rules, "trusted_author")
	case rs.settings.HoldFirst && h.Approved == 0 && status == models.StatusApproved:
		status, rules = models.StatusPending, append(rules, "first_comment")
	}
	return status, rules, nil
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
