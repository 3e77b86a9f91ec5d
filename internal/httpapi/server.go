// Package httpapi is commentd's HTTP layer and the only package that imports Gin.
// routes.go lists every route; errors.go maps domain errors to HTTP statuses.
package httpapi

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/commentd/commentd/models"
)

// CommentService is what the public handlers call.
type CommentService interface {
	Submit(ctx context.Context, in models.NewComment) (models.Comment, error)
	ListApproved(ctx context.Context, post, cursor string, limit int) (models.Page, error)
	Counts(ctx context.Context, posts []string) (map[string]int, error)
}

// ModerationService is what the moderation handlers call.
type ModerationService interface {
	Queue(ctx context.Context, status models.Status, cursor string, limit int) (models.Page, error)
	QueueCounts(ctx context.Context) (map[models.Status]int, error)
	Approve(ctx context.Context, id int64, expect models.Status) (models.Comment, error)
	MarkSpam(ctx context.Context, id int64, expect models.Status) (models.Comment, error)
	Trash(ctx context.Context, id int64, expect models.Status) (models.Comment, error)
	Delete(ctx context.Context, id int64) error
}

// Limiter spends one unit of a key's budget; over the limit it returns a *models.RateLimitError.
type Limiter interface {
	Allow(ctx context.Context, key string) error
}

// Readiness reports the state of each dependency; an error fails /readyz.
type Readiness func(ctx context.Context) (map[string]string, error)

// Options are the HTTP settings taken from the config.
type Options struct {
	TrustedProxies []string // CIDRs whose X-Forwarded-For is believed
	AllowedOrigins []string // CORS and form redirect origins
	MaxBodyBytes   int64
	HoneypotField  string
	AdminToken     string // empty: the moderation API refuses everyone
}

// Deps are the services the handlers need.
type Deps struct {
	Comments    CommentService
	Moderation  ModerationService
	ReadLimiter Limiter
	Ready       Readiness
	Logger      *slog.Logger
	Options     Options
}

// handler holds the dependencies of every handler.
type handler struct {
	Deps
	origins    map[string]bool
	adminToken [32]byte
}

// New builds the HTTP handler with every route.
func New(d Deps) (*gin.Engine, error) {
	h := &handler{Deps: d, origins: map[string]bool{}}
	for _, o := range d.Options.AllowedOrigins {
		h.origins[normalizeOrigin(o)] = true
	}
	if d.Options.AdminToken != "" {
		h.adminToken = sha256.Sum256([]byte(d.Options.AdminToken))
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	if err := e.SetTrustedProxies(d.Options.TrustedProxies); err != nil {
		return nil, fmt.Errorf("httpapi: trusted proxies: %w", err)
	}
	e.RemoteIPHeaders = []string{"X-Forwarded-For", "X-Real-IP"}
	e.Use(h.requestLog, h.recover)
	h.routes(e)
	return e, nil
}

// normalizeOrigin lowercases scheme and host and drops a trailing slash.
func normalizeOrigin(o string) string {
	u, err := url.Parse(strings.TrimSpace(o))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
}
