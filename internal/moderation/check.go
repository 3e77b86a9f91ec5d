package moderation

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/commentd/commentd/models"
)

// The Akismet-compatible use cases: another site asks whether a comment is
// spam (Check) and later says what it really was (Report). The comment goes
// through the same rules, bans and filter as a comment posted here, but it is
// not stored: only what the filter saw, so that a report teaches exactly that,
// once per comment.

// CheckStore keeps the spam checks of other sites.
type CheckStore interface {
	// CreateSpamCheck sets c.ID; models.ErrConflict when the GUID is taken.
	CreateSpamCheck(ctx context.Context, c *models.SpamCheck) error
	// SpamCheckByGUID: models.ErrNotFound.
	SpamCheckByGUID(ctx context.Context, guid string) (models.SpamCheck, error)
	// LatestSpamCheck returns a key's newest check of some content; models.ErrNotFound.
	LatestSpamCheck(ctx context.Context, keyID int64, contentHash []byte) (models.SpamCheck, error)
	// TrainSpamCheck applies a lesson atomically; models.ErrConflict when the check
	// is no longer trained as l.From, models.ErrNotFound.
	TrainSpamCheck(ctx context.Context, l models.Lesson) (models.SpamCheck, error)
	// DeleteSpamChecks deletes the untaught checks created before a time.
	DeleteSpamChecks(ctx context.Context, before time.Time) (int, error)
}

// CheckRetention is how long a check nobody reported is kept: a report later
// than that teaches the filter anew instead of correcting the check.
const CheckRetention = 30 * 24 * time.Hour

// CheckRequest is a comment another site asks about.
type CheckRequest struct {
	KeyID   int64             // the site's API key
	Comment models.NewComment // Post is the permalink, IP the commenter's, Honeypot the hidden field's value
	Role    string            // the author's roles on that site, comma-separated; "administrator" is never spam
	Test    bool              // judged as usual, but neither kept nor learned from
}

// CheckResult is the verdict on a checked comment.
type CheckResult struct {
	GUID    string        // names the check in a later report
	Spam    bool          // the Akismet answer: only the spam status counts; pending is not spam
	Discard bool          // blatant spam, safe to drop unseen: refused by policy, or a filled honeypot
	Status  models.Status // what commentd would have done with it
	Score   float64
	Rules   []string
}

// Report is a site's word on what a comment was: spam or ham.
type Report struct {
	KeyID   int64
	GUID    string // the check's, when the site kept it; otherwise the content finds the check
	Comment models.NewComment
	Class   models.Class
	Test    bool // accepted and ignored
}

// Check judges a comment for another site: the rules, bans, author history,
// thresholds and the filter, as Submit does, without rate limits, duplicate
// checks or storing the comment. Akismet's conventions hold: an administrator
// is never spam, and the test authors "viagra-test-123" and
// "akismet-guaranteed-spam" (or the email akismet-guaranteed-spam@example.com)
// always are. Unless it is a test the check is kept, with what the filter saw.
func (s *Service) Check(ctx context.Context, r CheckRequest) (CheckResult, error) {
	rs := s.current.Load()
	in := clip(r.Comment, rs.policy.Limits)
	tokens := s.filter.Tokens(in)
	score, _ := s.filter.Score(tokens)
	res := CheckResult{GUID: newGUID(), Score: score}
	switch {
	case hasRole(r.Role, "administrator"):
		res.Status, res.Rules = models.StatusApproved, []string{"administrator"}
	case guaranteedSpam(in):
		res.Status, res.Rules = models.StatusSpam, []string{"test_spam"}
	default:
		status, rules, err := s.judge(ctx, rs, in, score)
		switch {
		case errors.Is(err, models.ErrBanned), errors.Is(err, models.ErrRejected):
			status, res.Discard = models.StatusSpam, true
		case err != nil:
			return CheckResult{}, fmt.Errorf("moderation: check: %w", err)
		case slices.Contains(rules, "honeypot"):
			res.Discard = true
		}
		res.Status, res.Rules = status, rules
	}
	res.Spam = res.Status == models.StatusSpam
	if !r.Test {
		c := models.SpamCheck{GUID: res.GUID, KeyID: r.KeyID, ContentHash: contentHash(in), Status: res.Status,
			Score: score, Tokens: tokens, CreatedAt: s.now().UTC()}
		if err := s.store.CreateSpamCheck(ctx, &c); err != nil {
			return CheckResult{}, fmt.Errorf("moderation: check: %w", err)
		}
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "check", slog.Int64("key_id", r.KeyID), slog.String("status", string(res.Status)),
		slog.Bool("spam", res.Spam), slog.Bool("discard", res.Discard), slog.Float64("score", score),
		slog.Any("rules", res.Rules), slog.Bool("test", r.Test), slog.String("client_ip", in.IP))
	return res, nil
}

