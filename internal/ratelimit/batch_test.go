package ratelimit

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"
)

// TestBatchMatchesRedisRate runs the same calls through redis_rate and through
// the batcher, on two keys, and wants the same results.
func TestBatchMatchesRedisRate(t *testing.T) {
	ctx := context.Background()
	rdb := newClient(t, redisAddr, true)
	prefix := testPrefix(t)
	rr := redis_rate.NewLimiter(rdb)
	b := newRedis(rdb, prefix, time.Second, pipelineBatch)
	lim := Limit{Rate: 2, Burst: 3, Period: time.Hour}
	for i := range 5 {
		want, err := rr.Allow(ctx, prefix+"a", redis_rate.Limit(lim))
		if err != nil {
			t.Fatal(err)
		}
		got, err := b.Allow(ctx, "b", lim)
		if err != nil {
			t.Fatal(err)
		}
		w := Result{Allowed: want.Allowed > 0, Limit: lim, Remaining: want.Remaining, RetryAfter: want.RetryAfter, ResetAfter: want.ResetAfter}
		if !sameResult(got, w, 100*time.Millisecond) {
			t.Errorf("call %d: batch %+v, redis_rate %+v", i, got, w)
		}
	}
}

// TestBatchExact: concurrent calls on one key, however batched, allow
// exactly the burst.
func TestBatchExact(t *testing.T) {
	r := NewRedis(newClient(t, redisAddr, true), testPrefix(t), 5*time.Second)
	lim := Limit{Rate: 1, Burst: 10, Period: time.Hour}
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range 200 {
		wg.Go(func() {
			res, err := r.Allow(context.Background(), "k", lim)
			if err != nil {
				t.Error(err)
			}
			if res.Allowed {
				allowed.Add(1)
			}
		})
	}
	wg.Wait()
	if got := allowed.Load(); got != 10 {
		t.Errorf("%d of 200 allowed, want exactly 10", got)
	}
}

// TestBatchLoadsScript: after SCRIPT FLUSH the batch loads the script again
// and answers every call.
func TestBatchLoadsScript(t *testing.T) {
	srv := startPrivateRedis(t, freePort(t))
	rdb := newClient(t, srv.addr(), true)
	r := NewRedis(rdb, testPrefix(t), 5*time.Second)
	lim := Limit{Rate: 1, Burst: 5, Period: time.Hour}
	ctx := context.Background()
	for i := range 3 {
		if err := rdb.ScriptFlush(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		res, err := r.Allow(ctx, "k", lim)
		if err != nil || !res.Allowed || res.Remaining != 4-i {
			t.Errorf("call %d after SCRIPT FLUSH: %+v, %v", i, res, err)
		}
	}
}
