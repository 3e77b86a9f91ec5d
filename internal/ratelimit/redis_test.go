package ratelimit

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRedisAllow(t *testing.T) {
	const tol = 100 * time.Millisecond // wall time between calls
	tests := []struct {
		name  string
		limit Limit
		steps []step // after is ignored: the calls follow each other at once
	}{
		{"three per hour", Limit{Rate: 3, Burst: 3, Period: time.Hour}, []step{
			{0, true, 2, -1, 20 * time.Minute},
			{0, true, 1, -1, 40 * time.Minute},
			{0, true, 0, -1, time.Hour},
			{0, false, 0, 20 * time.Minute, time.Hour},
			{0, false, 0, 20 * time.Minute, time.Hour},
		}},
		{"burst above rate", Limit{Rate: 1, Burst: 2, Period: time.Minute}, []step{
			{0, true, 1, -1, time.Minute},
			{0, true, 0, -1, 2 * time.Minute},
			{0, false, 0, time.Minute, 2 * time.Minute},
		}},
		{"ten per second keeps redis_rate rounding", Limit{Rate: 10, Burst: 10, Period: time.Second}, []step{
			{0, true, 8, -1, 100 * time.Millisecond},
		}},
	}
	rdb := newClient(t, redisAddr, true)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := testPrefix(t)
			r := NewRedis(rdb, prefix, time.Second)
			for i, s := range tt.steps {
				got, err := r.Allow(context.Background(), "k", tt.limit)
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				want := Result{Allowed: s.allowed, Limit: tt.limit, Remaining: s.remaining, RetryAfter: s.retryAfter, ResetAfter: s.resetAfter}
				if !sameResult(got, want, tol) {
					t.Errorf("step %d: got %+v, want %+v", i, got, want)
				}
			}
			// redis_rate keeps the key under its own "rate:" prefix, expiring with the reset.
			ttl, err := rdb.TTL(context.Background(), "rate:"+prefix+"k").Result()
			if err != nil || ttl <= 0 || ttl > tt.limit.Period*time.Duration(tt.limit.Burst)/time.Duration(tt.limit.Rate)+time.Second {
				t.Errorf("TTL of rate:%sk = %v, %v", prefix, ttl, err)
			}
		})
	}
}

func TestConcurrentAllow(t *testing.T) {
	const goroutines, calls = 50, 10
	lim := Limit{Rate: 1, Burst: 20, Period: time.Hour} // no refill while the test runs
	limiters := map[string]interface {
		Allow(context.Context, string, Limit) (Result, error)
	}{
		"local": NewLocal(nil),
		"redis": NewRedis(newClient(t, redisAddr, true), testPrefix(t), 5*time.Second),
	}
	for name, lim8r := range limiters {
		t.Run(name, func(t *testing.T) {
			var allowed, errs atomic.Int64
			var wg sync.WaitGroup
			for range goroutines {
				wg.Go(func() {
					for range calls {
						res, err := lim8r.Allow(context.Background(), "shared", lim)
						switch {
						case err != nil:
							errs.Add(1)
						case res.Allowed:
							allowed.Add(1)
						}
					}
				})
			}
			wg.Wait()
			if errs.Load() != 0 || allowed.Load() != int64(lim.Burst) {
				t.Errorf("allowed %d of %d with %d errors, want exactly %d allowed", allowed.Load(), goroutines*calls, errs.Load(), lim.Burst)
			}
		})
	}
}

