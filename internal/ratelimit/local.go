package ratelimit

import (
	"context"
	"hash/maphash"
	"sync"
	"time"
)

const (
	shardCount = 64      // mutexes; a power of two
	shardMax   = 1 << 14 // keys per shard, about a million in all
	pruneMin   = 64      // a shard never prunes below this many keys
)

// Local is the in-process GCRA limiter. It gives the same results as Redis
// for the same sequence of calls, but each process counts on its own.
// Keys drop out once fully reset; when a shard is full of live keys, some
// are forgotten (and get a fresh budget) so that memory stays bounded.
type Local struct {
	now    func() time.Time
	seed   maphash.Seed
	shards [shardCount]shard
}

// shard holds the theoretical arrival times (seconds since epoch2017) of the
// keys that hash to it.
type shard struct {
	mu      sync.Mutex
	tats    map[string]float64
	pruneAt int      // prune before inserting when len(tats) reaches this
	_       [40]byte // keep shards on separate cache lines
}

// NewLocal returns an empty Local that reads the time from now (time.Now when nil).
func NewLocal(now func() time.Time) *Local {
	if now == nil {
		now = time.Now
	}
	lc := &Local{now: now, seed: maphash.MakeSeed()}
	for i := range lc.shards {
		lc.shards[i].tats = make(map[string]float64)
		lc.shards[i].pruneAt = pruneMin
	}
	return lc
}

// Allow spends one event of key's budget under lim. It returns an error
// wrapping models.ErrInvalid for a limit without a positive Rate, Burst and Period.
func (lc *Local) Allow(_ context.Context, key string, lim Limit) (Result, error) {
	return lc.allowN(key, lim, 1)
}

// Peek reports whether key may have one more event under lim now, without
// spending it: Allowed and Remaining as a spend would see them before it,
// RetryAfter when not allowed. Errors as Allow.
func (lc *Local) Peek(_ context.Context, key string, lim Limit) (Result, error) {
	res, err := lc.allowN(key, lim, 0)
	if err != nil {
		return Result{}, err
	}
	return peeked(res), nil
}

// allowN runs gcra with cost 1 (spend) or 0 (look); a look stores nothing.
func (lc *Local) allowN(key string, lim Limit, cost int) (Result, error) {
	if err := lim.validate(); err != nil {
		return Result{}, err
	}
	now := seconds(lc.now())
	s := &lc.shards[maphash.String(lc.seed, key)%shardCount]
	s.mu.Lock()
	defer s.mu.Unlock()
	tat, ok := s.tats[key]
	if !ok {
		tat = now
	}
	res, tat := gcra(tat, now, lim, cost)
	if res.Allowed {
		if !ok && len(s.tats) >= s.pruneAt {
			s.prune(now)
		}
		s.tats[key] = tat
	}
	return res, nil
}

// prune drops the keys that are fully reset, then, if the shard is still
// full, arbitrary live keys down to 7/8 of shardMax. It runs when the shard
// has doubled since the last prune, so its cost per insert stays constant.
func (s *shard) prune(now float64) {
	for k, tat := range s.tats {
		if tat <= now {
			delete(s.tats, k)
		}
	}
	if len(s.tats) >= shardMax {
		for k := range s.tats {
			if len(s.tats) < shardMax*7/8 {
				break
			}
			delete(s.tats, k)
		}
	}
	s.pruneAt = min(max(pruneMin, 2*len(s.tats)), shardMax)
}

// size counts the keys held, live or not yet pruned.
func (lc *Local) size() int {
	n := 0
	for i := range lc.shards {
		s := &lc.shards[i]
		s.mu.Lock()
		n += len(s.tats)
		s.mu.Unlock()
	}
	return n
}
