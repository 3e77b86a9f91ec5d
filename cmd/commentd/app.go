package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/commentd/commentd/internal/account"
	"github.com/commentd/commentd/internal/config"
	"github.com/commentd/commentd/internal/httpapi"
	"github.com/commentd/commentd/internal/live"
	"github.com/commentd/commentd/internal/metrics"
	"github.com/commentd/commentd/internal/moderation"
	"github.com/commentd/commentd/internal/ratelimit"
	"github.com/commentd/commentd/internal/spam"
	"github.com/commentd/commentd/internal/storage/postgres"
	"github.com/commentd/commentd/internal/storage/sqlite"
	"github.com/commentd/commentd/internal/webhook"
	"github.com/commentd/commentd/models"
)

// app is the wired service: what serve runs and what the end-to-end tests drive.
type app struct {
	handler  http.Handler
	store    store
	filter   *spam.Filter
	limiter  *ratelimit.Fallback
	broker   *live.Broker
	service  *moderation.Service
	accounts *account.Service
	metrics  *metrics.Metrics
	webhooks *webhook.Dispatcher // nil: no webhooks configured (sites.go)
	closers  []func()

	endStreams func() // ends the console's event streams, so that a shutdown need not wait for them
}

// store is what build wires to the database: either engine.
type store interface {
	moderation.Store
	account.Store
	spam.EventStore
	outboxStore
	Ping(ctx context.Context) error
	Close() error
}

// openStore opens the configured database: PostgreSQL for a postgres:// URL,
// else the SQLite file.
func openStore(ctx context.Context, cfg *config.Config) (store, error) {
	if cfg.DatabaseEngine() == config.EnginePostgres {
		s, err := postgres.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, fmt.Errorf("open database: %w", err)
		}
		return s, nil
	}
	path, _ := cfg.SQLitePath()
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return s, nil
}

