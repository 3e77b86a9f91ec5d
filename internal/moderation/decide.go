package moderation

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/commentd/commentd/models"
)

// Action is a moderator's decision on a comment.
type Action string

// The decisions. Approve teaches ham, spam teaches spam, trash teaches nothing new,
// restore puts a trashed or spam comment back in the queue (taking back a spam lesson).
const (
	ActApprove Action = "approve"
	ActSpam    Action = "spam"
	ActTrash   Action = "trash"
	ActRestore Action = "restore"
	ActDelete  Action = "delete"
)

// ParseAction reads an action name; ErrInvalid for an unknown one.
func ParseAction(s string) (Action, error) {
	switch a := Action(s); a {
	case ActApprove, ActSpam, ActTrash, ActRestore, ActDelete:
		return a, nil
	}
	v := &models.ValidationError{}
	v.Add("action", "invalid")
	return "", v
}

// MaxBulk caps how many comments one bulk decision may touch.
const MaxBulk = 10000

// BulkResult says which comments a bulk decision changed and which had moved on.
type BulkResult struct {
	Done       []int64 `json:"done"`
	Conflicted []int64 `json:"conflicted"`
}

// Decide applies one decision. expect is the status the moderator saw ("" for
// any): when the comment has moved on since, the answer is ErrConflict, so of two
// moderators deciding at once exactly one wins. Errors: ErrNotFound, ErrConflict,
// ErrInvalid.
func (s *Service) Decide(ctx context.Context, actor models.Principal, id int64, act Action, expect models.Status) (models.Comment, error) {
	if expect != "" && !expect.Valid() {
		v := &models.ValidationError{}
		v.Add("from", "invalid")
		return models.Comment{}, v
	}
	if act == ActDelete {
		if expect != "" { // as for the others: a comment moved on since it was seen stays (409)
			c, err := s.store.GetComment(ctx, id)
			if err != nil {
				return models.Comment{}, fmt.Errorf("moderation: %s %d: %w", act, id, err)
			}
			if c.Status != expect {
				return models.Comment{}, fmt.Errorf("moderation: %d is %s, not %s: %w", id, c.Status, expect, models.ErrConflict)
			}
		}
		return models.Comment{}, s.Delete(ctx, actor, id)
	}
	c, err := s.store.GetComment(ctx, id)
	if err != nil {
		return models.Comment{}, fmt.Errorf("moderation: %s %d: %w", act, id, err)
	}
	if expect != "" && c.Status != expect {
		return models.Comment{}, fmt.Errorf("moderation: %d is %s, not %s: %w", id, c.Status, expect, models.ErrConflict)
	}
	d, err := s.plan(ctx, actor, c, act)
	if err != nil {
		return models.Comment{}, err
	}
	updated, err := s.store.Decide(ctx, d)
	if err != nil {
		return models.Comment{}, fmt.Errorf("moderation: %s %d: %w", act, id, err)
	}
	s.afterDecisions(ctx, actor, act, []models.Comment{updated}, map[int64]models.Status{id: c.Status})
	return updated, nil
}

// Bulk applies one decision to many comments in one transaction. expect is the
// status the moderator saw them in ("" for any), as for Decide. Comments that
// have it no more, already have the target status, or moved on meanwhile are
// reported as conflicted.
func (s *Service) Bulk(ctx context.Context, actor models.Principal, act Action, ids []int64, expect models.Status) (BulkResult, error) {
	v := &models.ValidationError{}
	if len(ids) > MaxBulk {
		v.Add("ids", "too_many")
	}
	if expect != "" && !expect.Valid() {
		v.Add("from", "invalid")
	}
	if err := v.Err(); err != nil {
		return BulkResult{}, err
	}
	res := BulkResult{Done: []int64{}, Conflicted: []int64{}}
	if act == ActDelete {
		var moved []int64 // no longer in expect: kept, and reported as conflicted
		if expect != "" {
			found, err := s.store.GetComments(ctx, ids)
			if err != nil {
				return BulkResult{}, fmt.Errorf("moderation: bulk delete: %w", err)
			}
			seen := make([]int64, 0, len(ids))
			for _, id := range ids {
				if c, ok := found[id]; ok && c.Status != expect {
					moved = append(moved, id)
					continue
				}
				seen = append(seen, id)
			}
			ids = seen
		}
		audits := make([]models.AuditEntry, len(ids))
		for i, id := range ids {
			audits[i] = models.AuditEntry{Actor: actor.Name, Action: "delete", CommentID: id}
		}
		done, err := s.store.DeleteComments(ctx, ids, audits)
		if err != nil {
			return BulkResult{}, fmt.Errorf("moderation: bulk delete: %w", err)
		}
		res.Done = append(res.Done, done...)
		res.Conflicted = append(missing(ids, done), moved...)
		s.obs.Decided(string(ActDelete), len(done))
		for _, id := range done {
			s.publish(ctx, models.Event{Type: "comment.deleted", CommentID: id, Actor: actor.Name})
		}
		return res, nil
	}
	found, err := s.store.GetComments(ctx, ids)
	if err != nil {
		return BulkResult{}, fmt.Errorf("moderation: bulk %s: %w", act, err)
	}
	var ds []models.Decision
	before := map[int64]models.Status{}
	for _, id := range ids {
		c, ok := found[id]
		if !ok || (expect != "" && c.Status != expect) {
			res.Conflicted = append(res.Conflicted, id)
			continue
		}
		d, err := s.plan(ctx, actor, c, act)
		if err != nil {
			res.Conflicted = append(res.Conflicted, id)
			continue
		}
		before[id] = c.Status
		ds = append(ds, d)
	}
	updated, conflicted, err := s.store.DecideMany(ctx, ds)
	if err != nil {
		return BulkResult{}, fmt.Errorf("moderation: bulk %s: %w", act, err)
	}
	for _, c := range updated {
		res.Done = append(res.Done, c.ID)
	}
	res.Conflicted = append(res.Conflicted, conflicted...)
	s.afterDecisions(ctx, actor, act, updated, before)
	return res, nil
}

