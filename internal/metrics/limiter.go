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
	err := l.next.Allow(ctx, key)
	if err != nil && errors.Is(err, models.ErrRateLimited) {
		l.count()
	}
	return err
}
