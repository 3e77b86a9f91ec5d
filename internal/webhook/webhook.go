// Package webhook delivers comment events from the outbox to the configured
// endpoints: JSON, signed with HMAC-SHA256, at least once, retried with
// exponential backoff until every endpoint has each event. Instances share the
// outbox safely: each event is leased to one of them at a time.
package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/commentd/commentd/models"
)

// Store is the outbox.
type Store interface {
	// ClaimWebhookEvents leases up to limit due events, oldest first.
	ClaimWebhookEvents(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]models.WebhookEvent, error)
	// ReleaseWebhookEvent writes an event's delivery state and lifts its lease;
	// models.ErrConflict when the lease was lost.
	ReleaseWebhookEvent(ctx context.Context, e models.WebhookEvent) error
	// DeleteWebhookEvents deletes the events done before a time.
	DeleteWebhookEvents(ctx context.Context, before time.Time) (int, error)
}

// Observer counts deliveries, for metrics. Its methods must not block.
type Observer interface {
	// Delivery counts n deliveries by outcome: "delivered" (an endpoint took an
	// event), "failed" (a request to an endpoint failed: retried, unless
	// RetryFor has passed) or "gave_up" (an endpoint that will never get an
	// event, counted once the outbox records it).
	Delivery(outcome string, n int)
}

// Options configure a Dispatcher. Zero durations take the defaults noted.
type Options struct {
	Endpoints  []string      // the receivers' URLs
	Secret     string        // the HMAC key of the signatures
	Timeout    time.Duration // per request; 10s
	Backoff    time.Duration // the first retry's delay, doubled each time; 5s
	MaxBackoff time.Duration // the longest delay between retries; 1h
	RetryFor   time.Duration // an event still undelivered this long after it happened is given up; 72h
	Poll       time.Duration // how often the outbox is looked at without a wake-up; 1s
	Keep       time.Duration // done events are kept this long; 7 days
	Client     *http.Client  // nil: one with Timeout that follows no redirects
	Observer   Observer      // counts deliveries; nil: none
}

// batch is how many events one claim takes.
const batch = 16

// Dispatcher delivers the outbox. Build it with New and call Run.
type Dispatcher struct {
	store  Store
	opts   Options
	client *http.Client
	lease  time.Duration
	wake   chan struct{}
	log    *slog.Logger
	now    func() time.Time

	mu     sync.Mutex
	closed bool
	stop   context.CancelFunc // ends Run
	done   chan struct{}      // closed when Run has returned
}

