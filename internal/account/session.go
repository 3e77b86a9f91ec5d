package account

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/commentd/commentd/models"
)

// Login checks a name and password, throttled per client IP and per account
// name whether or not the account exists, and starts a session. It returns the
// cookie value (shown only to the browser) and the session. A wrong name and a
// wrong password give the same models.ErrUnauthorized, in about the same time.
func (s *Service) Login(ctx context.Context, name, password, ip string) (string, models.Session, models.Moderator, error) {
	if err := s.limiter.Allow(ctx, "ip:"+models.ClientKey(ip)); err != nil {
		return "", models.Session{}, models.Moderator{}, fmt.Errorf("account: login: %w", err)
	}
	if err := s.limiter.Allow(ctx, "account:"+strings.ToLower(strings.TrimSpace(name))); err != nil {
		return "", models.Session{}, models.Moderator{}, fmt.Errorf("account: login: %w", err)
	}
	m, err := s.store.GetModeratorByName(ctx, strings.TrimSpace(name))
	hash := s.dummy
	switch {
	case err == nil:
		hash = []byte(m.PasswordHash)
	case errors.Is(err, models.ErrInvalid):
		// A name the store cannot even look up (a NUL byte on PostgreSQL) is no
		// account's: a wrong name, like any other.
	case !errors.Is(err, models.ErrNotFound):
		return "", models.Session{}, models.Moderator{}, fmt.Errorf("account: login: %w", err)
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || err != nil {
		return "", models.Session{}, models.Moderator{}, fmt.Errorf("account: login: %w", models.ErrUnauthorized)
	}
	cookie := randomString(32)
	id := sha256.Sum256([]byte(cookie))
	now := s.now().UTC()
	sess := models.Session{ID: id[:], ModeratorID: m.ID, CSRFToken: randomString(24), CreatedAt: now, LastSeenAt: now}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return "", models.Session{}, models.Moderator{}, fmt.Errorf("account: login: %w", err)
	}
	return cookie, sess, m, nil
}

// Session resolves a session cookie, enforcing idle and absolute expiry and
// recording activity. models.ErrUnauthorized when missing or expired.
func (s *Service) Session(ctx context.Context, cookie string) (models.Session, models.Principal, error) {
	if cookie == "" {
		return models.Session{}, models.Principal{}, models.ErrUnauthorized
	}
	id := sha256.Sum256([]byte(cookie))
	sess, m, err := s.store.SessionByID(ctx, id[:])
	if errors.Is(err, models.ErrNotFound) {
		return models.Session{}, models.Principal{}, models.ErrUnauthorized
	}
	if err != nil {
		return models.Session{}, models.Principal{}, fmt.Errorf("account: session: %w", err)
	}
	now := s.now().UTC()
	if now.Sub(sess.LastSeenAt) > s.opts.SessionIdle || now.Sub(sess.CreatedAt) > s.opts.SessionMax {
		_ = s.store.DeleteSession(ctx, id[:])
		return models.Session{}, models.Principal{}, models.ErrUnauthorized
	}
	if now.Sub(sess.LastSeenAt) > s.opts.SessionIdle/20 { // write at most every few minutes
		if err := s.store.TouchSession(ctx, id[:], now); err != nil {
			return models.Session{}, models.Principal{}, fmt.Errorf("account: session: %w", err)
		}
	}
	return sess, models.Principal{ModeratorID: m.ID, Name: m.Name, Role: m.Role, Via: "session"}, nil
}

// Logout ends the session of a cookie.
func (s *Service) Logout(ctx context.Context, cookie string) error {
	id := sha256.Sum256([]byte(cookie))
	return s.store.DeleteSession(ctx, id[:])
}
