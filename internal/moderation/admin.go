package moderation

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/commentd/commentd/models"
)

// The policy use cases. Only admins change policy (ErrForbidden otherwise); every
// change is audited in the same transaction and applies at once on this instance
// (other instances reload within seconds).

func requireAdmin(p models.Principal) error {
	if !p.IsAdmin() {
		return fmt.Errorf("moderation: %s is a %s: %w", p.Name, p.Role, models.ErrForbidden)
	}
	return nil
}

// Settings returns the policy settings in force.
func (s *Service) Settings() models.Settings { return s.current.Load().settings }

// Words returns the word lists admins maintain (not the configured base lists).
func (s *Service) Words() []models.Word { return s.current.Load().words }

// Bans returns every ban, expired ones included.
func (s *Service) Bans(ctx context.Context) ([]models.Ban, error) { return s.store.ListBans(ctx) }

// UpdateSettings validates and saves new settings.
func (s *Service) UpdateSettings(ctx context.Context, actor models.Principal, st models.Settings) (models.Settings, error) {
	if err := requireAdmin(actor); err != nil {
		return models.Settings{}, err
	}
	v := &models.ValidationError{}
	if st.HamThreshold < 0 || st.HamThreshold > 1 {
		v.Add("ham_threshold", "out_of_range")
	}
	if st.SpamThreshold < st.HamThreshold || st.SpamThreshold > 1 {
		v.Add("spam_threshold", "out_of_range")
	}
	if st.DiscardAbove < 0 || st.DiscardAbove > 1 || (st.DiscardAbove > 0 && st.DiscardAbove < st.SpamThreshold) {
		v.Add("discard_above", "out_of_range")
	}
	if st.MaxLinks < 0 {
		v.Add("max_links", "out_of_range")
	}
	if st.TrustAfter < 0 {
		v.Add("trust_after", "out_of_range")
	}
	if err := v.Err(); err != nil {
		return models.Settings{}, err
	}
	old := s.Settings()
	detail := fmt.Sprintf("%+v -> %+v", old, st)
	if err := s.store.SaveSettings(ctx, st, &models.AuditEntry{Actor: actor.Name, Action: "settings.update", Detail: detail}); err != nil {
		return models.Settings{}, fmt.Errorf("moderation: settings: %w", err)
	}
	return st, s.changed(ctx)
}

// AddWord lists a blocked or held word.
func (s *Service) AddWord(ctx context.Context, actor models.Principal, kind models.WordKind, word string) (models.Word, error) {
	if err := requireAdmin(actor); err != nil {
		return models.Word{}, err
	}
	word = strings.TrimSpace(word)
	v := &models.ValidationError{}
	if kind != models.WordBlocked && kind != models.WordHeld {
		v.Add("kind", "invalid")
	}
	switch {
	case word == "":
		v.Add("word", "required")
	case utf8.RuneCountInString(word) > 100 || !printable(word):
		v.Add("word", "invalid")
	}
	if err := v.Err(); err != nil {
		return models.Word{}, err
	}
	w := models.Word{Kind: kind, Word: word, CreatedBy: actor.Name, CreatedAt: s.now().UTC()}
	if err := s.store.AddWord(ctx, &w, &models.AuditEntry{Actor: actor.Name, Action: "word.add", Detail: string(kind) + ": " + word}); err != nil {
		return models.Word{}, fmt.Errorf("moderation: add word: %w", err)
	}
	return w, s.changed(ctx)
}

// DeleteWord removes a listed word.
func (s *Service) DeleteWord(ctx context.Context, actor models.Principal, id int64) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	if err := s.store.DeleteWord(ctx, id, &models.AuditEntry{Actor: actor.Name, Action: "word.delete", Detail: fmt.Sprint(id)}); err != nil {
		return fmt.Errorf("moderation: delete word: %w", err)
	}
	return s.changed(ctx)
}

// AddBan bans an email, an IP address or range, or an author name, optionally until a time.
func (s *Service) AddBan(ctx context.Context, actor models.Principal, kind models.BanKind, value, reason string, expires *time.Time) (models.Ban, error) {
	if err := requireAdmin(actor); err != nil {
		return models.Ban{}, err
	}
	value = strings.TrimSpace(value)
	v := &models.ValidationError{}
	switch kind {
	case models.BanEmail:
		if !models.ValidEmail(value) {
			v.Add("value", "invalid_email")
		}
	case models.BanIP:
		p, err := parsePrefix(value)
		if err != nil {
			v.Add("value", "invalid_ip")
		} else {
			value = p.String()
			if p.IsSingleIP() {
				value = p.Addr().String()
			}
		}
	case models.BanAuthor:
		if value == "" || utf8.RuneCountInString(value) > 100 || !printable(value) {
			v.Add("value", "invalid")
		}
	default:
		v.Add("kind", "invalid")
	}
	switch {
	case !printable(reason):
		v.Add("reason", "invalid")
	case utf8.RuneCountInString(reason) > 500:
		v.Add("reason", "too_long")
	}
	if expires != nil && !expires.After(s.now()) {
		v.Add("expires_at", "in_the_past")
	}
	if err := v.Err(); err != nil {
		return models.Ban{}, err
	}
	b := models.Ban{Kind: kind, Value: value, Reason: reason, ExpiresAt: expires, CreatedBy: actor.Name, CreatedAt: s.now().UTC()}
	detail := string(kind) + ": " + value
	if expires != nil {
		detail += " until " + expires.UTC().Format(time.RFC3339)
	}
	if err := s.store.AddBan(ctx, &b, &models.AuditEntry{Actor: actor.Name, Action: "ban.add", Detail: detail}); err != nil {
		return models.Ban{}, fmt.Errorf("moderation: ban: %w", err)
	}
	return b, s.changed(ctx)
}

// printable reports valid UTF-8 without control characters, as a comment's
// author must be: a banned name or a listed word holding one would hardly ever
// match, and PostgreSQL refuses a NUL that SQLite would store.
func printable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl)
}

// DeleteBan lifts a ban.
func (s *Service) DeleteBan(ctx context.Context, actor models.Principal, id int64) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	if err := s.store.DeleteBan(ctx, id, &models.AuditEntry{Actor: actor.Name, Action: "ban.delete", Detail: fmt.Sprint(id)}); err != nil {
		return fmt.Errorf("moderation: delete ban: %w", err)
	}
	return s.changed(ctx)
}

// Audit lists audit entries, newest first.
func (s *Service) Audit(ctx context.Context, f models.AuditFilter) ([]models.AuditEntry, string, error) {
	f.Limit = clampLimit(f.Limit)
	es, next, err := s.store.ListAudit(ctx, f)
	if err != nil {
		return nil, "", fmt.Errorf("moderation: audit: %w", err)
	}
	return es, next, nil
}

// changed reloads the policy here and tells other instances.
func (s *Service) changed(ctx context.Context) error {
	if err := s.ReloadPolicy(ctx); err != nil {
		return err
	}
	s.publish(ctx, models.Event{Type: "policy.changed"})
	return nil
}
