package ratelimit

import (
	"context"
	"testing"
	"time"
)

// TestPeek: a peek reports what the next spend would get, spends nothing and
// writes no Redis key, alike in process, on Redis through the batcher and on
// redis_rate itself.
func TestPeek(t *testing.T) {
	type limiter interface {
		Allow(context.Context, string, Limit) (Result, error)
		Peek(context.Context, string, Limit) (Result, error)
	}
	rdb := newClient(t, redisAddr, true)
	lim := Limit{Rate: 1, Burst: 3, Period: time.Hour} // no refill while the test runs
	const spend, peek = true, false
	steps := []struct {
		spend     bool
		allowed   bool
		remaining int
		retry     time.Duration
	}{
		{peek, true, 3, -1},
		{peek, true, 3, -1},
		{spend, true, 2, -1},
		{peek, true, 2, -1},
		{spend, true, 1, -1},
		{spend, true, 0, -1},
		{peek, false, 0, time.Hour},
		{spend, false, 0, time.Hour},
		{peek, false, 0, time.Hour},
	}
	for _, tc := range []struct {
		name  string
		redis bool
		new   func(prefix string) limiter
	}{
		{"local", false, func(string) limiter { return NewLocal(nil) }},
		{"redis batch", true, func(p string) limiter { return newRedis(rdb, p, time.Second, pipelineBatch) }},
		{"redis_rate", true, func(p string) limiter { return newRedis(rdb, p, time.Second, pipelineOff) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			prefix := testPrefix(t)
			l := tc.new(prefix)
			for i, s := range steps {
				if i == 2 && tc.redis {
					if n, err := rdb.Exists(ctx, rateKeyPrefix+prefix+"k").Result(); err != nil || n != 0 {
						t.Fatalf("peeks of a new key wrote it: exists %d, %v", n, err)
					}
				}
				do := l.Peek
				if s.spend {
					do = l.Allow
				}
				got, err := do(ctx, "k", lim)
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if got.Allowed != s.allowed || got.Remaining != s.remaining || (got.RetryAfter-s.retry).Abs() > time.Second {
					t.Errorf("step %d (spend %v): %+v, want allowed %v, remaining %d, retry after %v",
						i, s.spend, got, s.allowed, s.remaining, s.retry)
				}
			}
		})
	}
}

// TestPeekRefills: a peek sees the budget come back as the clock moves.
func TestPeekRefills(t *testing.T) {
	clk := newClock()
	lc := NewLocal(clk.Now)
	lim := Limit{Rate: 4, Burst: 2, Period: time.Minute} // one every 15 s
	ctx := context.Background()
	for range 2 {
		lc.Allow(ctx, "k", lim)
	}
	for _, st := range []struct {
		advance time.Duration
		allowed bool
		retry   time.Duration
	}{
		{0, false, 15 * time.Second},
		{10 * time.Second, false, 5 * time.Second},
		{5 * time.Second, true, -1},
	} {
		clk.advance(st.advance)
		res, err := lc.Peek(ctx, "k", lim)
		if err != nil || res.Allowed != st.allowed || (res.RetryAfter-st.retry).Abs() > time.Microsecond {
			t.Fatalf("after %v more: %+v, %v; want allowed %v, retry after %v", st.advance, res, err, st.allowed, st.retry)
		}
	}
	if got := lc.size(); got != 1 {
		t.Errorf("%d keys held, want 1: peeks store nothing", got)
	}
}
