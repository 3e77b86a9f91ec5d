package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// defaultTimeout bounds each Redis call when NewRedis is given no timeout.
const defaultTimeout = 150 * time.Millisecond

// Redis is the GCRA limiter on Redis, shared by every process that uses the
// same Redis and prefix. redis_rate stores key k under "rate:"+prefix+k.
type Redis struct {
	rdb     redis.UniversalClient
	limiter *redis_rate.Limiter // one round trip per call (pipelining off)
	batch   *batcher            // concurrent calls share round trips
	prefix  string
	timeout time.Duration
	direct  bool // the client stops socket I/O at the context's deadline
}

// pipelining says how concurrent calls reach Redis.
type pipelining int

const (
	pipelineBatch pipelining = iota // batcher: one pipeline of EVALSHA per round trip (the default)
	pipelineAuto                    // redis_rate on go-redis's AutoPipeliner
	pipelineOff                     // redis_rate on the client: a round trip per call
)

// NewRedis returns a limiter on rdb whose calls each give up after timeout
// (150ms when timeout <= 0). A client built without ContextTimeoutEnabled
// ignores deadlines on socket reads; its calls then run in a goroutine that
// Allow and Ping stop waiting for at the timeout.
//
// Calls made while another is waiting for Redis are sent together in the next
// round trip (see batcher); each is still one atomic script on its own key, so
// the limit is exactly what redis_rate enforces.
func NewRedis(rdb redis.UniversalClient, prefix string, timeout time.Duration) *Redis {
	return newRedis(rdb, prefix, timeout, pipelineBatch)
}

func newRedis(rdb redis.UniversalClient, prefix string, timeout time.Duration, p pipelining) *Redis {
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	r := &Redis{rdb: rdb, prefix: prefix, timeout: timeout, direct: honoursDeadlines(rdb)}
	switch c, ok := rdb.(*redis.Client); {
	case p == pipelineBatch:
		r.batch = &batcher{rdb: rdb, timeout: timeout, inline: r.direct}
	case p == pipelineAuto && ok:
		if ap, err := c.AutoPipeline(); err == nil {
			r.limiter = redis_rate.NewLimiter(ap)
			break
		}
		fallthrough
	default:
		r.limiter = redis_rate.NewLimiter(rdb)
	}
	return r
}

// Allow spends one event of key's budget under lim. It returns an error
// wrapping models.ErrInvalid for a limit without a positive Rate, Burst and
// Period, and the Redis or context error when Redis does not answer in time.
func (r *Redis) Allow(ctx context.Context, key string, lim Limit) (Result, error) {
	return r.allowN(ctx, key, lim, 1)
}

// Peek reports whether key may have one more event under lim now, without
// spending it (redis_rate's script with a cost of zero, which writes nothing
// new). Errors as Allow.
func (r *Redis) Peek(ctx context.Context, key string, lim Limit) (Result, error) {
	res, err := r.allowN(ctx, key, lim, 0)
	if err != nil {
		return Result{}, err
	}
	return peeked(res), nil
}

// allowN runs redis_rate's script with cost 1 (spend) or 0 (look).
func (r *Redis) allowN(ctx context.Context, key string, lim Limit, cost int) (Result, error) {
	if err := lim.validate(); err != nil {
		return Result{}, err
	}
	if r.batch != nil {
		ctx, cancel := context.WithTimeout(ctx, r.timeout)
		defer cancel()
		res, err := r.batch.allow(ctx, rateKeyPrefix+r.prefix+key, lim, cost)
		if err != nil {
			return Result{}, fmt.Errorf("ratelimit: redis allow: %w", err)
		}
		return res, nil
	}
	res, err := call(ctx, r, func(ctx context.Context) (*redis_rate.Result, error) {
		return r.limiter.AllowN(ctx, r.prefix+key, redis_rate.Limit(lim), cost)
	})
	if err != nil {
		return Result{}, fmt.Errorf("ratelimit: redis allow: %w", err)
	}
	return Result{
		Allowed:    res.Allowed > 0,
		Limit:      lim,
		Remaining:  res.Remaining,
		RetryAfter: res.RetryAfter,
		ResetAfter: res.ResetAfter,
	}, nil
}

// Ping checks that Redis answers within the timeout and returns its error if not.
func (r *Redis) Ping(ctx context.Context) error {
	_, err := call(ctx, r, func(ctx context.Context) (string, error) {
		return r.rdb.Ping(ctx).Result()
	})
	if err != nil {
		return fmt.Errorf("ratelimit: redis ping: %w", err)
	}
	return nil
}

// call runs fn with r's timeout. For a client that ignores deadlines, fn runs
// in a goroutine that call abandons at the deadline; it ends on its own when
// the client's ReadTimeout fires.
func call[T any](ctx context.Context, r *Redis, fn func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if r.direct {
		return fn(ctx)
	}
	type reply struct {
		v   T
		err error
	}
	done := make(chan reply, 1)
	go func() {
		v, err := fn(ctx)
		done <- reply{v, err}
	}()
	select {
	case rep := <-done:
		return rep.v, rep.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// honoursDeadlines reports whether rdb bounds socket reads and writes by the
// context's deadline (ContextTimeoutEnabled).
func honoursDeadlines(rdb redis.UniversalClient) bool {
	switch c := rdb.(type) {
	case *redis.Client:
		return c.Options().ContextTimeoutEnabled
	case *redis.ClusterClient:
		return c.Options().ContextTimeoutEnabled
	case *redis.Ring:
		return c.Options().ContextTimeoutEnabled
	}
	return false
}
