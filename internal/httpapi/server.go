// Package httpapi is commentd's HTTP layer and the only package that imports Gin.
// routes.go lists every route; errors.go maps domain errors to HTTP statuses.
package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/commentd/commentd/internal/moderation"
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
	Queue(ctx context.Context, f models.QueueFilter) (moderation.QueuePage, error)
	QueueCounts(ctx context.Context) (map[models.Status]int, error)
	Decide(ctx context.Context, actor models.Principal, id int64, act moderation.Action, expect models.Status) (models.Comment, error)
	Bulk(ctx context.Context, actor models.Principal, act moderation.Action, ids []int64, expect models.Status) (moderation.BulkResult, error)
	BulkMatching(ctx context.Context, actor models.Principal, act moderation.Action, f models.QueueFilter) (moderation.BulkResult, error)
	Settings() models.Settings
	UpdateSettings(ctx context.Context, actor models.Principal, st models.Settings) (models.Settings, error)
	Words() []models.Word
	AddWord(ctx context.Context, actor models.Principal, kind models.WordKind, word string) (models.Word, error)
	DeleteWord(ctx context.Context, actor models.Principal, id int64) error
	Bans(ctx context.Context) ([]models.Ban, error)
	AddBan(ctx context.Context, actor models.Principal, kind models.BanKind, value, reason string, expires *time.Time) (models.Ban, error)
	DeleteBan(ctx context.Context, actor models.Principal, id int64) error
	Audit(ctx context.Context, f models.AuditFilter) ([]models.AuditEntry, string, error)
}

// AccountService is what login and account management call.
type AccountService interface {
	Login(ctx context.Context, name, password, ip string) (string, models.Session, models.Moderator, error)
	Session(ctx context.Context, cookie string) (models.Session, models.Principal, error)
	Logout(ctx context.Context, cookie string) error
	BearerPrincipal(ctx context.Context, token, ip string) (models.Principal, error)
	List(ctx context.Context) ([]models.Moderator, error)
	CreateModerator(ctx context.Context, actor, name string, role models.Role, password string) (models.Moderator, error)
	Delete(ctx context.Context, actor, name string) error
	IssueToken(ctx context.Context, actor, name, label string) (string, models.APIToken, error)
	RevokeToken(ctx context.Context, actor string, id int64) error
	Tokens(ctx context.Context, moderatorID int64) ([]models.APIToken, error)
}

// Events is the live feed of comment changes.
type Events interface {
	Subscribe(ctx context.Context) <-chan models.Event
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
	CookieSecure   bool          // mark the session cookie Secure (serve the console over HTTPS)
	SessionMax     time.Duration // the session cookie's lifetime
	Demo           bool          // serve /demo, an article with the widget
}

// Deps are the services the handlers need.
type Deps struct {
	Comments    CommentService
	Moderation  ModerationService
	Accounts    AccountService
	Events      Events
	ReadLimiter Limiter
	Ready       Readiness
	Logger      *slog.Logger
	Options     Options

	Metrics        Metrics      // counts every request; nil: none
	MetricsHandler http.Handler // serves GET /metrics here; nil: not on this listener (metrics_addr)

	Akismet  AkismetService // the Akismet-compatible API (akismet.go)
	SiteKeys SiteKeyService // the sites' API keys to it

	// Stop is closed when the server starts shutting down: the event streams
	// end then, since http.Server.Shutdown waits for every open request. nil:
	// they end only when their clients leave.
	Stop <-chan struct{}
}

// handler holds the dependencies of every handler.
type handler struct {
	Deps
	origins map[string]bool
	lists   *listCache // nil without an event feed to invalidate it
}

// New builds the HTTP handler with every route.
func New(d Deps) (*gin.Engine, error) {
	h := &handler{Deps: d, origins: map[string]bool{}}
	if d.Events != nil {
		h.lists = newListCache()
		go h.lists.follow(context.Background(), d.Events) // for the life of the process
		if d.Moderation != nil {
			h.Moderation = invalidating{ModerationService: d.Moderation, lists: h.lists}
		}
	}
	for _, o := range d.Options.AllowedOrigins {
		h.origins[normalizeOrigin(o)] = true
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
