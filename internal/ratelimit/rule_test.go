package ratelimit

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/commentd/commentd/models"
)

func TestRuleReportsRateLimitError(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	f := NewFallback(nil, NewLocal(func() time.Time { return now }), nil, time.Second)
	r := f.Rule("post", Limit{Rate: 5, Burst: 2, Period: time.Minute})
	other := f.Rule("read", Limit{Rate: 5, Burst: 2, Period: time.Minute})
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if err := r.Allow(ctx, "ip:1.2.3.4"); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	err := r.Allow(ctx, "ip:1.2.3.4")
	var rl *models.RateLimitError
	if !errors.Is(err, models.ErrRateLimited) || !errors.As(err, &rl) {
		t.Fatalf("third call: %v", err)
	}
	if rl.Scope != "post" || rl.Limit != 5 || rl.RetryAfter <= 0 || rl.RetryAfter > 12*time.Second || rl.ResetAfter <= 0 {
		t.Fatalf("error fields: %+v", rl)
	}
	if err := other.Allow(ctx, "ip:1.2.3.4"); err != nil {
		t.Fatalf("scopes share a budget: %v", err)
	}
}

// TestRuleCheck: Check spends nothing, and refuses once Allow has spent the burst.
func TestRuleCheck(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	f := NewFallback(nil, NewLocal(func() time.Time { return now }), nil, time.Second)
	r := f.Rule("apikey", Limit{Rate: 2, Burst: 2, Period: time.Hour})
	ctx := context.Background()
	for i := range 5 {
		if err := r.Check(ctx, "ip:1"); err != nil {
			t.Fatalf("check %d before any failure: %v", i, err)
		}
	}
	for i := range 2 {
		if err := r.Allow(ctx, "ip:1"); err != nil {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	err := r.Check(ctx, "ip:1")
	var rl *models.RateLimitError
	if !errors.As(err, &rl) || rl.Scope != "apikey" || rl.Limit != 2 || rl.RetryAfter != 30*time.Minute {
		t.Fatalf("check over the limit: %v (%+v)", err, rl)
	}
	if err := r.Check(ctx, "ip:2"); err != nil {
		t.Fatalf("another key: %v", err)
	}
}
