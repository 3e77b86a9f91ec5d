package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/commentd/commentd/models"
)

// KeyStore keeps the sites' API keys to the Akismet-compatible API.
type KeyStore interface {
	// CreateAPIKey sets k.ID; models.ErrConflict when the hash is taken.
	CreateAPIKey(ctx context.Context, k *models.APIKey, audit *models.AuditEntry) error
	// APIKeyByHash finds an unrevoked key; models.ErrNotFound.
	APIKeyByHash(ctx context.Context, hash []byte) (models.APIKey, error)
	// ListAPIKeys lists every key, revoked ones included.
	ListAPIKeys(ctx context.Context) ([]models.APIKey, error)
	// RevokeAPIKey: models.ErrNotFound, or models.ErrConflict when already revoked.
	RevokeAPIKey(ctx context.Context, id int64, at time.Time, audit *models.AuditEntry) error
}

// KeyLength is the length of a site's API key: 12 lowercase hex digits (48
// bits), the only form the WordPress Akismet plugin accepts. Guessing one
// online takes on the order of 10^14 requests per key.
const KeyLength = 12

// CreateAPIKey issues an API key for the site at siteURL (its front page, an
// http or https URL) and returns it in clear, the only time it is shown.
// Errors: *models.ValidationError for a bad URL.
func (s *Service) CreateAPIKey(ctx context.Context, actor, siteURL string) (string, models.APIKey, error) {
	site, err := checkSite(siteURL)
	if err != nil {
		return "", models.APIKey{}, fmt.Errorf("account: api key: %w", err)
	}
	for attempt := 0; ; attempt++ {
		key := newKey()
		sum := sha256.Sum256([]byte(key))
		k := models.APIKey{Site: site, Hash: sum[:], CreatedBy: actor, CreatedAt: s.now().UTC()}
		err := s.store.CreateAPIKey(ctx, &k, &models.AuditEntry{Actor: actor, Action: "apikey.create", Detail: site})
		if errors.Is(err, models.ErrConflict) && attempt < 3 {
			continue // another key drew the same 48 bits
		}
		if err != nil {
			return "", models.APIKey{}, fmt.Errorf("account: api key: %w", err)
		}
		return key, k, nil
	}
}

// APIKeys lists every site key, revoked ones included, oldest first.
func (s *Service) APIKeys(ctx context.Context) ([]models.APIKey, error) {
	return s.store.ListAPIKeys(ctx)
}

// RevokeAPIKey revokes a site key by id. Errors: models.ErrNotFound;
// models.ErrConflict when it is revoked already.
func (s *Service) RevokeAPIKey(ctx context.Context, actor string, id int64) error {
	err := s.store.RevokeAPIKey(ctx, id, s.now().UTC(), &models.AuditEntry{Actor: actor, Action: "apikey.revoke", Detail: fmt.Sprint(id)})
	if err != nil {
		return fmt.Errorf("account: revoke api key %d: %w", id, err)
	}
	return nil
}

// SiteKey resolves the API key a site sent from the client address ip; blog,
// when not empty, is the front page the request names and must be the key's
// site (same host, ignoring case, a port of the scheme's default and a leading
// "www."). Wrong keys are throttled per ip as login attempts are, except that
// only failures spend the budget: while ip is over it, every key it sends is
// refused unchecked, so that a guesser learns nothing until it refills, and a
// site whose key is right is never counted. Keys are never compared: the
// SHA-256 of the one sent is looked up, so timing says nothing about stored
// keys. Errors: models.ErrUnauthorized for a malformed, unknown or revoked key;
// models.ErrForbidden when blog is another site (the key is right: not a
// failure); a *models.RateLimitError while ip is over its budget.
func (s *Service) SiteKey(ctx context.Context, key, blog, ip string) (models.APIKey, error) {
	return throttled(ctx, s.opts.KeyFailures, &s.keys, ip, "api key", func() (models.APIKey, error) {
		return s.siteKey(ctx, key, blog)
	})
}

// siteKey is SiteKey without the throttle.
func (s *Service) siteKey(ctx context.Context, key, blog string) (models.APIKey, error) {
	key = strings.ToLower(strings.TrimSpace(key))
	if !IsKeyForm(key) {
		return models.APIKey{}, models.ErrUnauthorized
	}
	sum := sha256.Sum256([]byte(key))
	k, err := s.store.APIKeyByHash(ctx, sum[:])
	if errors.Is(err, models.ErrNotFound) {
		return models.APIKey{}, models.ErrUnauthorized
	}
	if err != nil {
		return models.APIKey{}, fmt.Errorf("account: api key: %w", err)
	}
	if blog != "" && siteHost(blog) != siteHost(k.Site) {
		return models.APIKey{}, fmt.Errorf("the key is for %s, not %s: %w", k.Site, blog, models.ErrForbidden)
	}
	return k, nil
}

// IsKeyForm reports whether s looks like an API key: KeyLength hex digits.
func IsKeyForm(s string) bool {
	if len(s) != KeyLength {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

func newKey() string {
	b := make([]byte, KeyLength/2)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// checkSite validates a site's front page URL and returns it trimmed.
func checkSite(s string) (string, error) {
	s = strings.TrimSpace(s)
	v := &models.ValidationError{}
	u, err := url.Parse(s)
	switch {
	case s == "":
		v.Add("site", "required")
	case len(s) > 2048:
		v.Add("site", "too_long")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil:
		v.Add("site", "invalid_url")
	}
	return s, v.Err()
}

// siteHost is the host a site URL names, as keys compare sites: lower case,
// without a default port or a leading "www.". A bare host ("blog.example.org")
// counts as one too.
func siteHost(s string) string {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	if p := u.Port(); p != "" && !(p == "80" && u.Scheme == "http") && !(p == "443" && u.Scheme == "https") {
		host += ":" + p
	}
	return strings.TrimPrefix(host, "www.")
}
