package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/commentd/commentd/internal/config"
	"github.com/commentd/commentd/internal/webhook"
)

// The wiring of what commentd does for other sites: the webhook outbox and its
// dispatcher, and the pruning of the Akismet-compatible API's spam checks.

// outboxStore is the store's side of the webhooks.
type outboxStore interface {
	webhook.Store
	// RecordWebhookEvents makes every comment change write its events in its transaction.
	RecordWebhookEvents(on bool)
	// PendingWebhookEvents counts the events not delivered yet, for the metrics.
	PendingWebhookEvents(ctx context.Context) (int, error)
}

// setupWebhooks turns the outbox on and builds the dispatcher when webhooks
// are configured; otherwise a.webhooks stays nil and nothing is recorded.
func (a *app) setupWebhooks(cfg *config.Config, logger *slog.Logger) {
	if len(cfg.Webhooks) == 0 {
		return
	}
	a.store.RecordWebhookEvents(true)
	a.webhooks = webhook.New(a.store, webhook.Options{
		Endpoints: cfg.Webhooks, Secret: cfg.WebhookSecret, Timeout: cfg.WebhookTimeout,
		Backoff: cfg.WebhookBackoff, RetryFor: cfg.WebhookRetryFor, Observer: a.metrics,
	}, logger)
	a.closers = append(a.closers, a.webhooks.Close) // before the store closes
}

// runSiteLoops starts the webhook dispatcher, woken by every live event so
// that deliveries leave at once, and the hourly pruning of spam checks.
func (a *app) runSiteLoops(ctx context.Context) {
	go a.service.PruneChecks(ctx, time.Hour)
	if a.webhooks == nil {
		return
	}
	go a.webhooks.Run(ctx)
	events := a.broker.Subscribe(ctx)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case e := <-events:
				a.webhooks.Publish(ctx, e)
			}
		}
	}()
}