// TestLocalMatchesRedis runs the same timed sequence on Redis and Local,
// each Local call right after its Redis call, and wants the same answers.
// The times sit mid-interval so that clock granularity cannot change them.
func TestLocalMatchesRedis(t *testing.T) {
	type call struct {
		at        time.Duration // since the sequence started
		allowed   bool
		remaining int
	}
	burst := func(at time.Duration, remaining ...int) []call {
		var cs []call
		for _, r := range remaining {
			cs = append(cs, call{at, r >= 0, max(r, 0)})
		}
		return cs
	}
	tests := []struct {
		name  string
		limit Limit
		calls []call
	}{
		{"8 per 500ms burst 4", Limit{Rate: 8, Burst: 4, Period: 500 * time.Millisecond}, concat(
			burst(0, 3, 2, 1, 0, -1, -1),
			burst(90*time.Millisecond, 0, -1), // 27.5ms of a 62.5ms emission earned
			burst(280*time.Millisecond, 2, 1),
			burst(700*time.Millisecond, 3), // fully reset
		)},
		{"10 per second burst 10", Limit{Rate: 10, Burst: 10, Period: time.Second}, concat(
			burst(0, 8, 8, 7, 6, 5, 4, 3, 2, 1, 0, -1, -1),
			burst(150*time.Millisecond, 0, -1),
			burst(1400*time.Millisecond, 8),
		)},
		{"5 per 300ms burst 2", Limit{Rate: 5, Burst: 2, Period: 300 * time.Millisecond}, concat(
			burst(0, 1, 0, -1),
			burst(30*time.Millisecond, -1),
			burst(90*time.Millisecond, 0, -1),
			burst(200*time.Millisecond, 1, 0, -1),
		)},
	}
	rdb := newClient(t, redisAddr, true)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			r := NewRedis(rdb, testPrefix(t), time.Second)
			lc := NewLocal(nil)
			start := time.Now()
			diverged, offSchedule := false, false
			for i, c := range tt.calls {
				time.Sleep(time.Until(start.Add(c.at))) // the sequence's own timing, not a wait on a condition
				before := time.Now()
				got, err := r.Allow(ctx, "k", tt.limit)
				if err != nil {
					t.Fatal(err)
				}
				loc, _ := lc.Allow(ctx, "k", tt.limit)
				// The two read their clocks apart by the round trip; on a loaded
				// machine that can exceed the tolerance, and from then on they may
				// differ (one allowed what the other denied).
				if apart := time.Since(before); apart > 5*time.Millisecond && !diverged {
					t.Logf("call %d: the two clocks were read %v apart; not comparing them from here", i, apart)
					diverged = true
				}
				if !diverged && !sameResult(loc, got, 5*time.Millisecond) {
					t.Errorf("call %d at %v: local %+v, redis %+v", i, c.at, loc, got)
				}
				// A late call spends its budget later than the sequence assumes, so
				// the expected values of the calls after it no longer hold either.
				if late := time.Since(start) - c.at; late > 10*time.Millisecond && !offSchedule {
					t.Logf("call %d ran %v late; not checking expected values from here", i, late)
					offSchedule = true
				}
				if !offSchedule && (got.Allowed != c.allowed || got.Remaining != c.remaining) {
					t.Errorf("call %d at %v: redis %+v, want allowed=%v remaining=%d", i, c.at, got, c.allowed, c.remaining)
				}
			}
		})
	}
}

func concat[T any](parts ...[]T) []T {
	var all []T
	for _, p := range parts {
		all = append(all, p...)
	}
	return all
}

func TestRedisTimeout(t *testing.T) {
	const timeout = 100 * time.Millisecond
	addr := blackhole(t)
	for _, ctxTimeouts := range []bool{false, true} {
		name := map[bool]string{false: "client ignores deadlines", true: "client honours deadlines"}[ctxTimeouts]
		t.Run(name, func(t *testing.T) {
			r := NewRedis(newClient(t, addr, ctxTimeouts), testPrefix(t), timeout)
			for op, fn := range map[string]func() error{
				"allow": func() error { _, err := r.Allow(context.Background(), "k", Limit{1, 1, time.Second}); return err },
				"ping":  func() error { return r.Ping(context.Background()) },
			} {
				start := time.Now()
				err := fn()
				if took := time.Since(start); err == nil || took > timeout+time.Second {
					t.Errorf("%s: err = %v after %v, want an error within %v", op, err, took, timeout)
				}
				if !ctxTimeouts && !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("%s: err = %v, want DeadlineExceeded", op, err)
				}
			}
		})
	}
}