// build opens the store, loads the filter and the policy, connects Redis and
// builds the HTTP handler, in that order.
func build(ctx context.Context, cfg *config.Config, logger *slog.Logger) (a *app, err error) {
	a = &app{metrics: metrics.New(logger)}
	defer func() {
		if err != nil {
			a.close()
		}
	}()
	if a.store, err = openStore(ctx, cfg); err != nil {
		return nil, err
	}
	a.closers = append(a.closers, func() { a.store.Close() })
	a.setupWebhooks(cfg, logger)
	if a.filter, err = spam.OpenFilter(ctx, a.store, cfg.SnapshotEvery, logger); err != nil {
		return nil, fmt.Errorf("load filter: %w", err)
	}
	rdb, err := newRedis(cfg)
	if err != nil {
		return nil, err
	}
	var r *ratelimit.Redis
	if rdb != nil {
		redis.SetLogger(redisLog{logger}) // go-redis's own messages, into our log (redislog.go)
		a.closers = append(a.closers, func() { rdb.Close() })
		r = ratelimit.NewRedis(rdb, cfg.RedisKeyPrefix+"rl:", cfg.RedisTimeout)
	}
	a.limiter = ratelimit.NewFallback(r, ratelimit.NewLocal(nil), logger, 2*time.Second)
	a.broker = live.New(rdb, cfg.RedisKeyPrefix+"events", logger, a.onRemoteEvent)

	postLimit := ratelimit.Limit{Rate: cfg.PostRate, Burst: cfg.PostBurst, Period: cfg.PostPeriod}
	a.service = moderation.New(a.store, a.filter, a.metrics.Limiter("post", a.limiter.Rule("post", postLimit)), a.broker,
		policyOf(cfg), logger, moderation.WithObserver(a.metrics))
	if err := a.service.ReloadPolicy(ctx); err != nil {
		return nil, fmt.Errorf("load policy: %w", err)
	}
	loginLimit := ratelimit.Limit{Rate: cfg.LoginRate, Burst: cfg.LoginBurst, Period: cfg.LoginPeriod}
	keyLimit := ratelimit.Limit{Rate: cfg.APIKeyFailureRate, Burst: cfg.APIKeyFailureBurst, Period: cfg.APIKeyFailurePeriod}
	authLimit := ratelimit.Limit{Rate: cfg.AuthFailureRate, Burst: cfg.AuthFailureBurst, Period: cfg.AuthFailurePeriod}
	a.accounts = account.New(a.store, a.metrics.Limiter("login", a.limiter.Rule("login", loginLimit)), account.Options{
		BootstrapToken: cfg.AdminToken, SessionIdle: cfg.SessionIdle, SessionMax: cfg.SessionMax,
		PasswordCost:   cfg.PasswordCost,
		KeyFailures:    a.metrics.FailureLimiter("apikey", a.limiter.Rule("apikey", keyLimit)),
		BearerFailures: a.metrics.FailureLimiter("auth", a.limiter.Rule("auth", authLimit)),
	})

	readLimit := ratelimit.Limit{Rate: cfg.ReadRate, Burst: cfg.ReadBurst, Period: cfg.ReadPeriod}
	stop := make(chan struct{})
	a.endStreams = sync.OnceFunc(func() { close(stop) })
	a.watchMetrics()
	a.handler, err = httpapi.New(httpapi.Deps{
		Comments:    a.service,
		Moderation:  a.service,
		Accounts:    a.accounts,
		Akismet:     a.service,
		SiteKeys:    a.accounts,
		Events:      a.broker,
		ReadLimiter: a.metrics.Limiter("read", a.limiter.Rule("read", readLimit)),
		Ready:       readiness(a.store, a.limiter, a.filter),
		Logger:      logger,
		Options: httpapi.Options{
			TrustedProxies: cfg.TrustedProxies, AllowedOrigins: cfg.AllowedOrigins,
			MaxBodyBytes: cfg.MaxBodyBytes, HoneypotField: cfg.HoneypotField,
			CookieSecure: cfg.CookieSecure, SessionMax: cfg.SessionMax, Demo: cfg.Demo,
		},
		Metrics:        a.metrics,
		MetricsHandler: mainMetricsHandler(cfg, a.metrics),
		Stop:           stop,
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// runBackground starts the loops that keep this instance in step: the Redis
// probe, the training-log sync, the policy reload and the event relay, and
// the loops of sites.go.
func (a *app) runBackground(ctx context.Context) {
	go a.limiter.Run(ctx)
	go a.filter.Run(ctx, 2*time.Second)
	go a.service.Run(ctx, 5*time.Second)
	go a.broker.Run(ctx)
	a.runSiteLoops(ctx)
}

// onRemoteEvent reacts to another instance's news at once instead of at the next poll.
func (a *app) onRemoteEvent(e models.Event) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	switch e.Type {
	case "policy.changed":
		_ = a.service.ReloadPolicy(ctx)
	case "comment.decided":
		_ = a.filter.Sync(ctx)
	}
}

// close releases what build opened, last first.
func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
	a.closers = nil
}

// newRedis returns a client for redis_url, or nil when none is configured.
func newRedis(cfg *config.Config) (*redis.Client, error) {
	if cfg.RedisURL == "" {
		return nil, nil
	}
	opt, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("config: redis_url (COMMENTD_REDIS_URL): %w", err)
	}
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = cfg.RedisTimeout, cfg.RedisTimeout, cfg.RedisTimeout
	opt.MaxRetries = -1 // a retry would blow the timeout; the fallback answers instead
	opt.ContextTimeoutEnabled = true
	return redis.NewClient(opt), nil
}

func policyOf(cfg *config.Config) *moderation.Policy {
	limits := models.DefaultLimits
	limits.Text = cfg.MaxTextLength
	return &moderation.Policy{
		HamThreshold: cfg.HamThreshold, SpamThreshold: cfg.SpamThreshold, MaxLinks: cfg.MaxLinks,
		BlockedWords: cfg.BlockedWords, HeldWords: cfg.HeldWords, DuplicateWindow: cfg.DuplicateWindow,
		DiscardAbove: cfg.DiscardAbove, TrustAfter: cfg.TrustAfter, HoldFirst: cfg.HoldFirst, RefuseBanned: cfg.RefuseBanned,
		Limits: limits, CountLinks: spam.CountLinks, TopTokens: 10,
	}
}

// readiness checks the database and reports the limiter's state and the model's size.
func readiness(store store, limiter *ratelimit.Fallback, filter *spam.Filter) httpapi.Readiness {
	return func(ctx context.Context) (map[string]string, error) {
		st := filter.Stats()
		checks := map[string]string{"database": "ok", "redis": limiter.State(),
			"model": fmt.Sprintf("%d ham / %d spam documents, %d tokens", st.HamDocs, st.SpamDocs, st.Vocabulary)}
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if err := store.Ping(ctx); err != nil {
			checks["database"] = "unreachable"
			return checks, fmt.Errorf("database: %w", err)
		}
		return checks, nil
	}
}
