package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/commentd/commentd/internal/config"
	"github.com/commentd/commentd/internal/metrics"
	"github.com/commentd/commentd/internal/ratelimit"
)

// queueMetricsTTL is how long the queue and outbox gauges reuse one database count.
const queueMetricsTTL = 5 * time.Second

// watchMetrics registers the gauges read at scrape time: the queue, the model,
// where rate limiting happens and, with webhooks, the outbox.
func (a *app) watchMetrics() {
	a.metrics.WatchQueue(a.service.QueueCounts, queueMetricsTTL)
	if a.webhooks != nil {
		a.metrics.WatchOutbox(a.store.PendingWebhookEvents, queueMetricsTTL)
	}
	a.metrics.WatchModel(func() metrics.ModelStats {
		st := a.filter.Stats()
		return metrics.ModelStats{HamDocs: st.HamDocs, SpamDocs: st.SpamDocs, Vocabulary: st.Vocabulary, MemoryBytes: st.MemoryBytes}
	})
	a.metrics.WatchLimiter(a.limiter.State, ratelimit.StateRedis, ratelimit.StateFallback, ratelimit.StateDisabled)
}

// mainMetricsHandler is /metrics on the main listener, or nil when metrics_addr
// moves it to a listener of its own.
func mainMetricsHandler(cfg *config.Config, m *metrics.Metrics) http.Handler {
	if cfg.MetricsAddr != "" {
		return nil
	}
	return m.Handler(cfg.MetricsToken)
}

// startMetrics serves /metrics on metrics_addr when it is set and returns the
// function that stops that server. It warns when /metrics is open to whoever
// reaches a non-loopback addr.
func (a *app) startMetrics(cfg *config.Config, logger *slog.Logger) (stop func(context.Context), err error) {
	if cfg.MetricsAddr == "" {
		if cfg.MetricsToken == "" && !loopback(cfg.Addr) {
			logger.Warn("/metrics is open on a non-loopback addr; set metrics_token, or metrics_addr on a private interface",
				slog.String("addr", cfg.Addr))
		}
		return func(context.Context) {}, nil
	}
	ln, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (COMMENTD_METRICS_ADDR): %w", cfg.MetricsAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.metrics.Handler(cfg.MetricsToken))
	srv := &http.Server{
		Handler: mux, ReadHeaderTimeout: cfg.ReadHeaderTimeout, ReadTimeout: cfg.ReadTimeout,
		WriteTimeout: cfg.WriteTimeout, IdleTimeout: cfg.IdleTimeout, MaxHeaderBytes: 16 << 10,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("metrics listening", slog.String("addr", ln.Addr().String()))
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("metrics server stopped", slog.Any("err", err))
		}
	}()
	return func(ctx context.Context) {
		if err := srv.Shutdown(ctx); err != nil {
			logger.Warn("metrics shutdown", slog.Any("err", err))
		}
	}, nil
}

// loopback reports whether a host:port listens on a loopback address only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
