package ratelimit

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/commentd/commentd/models"
)

// step is one call of a sequence: advance the clock by after, then Allow.
type step struct {
	after      time.Duration
	allowed    bool
	remaining  int
	retryAfter time.Duration
	resetAfter time.Duration
}

func TestLocalAllow(t *testing.T) {
	tests := []struct {
		name  string
		limit Limit
		steps []step
	}{
		{"burst, deny, refill", Limit{Rate: 8, Burst: 3, Period: time.Second}, []step{
			{0, true, 2, -1, 125 * time.Millisecond},
			{0, true, 1, -1, 250 * time.Millisecond},
			{0, true, 0, -1, 375 * time.Millisecond},
			{0, false, 0, 125 * time.Millisecond, 375 * time.Millisecond},
			{62500 * time.Microsecond, false, 0, 62500 * time.Microsecond, 312500 * time.Microsecond},
			{62500 * time.Microsecond, true, 0, -1, 375 * time.Millisecond},
			{time.Second, true, 2, -1, 125 * time.Millisecond},
		}},
		{"one per hour", Limit{Rate: 1, Burst: 1, Period: time.Hour}, []step{
			{0, true, 0, -1, time.Hour},
			{30 * time.Minute, false, 0, 30 * time.Minute, 30 * time.Minute},
			{30 * time.Minute, true, 0, -1, time.Hour},
		}},
		// redis_rate computes 9.999…→8 here in float64; Local does the same.
		{"ten per second keeps redis_rate rounding", Limit{Rate: 10, Burst: 10, Period: time.Second}, []step{
			{0, true, 8, -1, 100 * time.Millisecond},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			lc := NewLocal(clk.Now)
			for i, s := range tt.steps {
				clk.advance(s.after)
				got, err := lc.Allow(context.Background(), "k", tt.limit)
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				want := Result{Allowed: s.allowed, Limit: tt.limit, Remaining: s.remaining, RetryAfter: s.retryAfter, ResetAfter: s.resetAfter}
				if !sameResult(got, want, time.Microsecond) {
					t.Errorf("step %d: got %+v, want %+v", i, got, want)
				}
			}
		})
	}
}

// sameResult compares results, durations within tol.
func sameResult(got, want Result, tol time.Duration) bool {
	near := func(a, b time.Duration) bool { return (a - b).Abs() <= tol }
	return got.Allowed == want.Allowed && got.Limit == want.Limit && got.Remaining == want.Remaining &&
		near(got.RetryAfter, want.RetryAfter) && near(got.ResetAfter, want.ResetAfter)
}

func TestInvalidLimit(t *testing.T) {
	ctx := context.Background()
	limiters := map[string]interface {
		Allow(context.Context, string, Limit) (Result, error)
	}{
		"local": NewLocal(nil),
		"redis": NewRedis(newClient(t, redisAddr, true), testPrefix(t), time.Second),
	}
	for _, l := range []Limit{{}, {Rate: 0, Burst: 1, Period: time.Second}, {Rate: 1, Burst: 0, Period: time.Second},
		{Rate: 1, Burst: 1, Period: 0}, {Rate: -1, Burst: 1, Period: time.Second}, {Rate: 1, Burst: 1, Period: -time.Second}} {
		for name, lim := range limiters {
			t.Run(name+"/"+l.String(), func(t *testing.T) {
				if _, err := lim.Allow(ctx, "k", l); !errors.Is(err, models.ErrInvalid) {
					t.Errorf("err = %v, want ErrInvalid", err)
				}
			})
		}
	}
}

func TestLocalPrune(t *testing.T) {
	const n = 10000
	clk := newClock()
	lc := NewLocal(clk.Now)
	lim := Limit{Rate: 1, Burst: 1, Period: time.Minute}
	for i := range n {
		lc.Allow(context.Background(), "old"+strconv.Itoa(i), lim)
	}
	if got := lc.size(); got != n {
		t.Fatalf("size = %d, want %d", got, n)
	}
	clk.advance(time.Minute) // every "old" key is fully reset now
	for i := range n {
		lc.Allow(context.Background(), "new"+strconv.Itoa(i), lim)
	}
	if got := lc.size(); got > n*3/2 {
		t.Errorf("size = %d after the old keys reset, want <= %d", got, n*3/2)
	}
	// A reset key behaves like a new one whether or not it was pruned.
	if res, _ := lc.Allow(context.Background(), "old1", lim); !res.Allowed {
		t.Errorf("old1 after reset: %+v", res)
	}
}

func TestShardCap(t *testing.T) {
	s := &shard{tats: make(map[string]float64)}
	for i := range shardMax + 10 {
		s.tats[strconv.Itoa(i)] = 100 // all live at now=1
	}
	s.prune(1)
	if got := len(s.tats); got >= shardMax*7/8+1 || got < shardMax*7/8-1 {
		t.Errorf("len = %d after prune at cap, want about %d", got, shardMax*7/8)
	}
	if s.pruneAt != shardMax {
		t.Errorf("pruneAt = %d, want %d", s.pruneAt, shardMax)
	}
}
