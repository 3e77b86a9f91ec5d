package ratelimit

import (
	"context"

	"github.com/commentd/commentd/models"
)

// Rule binds a Fallback limiter to one named limit, giving the Allow(ctx, key) error
// shape the use cases declare. Keys are namespaced by the rule's scope.
type Rule struct {
	f     *Fallback
	scope string
	limit Limit
}

// Rule returns a limiter for one scope ("post", "read", "login" ...) and limit.
func (f *Fallback) Rule(scope string, l Limit) *Rule {
	return &Rule{f: f, scope: scope, limit: l}
}

// Allow spends one request of key's budget and returns a *models.RateLimitError
// (matching models.ErrRateLimited) when the key is over its limit.
func (r *Rule) Allow(ctx context.Context, key string) error {
	return r.refusal(r.f.Allow(ctx, r.scope+":"+key, r.limit))
}

// Check returns the *models.RateLimitError Allow would, without spending: for
// limits that count failures, checked before an attempt and spent after a
// failed one.
func (r *Rule) Check(ctx context.Context, key string) error {
	return r.refusal(r.f.Peek(ctx, r.scope+":"+key, r.limit))
}

// refusal is nil for an allowed result, else its *models.RateLimitError.
func (r *Rule) refusal(res Result) error {
	if res.Allowed {
		return nil
	}
	return &models.RateLimitError{
		Scope: r.scope, Limit: r.limit.Rate, Period: r.limit.Period, Remaining: res.Remaining,
		RetryAfter: res.RetryAfter, ResetAfter: res.ResetAfter,
	}
}
