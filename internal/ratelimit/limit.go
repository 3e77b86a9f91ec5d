// Package ratelimit limits how often a key may act with the generic cell rate
// algorithm (GCRA): on Redis through redis_rate, in process with the same
// arithmetic, and a Fallback that uses Redis while it answers and the
// in-process limiter while it does not.
package ratelimit

import (
	"fmt"
	"time"

	"github.com/commentd/commentd/models"
)

// Limit allows Rate events per Period and at most Burst at once, as redis_rate.Limit.
type Limit struct {
	Rate   int
	Burst  int
	Period time.Duration
}

// String formats the limit for logs, e.g. "5 per 1m0s (burst 10)".
func (l Limit) String() string {
	return fmt.Sprintf("%d per %s (burst %d)", l.Rate, l.Period, l.Burst)
}

// validate rejects limits the GCRA arithmetic cannot use: redis_rate would
// divide by zero on a zero Rate and deny everything on a zero Burst.
func (l Limit) validate() error {
	if l.Rate < 1 || l.Burst < 1 || l.Period <= 0 {
		return fmt.Errorf("ratelimit: limit %v: %w", l, models.ErrInvalid)
	}
	return nil
}

// Result is the outcome of one Allow; its fields mean what redis_rate's do.
type Result struct {
	Allowed    bool          // whether this event may happen now
	Limit      Limit         // the limit that was applied
	Remaining  int           // events still allowed at once after this one
	RetryAfter time.Duration // when denied, the wait until one more event is allowed; -1 when allowed
	ResetAfter time.Duration // the wait until the key is back to a full Burst
}

// epoch2017 is the epoch of redis_rate's script, which counts seconds from
// 2017-01-01 UTC to keep microseconds exact in a float64.
const epoch2017 = 1483228800

// seconds converts t as redis_rate's script converts Redis TIME: whole
// microseconds, in seconds since epoch2017.
func seconds(t time.Time) float64 {
	return float64(t.Unix()-epoch2017) + float64(t.Nanosecond()/1000)/1e6
}

// gcra is redis_rate's allowN script for a cost of one (spend) or zero (peek),
// operation for operation, so that Local and Redis agree to the bit for the
// same clock. tat is the key's stored theoretical arrival time (now when it
// has none); gcra returns the script's result and the tat to store, unchanged
// when denied. Like the script, a cost of zero answers Allowed false and
// Remaining the events still allowed: peeked turns that into a Peek's Result.
func gcra(tat, now float64, l Limit, cost int) (Result, float64) {
	emission := l.Period.Seconds() / float64(l.Rate)
	increment := emission * float64(cost)
	burstOffset := emission * float64(l.Burst)
	stored := tat
	tat = max(tat, now)
	newTat := tat + increment
	diff := now - (newTat - burstOffset)
	remaining := diff / emission
	if remaining < 0 {
		return Result{Limit: l, RetryAfter: dur(-diff), ResetAfter: dur(tat - now)}, stored
	}
	return Result{Allowed: cost > 0, Limit: l, Remaining: int(remaining), RetryAfter: -1, ResetAfter: dur(newTat - now)}, newTat
}

// peeked turns the answer to a call of cost zero into what Peek reports:
// Allowed when one more event would be, and otherwise the wait until it would
// (the wait until the key is fully reset, less the Burst-1 events that take).
func peeked(res Result) Result {
	if res.Remaining >= 1 {
		res.Allowed, res.RetryAfter = true, -1
		return res
	}
	emission := res.Limit.Period / time.Duration(res.Limit.Rate)
	res.Allowed, res.Remaining = false, 0
	res.RetryAfter = max(res.ResetAfter-emission*time.Duration(res.Limit.Burst-1), time.Microsecond)
	return res
}

// dur converts seconds to a Duration as redis_rate does.
func dur(s float64) time.Duration {
	return time.Duration(s * float64(time.Second))
}