// New returns a Dispatcher for the endpoints in opts.
func New(store Store, opts Options, logger *slog.Logger) *Dispatcher {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&opts.Timeout, 10*time.Second)
	def(&opts.Backoff, 5*time.Second)
	def(&opts.MaxBackoff, time.Hour)
	def(&opts.RetryFor, 72*time.Hour)
	def(&opts.Poll, time.Second)
	def(&opts.Keep, 7*24*time.Hour)
	if opts.Observer == nil {
		opts.Observer = noObserver{}
	}
	client := opts.Client
	if client == nil {
		client = &http.Client{Timeout: opts.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return &Dispatcher{store: store, opts: opts, client: client, wake: make(chan struct{}, 1), log: logger, now: time.Now,
		// No request of a batch starts after 2×Timeout, and each ends within Timeout.
		lease: 4*opts.Timeout + 30*time.Second}
}

// Publish wakes the dispatcher after a change on this instance, so that its
// events go out at once rather than at the next poll. It never blocks, so the
// Dispatcher can stand with the live views as a moderation.Notifier.
func (d *Dispatcher) Publish(context.Context, models.Event) {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends: whatever is due, then again on a wake-up or at
// the next poll, and prunes old done events every hour.
func (d *Dispatcher) Run(ctx context.Context) {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	ctx, d.stop = context.WithCancel(ctx)
	d.done = make(chan struct{})
	d.mu.Unlock()
	defer close(d.done)
	poll := time.NewTicker(d.opts.Poll)
	defer poll.Stop()
	prune := time.NewTicker(time.Hour)
	defer prune.Stop()
	for {
		if err := d.drain(ctx); err != nil && ctx.Err() == nil {
			d.log.Warn("webhook outbox", slog.Any("err", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-poll.C:
		case <-prune.C:
			if n, err := d.store.DeleteWebhookEvents(ctx, d.now().Add(-d.opts.Keep)); err != nil && ctx.Err() == nil {
				d.log.Warn("webhook outbox: pruning", slog.Any("err", err))
			} else if n > 0 {
				d.log.Info("webhook outbox: pruned delivered events", slog.Int("events", n))
			}
		}
	}
}

// Close stops Run, when it runs, once the deliveries in flight are recorded,
// so that the store can be closed after it. Run does nothing after Close.
func (d *Dispatcher) Close() {
	d.mu.Lock()
	d.closed = true
	stop, done := d.stop, d.done
	d.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
}

// drain delivers batches until nothing is due.
func (d *Dispatcher) drain(ctx context.Context) error {
	for ctx.Err() == nil {
		evs, err := d.store.ClaimWebhookEvents(ctx, d.now(), d.lease, batch)
		if err != nil {
			return err
		}
		if len(evs) == 0 {
			return nil
		}
		d.deliver(ctx, evs)
	}
	return nil
}

// deliver sends a claimed batch to every endpoint that lacks each event, in
// order, endpoints side by side; after an endpoint's first failure the rest
// of the batch waits for its retry, so that a receiver that is down costs one
// timeout per batch, and no request starts after 2×Timeout, so that the lease
// holds. Then it records what happened.
func (d *Dispatcher) deliver(ctx context.Context, evs []models.WebhookEvent) {
	deadline := d.now().Add(2 * d.opts.Timeout)
	bodies := make([][]byte, len(evs))
	for i, e := range evs {
		bodies[i] = body(e)
	}
	var (
		mu     sync.Mutex
		wg     sync.WaitGroup
		sent   = make([][]string, len(evs)) // per event: the endpoints that took it now
		failed = make([][]string, len(evs)) // per event: why endpoints failed
	)
	for _, ep := range d.opts.Endpoints {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var down error
			for i := range evs {
				if slices.Contains(evs[i].Delivered, ep) { // read only until wg.Wait
					continue
				}
				if d.now().After(deadline) {
					return // the rest of the batch is released untried
				}
				err := down
				if err == nil {
					err = d.send(ctx, ep, evs[i], bodies[i])
					down = err
					switch {
					case err == nil:
						d.opts.Observer.Delivery("delivered", 1)
					case ctx.Err() == nil: // not cut short by shutdown
						d.opts.Observer.Delivery("failed", 1)
					}
				}
				mu.Lock()
				if err == nil {
					sent[i] = append(sent[i], ep)
				} else {
					failed[i] = append(failed[i], err.Error())
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	// Record even when ctx ended (shutting down), briefly, so nothing waits for a lease.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	now, jitter := d.now(), rand.Float64() // one jitter a batch keeps its events in order
	for i, e := range evs {
		e.Delivered = append(e.Delivered, sent[i]...)
		abandoned := d.settle(&e, failed[i], now, jitter, ctx.Err() != nil)
		if err := d.store.ReleaseWebhookEvent(rctx, e); err != nil {
			d.log.Warn("webhook outbox: recording a delivery", slog.Int64("event", e.ID), slog.Any("err", err))
		} else if abandoned > 0 {
			d.opts.Observer.Delivery("gave_up", abandoned) // once recorded, so counted once
		}
	}
}

// settle works out an event's state after an attempt: done when every
// endpoint has it; otherwise retried after a backoff, or given up once
// RetryFor has passed. An event left untried (the batch ran late) or cut
// short by shutdown is due again at once, its attempt not counted. It returns
// how many endpoints the event was given up for (0 unless given up).
func (d *Dispatcher) settle(e *models.WebhookEvent, failed []string, now time.Time, jitter float64, shutdown bool) int {
	pending := 0
	for _, ep := range d.opts.Endpoints {
		if !slices.Contains(e.Delivered, ep) {
			pending++
		}
	}
	switch {
	case pending == 0:
		e.DoneAt, e.LastError = &now, ""
	case shutdown || len(failed) == 0:
		e.NextAttemptAt = now
	case now.Sub(e.CreatedAt) > d.opts.RetryFor:
		e.Attempts++
		e.DoneAt, e.Failed, e.LastError = &now, true, strings.Join(failed, "; ")
		d.log.Error("webhook event given up", slog.Int64("event", e.ID), slog.String("type", e.Type),
			slog.Int("attempts", e.Attempts), slog.String("err", e.LastError))
		return pending
	default:
		e.Attempts++
		e.LastError = strings.Join(failed, "; ")
		e.NextAttemptAt = now.Add(d.backoff(e.Attempts, jitter))
		d.log.Warn("webhook delivery failed; will retry", slog.Int64("event", e.ID), slog.String("type", e.Type),
			slog.Int("attempts", e.Attempts), slog.Time("next", e.NextAttemptAt), slog.String("err", e.LastError))
	}
	return 0
}

// backoff is the delay before retry n (1, 2, ...): Backoff doubled n-1 times,
// at most MaxBackoff, give or take a tenth (jitter, 0..1, picks where), so
// that retries spread out.
func (d *Dispatcher) backoff(n int, jitter float64) time.Duration {
	b := d.opts.Backoff
	for i := 1; i < n && b < d.opts.MaxBackoff; i++ {
		b *= 2
	}
	b = min(b, d.opts.MaxBackoff)
	return b - b/10 + time.Duration(jitter*float64(b/5))
}

// send posts one event to one endpoint; any answer but 2xx is a failure.
func (d *Dispatcher) send(ctx context.Context, endpoint string, e models.WebhookEvent, body []byte) error {
	ts := strconv.FormatInt(d.now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: %w", hostOf(endpoint), err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "commentd-webhook/1")
	req.Header.Set(HeaderEvent, e.Type)
	req.Header.Set(HeaderDelivery, strconv.FormatInt(e.ID, 10))
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign([]byte(d.opts.Secret), ts, body))
	resp, err := d.client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // the URL may carry a secret: name the host only
		}
		return fmt.Errorf("%s: %w", hostOf(endpoint), err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s answered %d", hostOf(endpoint), resp.StatusCode)
	}
	return nil
}

// Payload is the JSON body of a delivery.
type Payload struct {
	ID        int64           `json:"id"` // the same on every retry: deduplicate by it
	Type      string          `json:"type"`
	CreatedAt time.Time       `json:"created_at"` // when the change happened
	CommentID int64           `json:"comment_id"`
	From      models.Status   `json:"from,omitempty"`  // the status before a decision or deletion
	Actor     string          `json:"actor,omitempty"` // the moderator, when known
	Comment   *models.Comment `json:"comment,omitempty"`
}

func body(e models.WebhookEvent) []byte {
	b, err := json.Marshal(Payload{ID: e.ID, Type: e.Type, CreatedAt: e.CreatedAt, CommentID: e.CommentID,
		From: e.From, Actor: e.Actor, Comment: e.Comment})
	if err != nil {
		panic(err) // a stored comment always marshals
	}
	return b
}

func hostOf(endpoint string) string {
	if u, err := url.Parse(endpoint); err == nil && u.Host != "" {
		return u.Host
	}
	return "endpoint"
}

// noObserver is the default Observer: it counts nothing.
type noObserver struct{}

func (noObserver) Delivery(string, int) {}
