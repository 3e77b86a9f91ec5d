// Package account manages moderator accounts, their console sessions and API
// tokens, and turns credentials into a models.Principal.
package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/commentd/commentd/models"
)

// Store is the persistence accounts need.
type Store interface {
	// CreateModerator sets m.ID; models.ErrConflict when the name is taken.
	CreateModerator(ctx context.Context, m *models.Moderator, audit *models.AuditEntry) error
	// GetModeratorByName is case-insensitive; models.ErrNotFound.
	GetModeratorByName(ctx context.Context, name string) (models.Moderator, error)
	// ListModerators returns every account.
	ListModerators(ctx context.Context) ([]models.Moderator, error)
	// UpdateModerator saves role and password hash; models.ErrNotFound.
	UpdateModerator(ctx context.Context, m models.Moderator, audit *models.AuditEntry) error
	// DeleteModerator removes the account, its sessions and tokens; models.ErrNotFound.
	DeleteModerator(ctx context.Context, id int64, audit *models.AuditEntry) error
	// CreateAPIToken sets t.ID.
	CreateAPIToken(ctx context.Context, t *models.APIToken, audit *models.AuditEntry) error
	// APITokenByHash finds an unrevoked token; models.ErrNotFound.
	APITokenByHash(ctx context.Context, hash []byte) (models.APIToken, models.Moderator, error)
	// ListAPITokens lists a moderator's tokens (0: everyone's).
	ListAPITokens(ctx context.Context, moderatorID int64) ([]models.APIToken, error)
	// RevokeAPIToken: models.ErrNotFound, or models.ErrConflict when already revoked.
	RevokeAPIToken(ctx context.Context, id int64, at time.Time, audit *models.AuditEntry) error
	// CreateSession stores a login.
	CreateSession(ctx context.Context, s models.Session) error
	// SessionByID: models.ErrNotFound.
	SessionByID(ctx context.Context, id []byte) (models.Session, models.Moderator, error)
	// TouchSession records activity.
	TouchSession(ctx context.Context, id []byte, at time.Time) error
	// DeleteSession ends a login.
	DeleteSession(ctx context.Context, id []byte) error
	KeyStore // apikey.go
}

// Limiter spends one unit of a key's budget; over it, a *models.RateLimitError.
type Limiter interface {
	Allow(ctx context.Context, key string) error
}

// FailureLimiter throttles failed attempts: Check looks at a key's budget
// without spending it, Allow spends one unit on a failure. Over the budget,
// both return a *models.RateLimitError.
type FailureLimiter interface {
	Check(ctx context.Context, key string) error
	Allow(ctx context.Context, key string) error
}

// Options tune sessions and site keys.
type Options struct {
	BootstrapToken string        // COMMENTD_ADMIN_TOKEN; empty: none
	SessionIdle    time.Duration // a session unused this long ends
	SessionMax     time.Duration // a session ends this long after login, used or not
	PasswordCost   int           // bcrypt cost; 0: bcrypt.DefaultCost

	// KeyFailures throttles wrong site keys per client IP (keys "ip:…"); nil: no throttle.
	KeyFailures FailureLimiter
	// BearerFailures throttles wrong bearer tokens per client IP (keys "ip:…"); nil: no throttle.
	BearerFailures FailureLimiter
}

// Service is the account use cases. Build it with New.
type Service struct {
	store     Store
	limiter   Limiter
	opts      Options
	bootstrap [32]byte
	dummy     []byte  // a hash to compare against when the account does not exist
	keys      keyGate // wrong site keys, one check per address at a time
	bearers   keyGate // wrong bearer tokens, likewise
	now       func() time.Time
}

// New returns the account service. limiter throttles login attempts (keys "ip:…", "account:…").
func New(store Store, limiter Limiter, opts Options) *Service {
	s := &Service{store: store, limiter: limiter, opts: opts, now: time.Now}
	if opts.BootstrapToken != "" {
		s.bootstrap = sha256.Sum256([]byte(opts.BootstrapToken))
	}
	if s.opts.PasswordCost == 0 {
		s.opts.PasswordCost = bcrypt.DefaultCost
	}
	s.dummy, _ = bcrypt.GenerateFromPassword([]byte("commentd-no-such-account"), s.opts.PasswordCost)
	return s
}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// tokenPrefix marks commentd API tokens so they are recognisable in secret scanners.
const tokenPrefix = "cmdt_"

// ValidateNew checks a new account's name, role and password.
func ValidateNew(name string, role models.Role, password string) error {
	v := &models.ValidationError{}
	switch {
	case strings.TrimSpace(name) == "":
		v.Add("name", "required")
	case utf8.RuneCountInString(name) > 64:
		v.Add("name", "too_long")
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x21 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == '/' || r == '\\' }):
		v.Add("name", "invalid")
	}
	if !role.Valid() {
		v.Add("role", "invalid")
	}
	if err := checkPassword(password); err != "" {
		v.Add("password", err)
	}
	return v.Err()
}

func checkPassword(p string) string {
	switch {
	case utf8.RuneCountInString(p) < MinPasswordLength:
		return "too_short"
	case len(p) > 72: // bcrypt's limit
		return "too_long"
	case !utf8.ValidString(p):
		return "invalid_utf8"
	}
	return ""
}