// BulkMatching applies a decision to every comment matching f (up to MaxBulk).
func (s *Service) BulkMatching(ctx context.Context, actor models.Principal, act Action, f models.QueueFilter) (BulkResult, error) {
	f.Cursor = ""
	ids, err := s.store.QueueIDs(ctx, f, MaxBulk)
	if err != nil {
		return BulkResult{}, fmt.Errorf("moderation: bulk %s: %w", act, err)
	}
	return s.Bulk(ctx, actor, act, ids, f.Status)
}

// plan works out the status change and the lessons of one decision. A reversal
// takes back the earlier lesson with the exact tokens it taught, so nothing
// counts twice. ErrConflict when the decision does not apply to the comment.
func (s *Service) plan(ctx context.Context, actor models.Principal, c models.Comment, act Action) (models.Decision, error) {
	to, class := models.StatusApproved, models.ClassHam
	switch act {
	case ActSpam:
		to, class = models.StatusSpam, models.ClassSpam
	case ActTrash:
		to, class = models.StatusTrash, c.TrainedAs
	case ActRestore:
		if c.Status != models.StatusTrash && c.Status != models.StatusSpam {
			return models.Decision{}, fmt.Errorf("moderation: restore %d from %s: %w", c.ID, c.Status, models.ErrConflict)
		}
		to, class = models.StatusPending, c.TrainedAs
		if class == models.ClassSpam {
			class = models.ClassNone // restoring from spam says "not spam after all"
		}
	case ActApprove:
	default:
		return models.Decision{}, fmt.Errorf("moderation: action %q: %w", act, models.ErrInvalid)
	}
	if c.Status == to {
		return models.Decision{}, fmt.Errorf("moderation: %d is already %s: %w", c.ID, to, models.ErrConflict)
	}
	score := c.Score
	d := models.Decision{
		CommentID: c.ID, From: c.Status, To: to, TrainedFrom: c.TrainedAs, TrainedTo: class, At: s.now().UTC(),
		Audit: &models.AuditEntry{Actor: actor.Name, Action: string(act), CommentID: c.ID, FromStatus: c.Status, ToStatus: to, Score: &score},
	}
	if class == c.TrainedAs {
		return d, nil
	}
	if c.TrainedAs != models.ClassNone {
		last, err := s.store.LastTrainingEvent(ctx, c.ID)
		if err != nil {
			return models.Decision{}, fmt.Errorf("moderation: %s %d: earlier lesson: %w", act, c.ID, err)
		}
		d.Events = append(d.Events, models.TrainingEvent{CommentID: c.ID, Class: c.TrainedAs, Delta: -1, Tokens: last.Tokens})
	}
	if class != models.ClassNone {
		d.Events = append(d.Events, models.TrainingEvent{CommentID: c.ID, Class: class, Delta: 1, Tokens: s.filter.Tokens(asNew(c))})
	}
	return d, nil
}

// afterDecisions brings the model up to date, logs and tells live views.
func (s *Service) afterDecisions(ctx context.Context, actor models.Principal, act Action, updated []models.Comment, before map[int64]models.Status) {
	if err := s.filter.Sync(ctx); err != nil {
		// The lessons are in the log; the next sync applies them.
		s.log.WarnContext(ctx, "filter sync after decision failed", slog.Any("err", err))
	}
	s.obs.Decided(string(act), len(updated))
	for _, c := range updated {
		s.log.InfoContext(ctx, "decision", slog.Int64("id", c.ID), slog.String("action", string(act)),
			slog.String("from", string(before[c.ID])), slog.String("to", string(c.Status)),
			slog.String("trained_as", string(c.TrainedAs)), slog.String("actor", actor.Name))
		s.publish(ctx, models.Event{Type: "comment.decided", CommentID: c.ID, Post: c.Post, Status: c.Status, From: before[c.ID], Actor: actor.Name})
	}
}

// Delete removes a comment for good. What the filter learned from it stays.
func (s *Service) Delete(ctx context.Context, actor models.Principal, id int64) error {
	audit := &models.AuditEntry{Actor: actor.Name, Action: "delete", CommentID: id}
	var post string
	if c, err := s.store.GetComment(ctx, id); err == nil {
		score := c.Score
		audit.FromStatus, audit.Score, post = c.Status, &score, c.Post
	}
	if err := s.store.DeleteComment(ctx, id, audit); err != nil {
		return fmt.Errorf("moderation: delete %d: %w", id, err)
	}
	s.log.InfoContext(ctx, "deleted", slog.Int64("id", id), slog.String("actor", actor.Name))
	s.obs.Decided(string(ActDelete), 1)
	s.publish(ctx, models.Event{Type: "comment.deleted", CommentID: id, Post: post, Actor: actor.Name})
	return nil
}

func asNew(c models.Comment) models.NewComment {
	return models.NewComment{Post: c.Post, Parent: c.Parent, Author: c.Author, Email: c.Email, URL: c.URL, Text: c.Text}
}

// missing returns the ids not in done.
func missing(ids, done []int64) []int64 {
	in := make(map[int64]bool, len(done))
	for _, id := range done {
		in[id] = true
	}
	out := []int64{}
	for _, id := range ids {
		if !in[id] {
			out = append(out, id)
		}
	}
	return out
}
