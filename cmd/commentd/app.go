package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/commentd/commentd/internal/config"
	"github.com/commentd/commentd/internal/httpapi"
	"github.com/commentd/commentd/internal/moderation"
	"github.com/commentd/commentd/internal/ratelimit"
	"github.com/commentd/commentd/internal/spam"
	"github.com/commentd/commentd/internal/storage/sqlite"
	"github.com/commentd/commentd/models"
)

// app is the wired service: what serve runs and what the end-to-end tests drive.
type app struct {
	handler http.Handler
	store   *sqlite.Store
	filter  *spam.Filter
	limiter *ratelimit.Fallback
	service *moderation.Service
	closers []func()
}

// build opens the store, loads the filter, connects the limiter and builds the HTTP handler.
func build(ctx context.Context, cfg *config.Config, logger *slog.Logger) (a *app, err error) {
	a = &app{}
	defer func() {
		if err != nil {
			a.close()
		}
	}()
	path, _ := cfg.SQLitePath()
	if a.store, err = sqlite.Open(ctx, path); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	a.closers = append(a.closers, func() { a.store.Close() })
	if a.filter, err = spam.OpenFilter(ctx, a.store, cfg.SnapshotEvery, logger); err != nil {
		return nil, fmt.Errorf("load filter: %w", err)
	}
	if a.limiter, err = newLimiter(cfg, logger, &a.closers); err != nil {
		return nil, err
	}
	postLimit := ratelimit.Limit{Rate: cfg.PostRate, Burst: cfg.PostBurst, Period: cfg.PostPeriod}
	readLimit := ratelimit.Limit{Rate: cfg.ReadRate, Burst: cfg.ReadBurst, Period: cfg.ReadPeriod}
	a.service = moderation.New(a.store, a.filter, a.limiter.Rule("post", postLimit), policyOf(cfg), logger)
	a.handler, err = httpapi.New(httpapi.Deps{
		Comments:    a.service,
		Moderation:  a.service,
		ReadLimiter: a.limiter.Rule("read", readLimit),
		Ready:       readiness(a.store, a.limiter),
		Logger:      logger,
		Options: httpapi.Options{
			TrustedProxies: cfg.TrustedProxies, AllowedOrigins: cfg.AllowedOrigins,
			MaxBodyBytes: cfg.MaxBodyBytes, HoneypotField: cfg.HoneypotField, AdminToken: cfg.AdminToken,
		},
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// close releases what build opened, last first.
func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
	a.closers = nil
}

// newLimiter builds the rate limiter: Redis when configured, the in-process one otherwise
// and whenever Redis is down.
func newLimiter(cfg *config.Config, logger *slog.Logger, closers *[]func()) (*ratelimit.Fallback, error) {
	local := ratelimit.NewLocal(nil)
	if cfg.RedisURL == "" {
		return ratelimit.NewFallback(nil, local, logger, 2*time.Second), nil
	}
	opt, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("config: redis_url (COMMENTD_REDIS_URL): %w", err)
	}
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = cfg.RedisTimeout, cfg.RedisTimeout, cfg.RedisTimeout
	opt.MaxRetries = -1 // a retry would blow the timeout; the fallback answers instead
	opt.ContextTimeoutEnabled = true
	client := redis.NewClient(opt)
	r := ratelimit.NewRedis(client, cfg.RedisKeyPrefix+"rl:", cfg.RedisTimeout)
	*closers = append(*closers, func() { client.Close() })
	return ratelimit.NewFallback(r, local, logger, 2*time.Second), nil
}

func policyOf(cfg *config.Config) *moderation.Policy {
	limits := models.DefaultLimits
	limits.Text = cfg.MaxTextLength
	return &moderation.Policy{
		HamThreshold: cfg.HamThreshold, SpamThreshold: cfg.SpamThreshold, MaxLinks: cfg.MaxLinks,
		BlockedWords: cfg.BlockedWords, HeldWords: cfg.HeldWords, DuplicateWindow: cfg.DuplicateWindow,
		Limits: limits, CountLinks: spam.CountLinks, TopTokens: 10,
	}
}

// readiness checks the database and reports the limiter's state.
func readiness(store *sqlite.Store, limiter *ratelimit.Fallback) httpapi.Readiness {
	return func(ctx context.Context) (map[string]string, error) {
		checks := map[string]string{"database": "ok", "redis": limiter.State()}
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if err := store.Ping(ctx); err != nil {
			checks["database"] = "unreachable"
			return checks, fmt.Errorf("database: %w", err)
		}
		return checks, nil
	}
}