// CreateModerator creates an account with a bcrypt-hashed password.
func (s *Service) CreateModerator(ctx context.Context, actor, name string, role models.Role, password string) (models.Moderator, error) {
	if err := ValidateNew(name, role, password); err != nil {
		return models.Moderator{}, fmt.Errorf("account: create: %w", err)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.opts.PasswordCost)
	if err != nil {
		return models.Moderator{}, fmt.Errorf("account: hash: %w", err)
	}
	m := models.Moderator{Name: name, Role: role, PasswordHash: string(hash), CreatedAt: s.now().UTC()}
	audit := &models.AuditEntry{Actor: actor, Action: "moderator.add", Detail: name + " (" + string(role) + ")"}
	if err := s.store.CreateModerator(ctx, &m, audit); err != nil {
		return models.Moderator{}, fmt.Errorf("account: create %q: %w", name, err)
	}
	return m, nil
}

// SetPassword replaces an account's password.
func (s *Service) SetPassword(ctx context.Context, actor, name, password string) error {
	if e := checkPassword(password); e != "" {
		v := &models.ValidationError{}
		v.Add("password", e)
		return v
	}
	m, err := s.store.GetModeratorByName(ctx, name)
	if err != nil {
		return fmt.Errorf("account: %q: %w", name, err)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.opts.PasswordCost)
	if err != nil {
		return fmt.Errorf("account: hash: %w", err)
	}
	m.PasswordHash = string(hash)
	return s.store.UpdateModerator(ctx, m, &models.AuditEntry{Actor: actor, Action: "moderator.password", Detail: name})
}

// List returns every account.
func (s *Service) List(ctx context.Context) ([]models.Moderator, error) {
	return s.store.ListModerators(ctx)
}

// Delete removes an account with its sessions and tokens.
func (s *Service) Delete(ctx context.Context, actor, name string) error {
	m, err := s.store.GetModeratorByName(ctx, name)
	if err != nil {
		return fmt.Errorf("account: %q: %w", name, err)
	}
	return s.store.DeleteModerator(ctx, m.ID, &models.AuditEntry{Actor: actor, Action: "moderator.delete", Detail: name})
}

// MaxTokenLabel is the longest label an API token may have, in characters.
const MaxTokenLabel = 100

// IssueToken creates an API token for an account and returns it in clear, the
// only time it is shown. The label is one line of at most MaxTokenLabel
// characters (a *models.ValidationError on field "name" otherwise).
func (s *Service) IssueToken(ctx context.Context, actor, name, label string) (string, models.APIToken, error) {
	v := &models.ValidationError{}
	if !models.CheckLine(v, "name", label, MaxTokenLabel, false) {
		return "", models.APIToken{}, fmt.Errorf("account: token label: %w", v)
	}
	m, err := s.store.GetModeratorByName(ctx, name)
	if err != nil {
		return "", models.APIToken{}, fmt.Errorf("account: %q: %w", name, err)
	}
	secret := tokenPrefix + randomString(32)
	sum := sha256.Sum256([]byte(secret))
	t := models.APIToken{ModeratorID: m.ID, Name: label, Hash: sum[:], CreatedAt: s.now().UTC()}
	if err := s.store.CreateAPIToken(ctx, &t, &models.AuditEntry{Actor: actor, Action: "token.issue", Detail: name + ": " + label}); err != nil {
		return "", models.APIToken{}, fmt.Errorf("account: token: %w", err)
	}
	return secret, t, nil
}

// RevokeToken revokes an API token by id.
func (s *Service) RevokeToken(ctx context.Context, actor string, id int64) error {
	return s.store.RevokeAPIToken(ctx, id, s.now().UTC(), &models.AuditEntry{Actor: actor, Action: "token.revoke", Detail: fmt.Sprint(id)})
}

// Tokens lists API tokens (0: everyone's).
func (s *Service) Tokens(ctx context.Context, moderatorID int64) ([]models.APIToken, error) {
	return s.store.ListAPITokens(ctx, moderatorID)
}

// BearerPrincipal resolves a bearer token sent from the client address ip:
// the bootstrap token (constant-time compare of hashes) or an API token (its
// hash looked up). Wrong tokens are throttled per ip as wrong site keys are
// (see SiteKey): only failures spend the budget, and while ip is over it every
// token it sends is refused unchecked; an empty token is no guess and is not
// counted. Errors: models.ErrUnauthorized for an empty, wrong or revoked
// token; a *models.RateLimitError while ip is over its budget.
func (s *Service) BearerPrincipal(ctx context.Context, token, ip string) (models.Principal, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return models.Principal{}, models.ErrUnauthorized
	}
	return throttled(ctx, s.opts.BearerFailures, &s.bearers, ip, "bearer token", func() (models.Principal, error) {
		return s.bearerPrincipal(ctx, token)
	})
}

// bearerPrincipal is BearerPrincipal without the throttle, for a token not empty.
func (s *Service) bearerPrincipal(ctx context.Context, token string) (models.Principal, error) {
	sum := sha256.Sum256([]byte(token))
	if s.opts.BootstrapToken != "" && subtle.ConstantTimeCompare(sum[:], s.bootstrap[:]) == 1 {
		return models.Principal{Name: "admin-token", Role: models.RoleAdmin, Via: "bootstrap"}, nil
	}
	if !strings.HasPrefix(token, tokenPrefix) {
		return models.Principal{}, models.ErrUnauthorized
	}
	_, m, err := s.store.APITokenByHash(ctx, sum[:])
	if errors.Is(err, models.ErrNotFound) {
		return models.Principal{}, models.ErrUnauthorized
	}
	if err != nil {
		return models.Principal{}, fmt.Errorf("account: token: %w", err)
	}
	return models.Principal{ModeratorID: m.ID, Name: m.Name, Role: m.Role, Via: "token"}, nil
}

// randomString returns n random bytes, base64url-encoded.
func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
