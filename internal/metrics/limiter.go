package metrics

import (
	"context"
	"errors"

	"github.com/commentd/commentd/models"
)

// Limiter spends one unit of a key's budget; over the limit it returns an
// error matching models.ErrRateLimited. It is the shape every use case declares.
type Limiter interface {
	Allow(ctx context.Context, key string) error
}

// countingLimiter counts the refusals of the limiter it wraps.
type countingLimiter struct {
	next  Limiter
	count func()
}

// Limiter wraps l so that each refusal counts in commentd_rate_limited_total
// under scope; l's answers are passed through unchanged.
func (m *Metrics) Limiter(scope string, l Limiter) Limiter {
	c := m.rateLimited.WithLabelValues(scope)
	return countingLimiter{next: l, count: c.Inc}
}

// Allow asks the wrapped limiter and counts a refusal.
func (l countingLimiter) Allow(ctx context.Context, key string) error {
	return l.counted(l.next.Allow(ctx, key))
}

// counted counts err when it is a refusal and returns it.
func (l countingLimiter) counted(err error) error {
	if err != nil && errors.Is(err, models.ErrRateLimited) {
		l.count()
	}
	return err
}

// FailureLimiter is a Limiter of failures that can also look at a budget
// without spending it (Check), as the throttle of wrong site keys does.
type FailureLimiter interface {
	Limiter
	Check(ctx context.Context, key string) error
}

// countingFailures counts the refusals of Check as well.
type countingFailures struct {
	countingLimiter
	check FailureLimiter
}

// FailureLimiter wraps l as Limiter does; refusals by Check count too, so
// that each refused request counts once whichever call refused it.
func (m *Metrics) FailureLimiter(scope string, l FailureLimiter) FailureLimiter {
	c := m.rateLimited.WithLabelValues(scope)
	return countingFailures{countingLimiter: countingLimiter{next: l, count: c.Inc}, check: l}
}

// Check asks the wrapped limiter and counts a refusal.
func (l countingFailures) Check(ctx context.Context, key string) error {
	return l.counted(l.check.Check(ctx, key))
}
