package ratelimit

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/commentd/commentd/models"
)

// defaultProbeEvery is how often Run pings Redis when NewFallback is given no interval.
const defaultProbeEvery = time.Second

// The states Fallback.State reports.
const (
	StateRedis    = "redis"          // limiting on Redis
	StateFallback = "local-fallback" // Redis is configured but down: limiting in process
	StateDisabled = "disabled"       // no Redis configured: limiting in process
)

// Fallback limits on Redis while it answers and in process while it does
// not, so that a Redis outage degrades rate limiting instead of failing
// requests. Run must be running for it to return to Redis.
type Fallback struct {
	redis      *Redis
	local      *Local
	log        *slog.Logger
	probeEvery time.Duration
	down       atomic.Bool // Redis failed and has not answered a probe since
	badLimit   atomic.Bool // an invalid limit has been logged
}

// NewFallback returns a Fallback over r (nil: in process only) and local
// (nil: a new Local). It logs switches to logger (nil: discarded); Run pings
// Redis every probeEvery (1s when <= 0).
func NewFallback(r *Redis, local *Local, logger *slog.Logger, probeEvery time.Duration) *Fallback {
	if local == nil {
		local = NewLocal(nil)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if probeEvery <= 0 {
		probeEvery = defaultProbeEvery
	}
	return &Fallback{redis: r, local: local, log: logger, probeEvery: probeEvery}
}

// Allow spends one event of key's budget under lim on Redis or, when Redis
// is down or fails this call, in process. Keys start afresh on a switch.
// An invalid limit (see Limit) denies the event and is logged once.
func (f *Fallback) Allow(ctx context.Context, key string, lim Limit) Result {
	return f.allowN(ctx, key, lim, 1)
}

// Peek reports, where Allow would ask, whether key may have one more event
// under lim now, without spending it. An invalid limit answers not allowed.
func (f *Fallback) Peek(ctx context.Context, key string, lim Limit) Result {
	res := f.allowN(ctx, key, lim, 0)
	if lim.validate() != nil {
		return res // denied, and logged once
	}
	return peeked(res)
}

// allowN asks Redis, or the in-process limiter, with cost 1 (spend) or 0 (look).
func (f *Fallback) allowN(ctx context.Context, key string, lim Limit, cost int) Result {
	if f.redis != nil && !f.down.Load() {
		res, err := f.redis.allowN(ctx, key, lim, cost)
		switch {
		case err == nil:
			return res
		case errors.Is(err, models.ErrInvalid):
			return f.invalid(lim, err)
		case ctx.Err() == nil: // Redis failed, not the caller
			f.markDown(err)
		}
	}
	res, err := f.local.allowN(key, lim, cost)
	if err != nil {
		return f.invalid(lim, err)
	}
	return res
}

// State says where limiting happens: StateRedis, StateFallback or StateDisabled.
func (f *Fallback) State() string {
	switch {
	case f.redis == nil:
		return StateDisabled
	case f.down.Load():
		return StateFallback
	}
	return StateRedis
}

// Run pings Redis every probeEvery, switching to the in-process limiter when
// a ping fails and back to Redis when one succeeds, until ctx is done.
func (f *Fallback) Run(ctx context.Context) {
	if f.redis == nil {
		<-ctx.Done()
		return
	}
	t := time.NewTicker(f.probeEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		f.Probe(ctx)
	}
}

// Probe pings Redis once and limits where the answer says: in process when it
// fails, on Redis again when it succeeds. Called at start, it makes State
// true before the first request instead of after the first failure.
func (f *Fallback) Probe(ctx context.Context) {
	if f.redis == nil {
		return
	}
	err := f.redis.Ping(ctx)
	switch {
	case ctx.Err() != nil:
	case err != nil:
		f.markDown(err)
	case f.down.CompareAndSwap(true, false):
		f.log.Info("ratelimit: redis answers again, limiting on redis")
	}
}

// markDown switches to the in-process limiter, logging the first failure only.
func (f *Fallback) markDown(err error) {
	if f.down.CompareAndSwap(false, true) {
		f.log.Warn("ratelimit: redis unavailable, limiting in process", slog.Any("err", err))
	}
}

// invalid denies an event under an invalid limit, logging the first time.
func (f *Fallback) invalid(lim Limit, err error) Result {
	if f.badLimit.CompareAndSwap(false, true) {
		f.log.Error("ratelimit: invalid limit, denying", slog.String("limit", lim.String()), slog.Any("err", err))
	}
	return Result{Limit: lim}
}
