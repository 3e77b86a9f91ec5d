package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"

	"github.com/commentd/commentd/internal/config"
)

// serve wires everything in reading order and runs the HTTP server until ctx ends.
func serve(ctx context.Context, args []string, getenv config.Getenv, stderr io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("serve takes no arguments (configure with COMMENTD_* or the YAML file)")
	}
	cfg, err := config.Load(getenv, defaultConfigPath)
	if err != nil {
		return err
	}
	logs := newLogBuffer(stderr)
	defer logs.Close()
	logger := newLogger(cfg, logs)
	a, err := build(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer a.close()

	bg, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBackground()
	a.limiter.Probe(ctx) // the log line and /readyz below say where limits run from the start
	a.runBackground(bg)

	srv := &http.Server{
		Addr: cfg.Addr, Handler: a.handler,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout, ReadTimeout: cfg.ReadTimeout,
		WriteTimeout: cfg.WriteTimeout, IdleTimeout: cfg.IdleTimeout, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(a.endStreams) // an open console must not hold the shutdown to its timeout
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (COMMENTD_ADDR): %w", cfg.Addr, err)
	}
	logger.Info("listening", slog.String("addr", ln.Addr().String()), slog.String("database", config.RedactURL(cfg.DatabaseURL)),
		slog.String("limiter", a.limiter.State()))
	stopMetrics, err := a.startMetrics(cfg, logger)
	if err != nil {
		ln.Close()
		return err
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}

	logger.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Warn("shutdown", slog.Any("err", err))
	}
	stopMetrics(sctx)
	stopBackground()
	if err := a.filter.Snapshot(sctx); err != nil {
		logger.Warn("final model snapshot failed; the training log still has everything", slog.Any("err", err))
	}
	logger.Info("stopped")
	return nil
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