// Report teaches the filter what a checked comment was. The lesson is keyed by
// the check (found by its GUID, else as the newest check of the same content,
// else recorded now), so a report sent twice counts once and a report of the
// other class takes the first lesson back. A test report teaches nothing.
// Error: *models.ValidationError for a class other than ham or spam.
func (s *Service) Report(ctx context.Context, r Report) error {
	if r.Class != models.ClassHam && r.Class != models.ClassSpam {
		v := &models.ValidationError{}
		v.Add("class", "invalid")
		return v
	}
	if r.Test {
		return nil
	}
	in := clip(r.Comment, s.current.Load().policy.Limits)
	c, err := s.reportedCheck(ctx, r, in)
	if err != nil {
		return fmt.Errorf("moderation: report %s: %w", r.Class, err)
	}
	taught := false
	for attempt := 0; c.TrainedAs != r.Class; attempt++ {
		l := models.Lesson{CheckID: c.ID, From: c.TrainedAs, To: r.Class, At: s.now().UTC()}
		if c.TrainedAs != models.ClassNone {
			l.Events = append(l.Events, models.TrainingEvent{Class: c.TrainedAs, Delta: -1, Tokens: c.Tokens})
		}
		l.Events = append(l.Events, models.TrainingEvent{Class: r.Class, Delta: 1, Tokens: c.Tokens})
		_, err := s.store.TrainSpamCheck(ctx, l)
		if err == nil {
			taught = true
			break
		}
		if !errors.Is(err, models.ErrConflict) || attempt >= 3 {
			return fmt.Errorf("moderation: report %s: %w", r.Class, err)
		}
		// Another report of the same check won the race: see what it taught.
		if c, err = s.store.SpamCheckByGUID(ctx, c.GUID); err != nil {
			return fmt.Errorf("moderation: report %s: %w", r.Class, err)
		}
	}
	if taught {
		if err := s.filter.Sync(ctx); err != nil {
			s.log.WarnContext(ctx, "filter sync after report failed", slog.Any("err", err))
		}
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "report", slog.Int64("key_id", r.KeyID), slog.String("class", string(r.Class)),
		slog.String("guid", c.GUID), slog.Bool("taught", taught))
	return nil
}

// reportedCheck finds the check a report is about: the key's check with the
// report's GUID, else its newest check of the same content, else a record of
// the content made now under a GUID derived from it, so that concurrent
// reports of a comment never checked share one record.
func (s *Service) reportedCheck(ctx context.Context, r Report, in models.NewComment) (models.SpamCheck, error) {
	if guid := cleanGUID(r.GUID); guid != "" {
		c, err := s.store.SpamCheckByGUID(ctx, guid)
		switch {
		case err == nil && c.KeyID == r.KeyID:
			return c, nil
		case err != nil && !errors.Is(err, models.ErrNotFound):
			return models.SpamCheck{}, err
		}
	}
	hash := contentHash(in)
	c, err := s.store.LatestSpamCheck(ctx, r.KeyID, hash)
	if !errors.Is(err, models.ErrNotFound) {
		return c, err
	}
	tokens := s.filter.Tokens(in)
	score, _ := s.filter.Score(tokens)
	status := models.StatusApproved
	if r.Class == models.ClassSpam {
		status = models.StatusSpam
	}
	c = models.SpamCheck{GUID: fmt.Sprintf("report-%d-%x", r.KeyID, hash[:16]), KeyID: r.KeyID, ContentHash: hash,
		Status: status, Score: score, Tokens: tokens, CreatedAt: s.now().UTC()}
	err = s.store.CreateSpamCheck(ctx, &c)
	if errors.Is(err, models.ErrConflict) {
		return s.store.SpamCheckByGUID(ctx, c.GUID)
	}
	return c, err
}

// PruneChecks deletes, at once and then every interval until ctx ends, the
// checks nobody reported within CheckRetention.
func (s *Service) PruneChecks(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := s.store.DeleteSpamChecks(ctx, s.now().Add(-CheckRetention))
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Warn("pruning spam checks failed", slog.Any("err", err))
		case n > 0:
			s.log.Info("pruned spam checks nobody reported", slog.Int("checks", n))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// clip normalises a checked comment and cuts its fields to the limits, in
// valid UTF-8: another site's comment is judged, never refused for its form.
func clip(n models.NewComment, l models.Limits) models.NewComment {
	n.Normalize()
	for _, f := range []struct {
		s   *string
		max int
	}{{&n.Post, l.Post}, {&n.Author, l.Author}, {&n.Email, l.Email}, {&n.URL, l.URL}, {&n.Text, l.Text}, {&n.Honeypot, l.Text}} {
		*f.s = strings.ToValidUTF8(*f.s, "\uFFFD")
		if utf8.RuneCountInString(*f.s) > f.max {
			*f.s = string([]rune(*f.s)[:f.max])
		}
	}
	n.Parent = 0
	return n
}

// contentHash is what identifies a comment's content across a check and its
// reports: the SHA-256 of author, email (ignoring case), url and text.
func contentHash(n models.NewComment) []byte {
	h := sha256.New()
	for _, f := range []string{n.Author, strings.ToLower(n.Email), n.URL, n.Text} {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	return h.Sum(nil)
}

// hasRole reports whether a comma-separated list of roles holds role.
func hasRole(roles, role string) bool {
	for _, r := range strings.Split(roles, ",") {
		if strings.EqualFold(strings.TrimSpace(r), role) {
			return true
		}
	}
	return false
}

// guaranteedSpam reports Akismet's test values that are always spam.
func guaranteedSpam(n models.NewComment) bool {
	return strings.EqualFold(n.Author, "viagra-test-123") || strings.EqualFold(n.Author, "akismet-guaranteed-spam") ||
		strings.EqualFold(n.Email, "akismet-guaranteed-spam@example.com")
}

// cleanGUID returns a guid a client sent back, or "" when it cannot be one of ours.
func cleanGUID(s string) string {
	s = strings.TrimSpace(s)
	if len(s) == 0 || len(s) > 128 || strings.ContainsFunc(s, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r == ':' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) {
		return ""
	}
	return s
}

func newGUID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b)
}
