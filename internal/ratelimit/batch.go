package ratelimit

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// allowScript is redis_rate v10's allowN script, byte for byte (copyright (c)
// 2017 Pavel Pravosud and the go-redis/redis_rate authors, BSD-2-Clause), so
// that a batch spends budgets exactly as redis_rate.Limiter.Allow does: the
// same keys, arguments, clock (Redis TIME) and arithmetic.
// TestBatchMatchesRedisRate holds the two to the same results.
var allowScript = redis.NewScript(`
-- this script has side-effects, so it requires replicate commands mode
redis.replicate_commands()

local rate_limit_key = KEYS[1]
local burst = ARGV[1]
local rate = ARGV[2]
local period = ARGV[3]
local cost = tonumber(ARGV[4])

local emission_interval = period / rate
local increment = emission_interval * cost
local burst_offset = emission_interval * burst

-- redis returns time as an array containing two integers: seconds of the epoch
-- time (10 digits) and microseconds (6 digits). for convenience we need to
-- convert them to a floating point number. the resulting number is 16 digits,
-- bordering on the limits of a 64-bit double-precision floating point number.
-- adjust the epoch to be relative to Jan 1, 2017 00:00:00 GMT to avoid floating
-- point problems. this approach is good until "now" is 2,483,228,799 (Wed, 09
-- Sep 2048 01:46:39 GMT), when the adjusted value is 16 digits.
local jan_1_2017 = 1483228800
local now = redis.call("TIME")
now = (now[1] - jan_1_2017) + (now[2] / 1000000)

local tat = redis.call("GET", rate_limit_key)

if not tat then
  tat = now
else
  tat = tonumber(tat)
end

tat = math.max(tat, now)

local new_tat = tat + increment
local allow_at = new_tat - burst_offset

local diff = now - allow_at
local remaining = diff / emission_interval

if remaining < 0 then
  local reset_after = tat - now
  local retry_after = diff * -1
  return {
    0, -- allowed
    0, -- remaining
    tostring(retry_after),
    tostring(reset_after),
  }
end

local reset_after = new_tat - now
if reset_after > 0 then
  redis.call("SET", rate_limit_key, new_tat, "EX", math.ceil(reset_after))
end
local retry_after = -1
return {cost, remaining, tostring(retry_after), tostring(reset_after)}
`)

// rateKeyPrefix is redis_rate's prefix of every key.
const rateKeyPrefix = "rate:"

// maxBatch bounds how many calls one round trip carries.
const maxBatch = 256

// batcher sends the Allow calls that arrive while a round trip is under way
// together in the next one: a pipeline of EVALSHA, one per call, each still
// atomic on its own key. A lone call goes out at once; under load the calls
// of many requests share a write, a read and the server's wake-up.
type batcher struct {
	rdb     redis.UniversalClient
	timeout time.Duration
	inline  bool // a lone call may be sent by its caller: the client stops at the deadline
	mu      sync.Mutex
	queue   []*allowCall
	spare   []*allowCall
	busy    bool // a goroutine is sending batches
}

// allowCall is one Allow waiting for its batch.
type allowCall struct {
	ctx  context.Context
	key  string // with redis_rate's and the limiter's prefixes
	lim  Limit
	cost int             // 1 spends an event, 0 only looks
	done chan allowReply // buffered
}

type allowReply struct {
	res Result
	err error
}

// allow queues one call of cost 1 or 0 and waits for its reply, or for ctx.
func (b *batcher) allow(ctx context.Context, key string, lim Limit, cost int) (Result, error) {
	c := &allowCall{ctx: ctx, key: key, lim: lim, cost: cost, done: make(chan allowReply, 1)}
	b.mu.Lock()
	b.queue = append(b.queue, c)
	lead := !b.busy
	b.busy = true
	b.mu.Unlock()
	switch {
	case lead && b.inline:
		// Nothing in flight: send this call (and any that just arrived) from
		// here, as an unbatched call would, then hand what queued meanwhile
		// to a goroutine.
		b.sendNext()
		b.mu.Lock()
		if len(b.queue) > 0 {
			go b.run()
		} else {
			b.busy = false
		}
		b.mu.Unlock()
	case lead:
		go b.run()
	}
	select {
	case r := <-c.done:
		return r.res, r.err
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// run sends batches until the queue is empty.
func (b *batcher) run() {
	for b.sendNext() {
	}
	// sendNext found the queue empty and cleared busy.
}

// sendNext sends the queued calls, up to maxBatch, and reports whether there
// were any; when there were none it clears busy.
func (b *batcher) sendNext() bool {
	b.mu.Lock()
	if len(b.queue) == 0 {
		b.busy = false
		b.mu.Unlock()
		return false
	}
	// Two slices take turns: the queue callers append to, and the batch being sent.
	batch := b.queue
	if len(batch) > maxBatch {
		batch = batch[:maxBatch]
		b.queue = append(b.spare[:0], b.queue[maxBatch:]...)
	} else {
		b.queue = b.spare[:0]
	}
	b.spare = nil
	b.mu.Unlock()
	b.send(batch)
	clear(batch)
	b.mu.Lock()
	b.spare = batch[:0]
	b.mu.Unlock()
	return true
}

// send runs batch in one pipeline and answers each call. Calls whose caller
// gave up are left out. A script Redis does not know yet (a restart, SCRIPT
// FLUSH) is loaded and the calls it refused are sent again: they did not run.
func (b *batcher) send(batch []*allowCall) {
	live := make([]*allowCall, 0, len(batch))
	for _, c := range batch {
		if err := c.ctx.Err(); err != nil {
			c.done <- allowReply{err: err}
			continue
		}
		live = append(live, c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
	defer cancel()
	for attempt := 0; len(live) > 0; attempt++ {
		cmds := b.pipeline(ctx, live)
		var again []*allowCall
		for i, c := range live {
			cerr := cmds[i].Err() // a failed connection fails every command
			if attempt == 0 && redis.HasErrorPrefix(cerr, "NOSCRIPT") {
				again = append(again, c)
				continue
			}
			c.done <- reply(cmds[i], cerr, c.lim)
		}
		if len(again) > 0 {
			if err := allowScript.Load(ctx, b.rdb).Err(); err != nil {
				for _, c := range again {
					c.done <- allowReply{err: err}
				}
				return
			}
		}
		live = again
	}
}

// pipeline sends one EVALSHA per call in one round trip.
func (b *batcher) pipeline(ctx context.Context, calls []*allowCall) []*redis.Cmd {
	pipe := b.rdb.Pipeline()
	cmds := make([]*redis.Cmd, len(calls))
	for i, c := range calls {
		cmds[i] = allowScript.EvalSha(ctx, pipe, []string{c.key}, c.lim.Burst, c.lim.Rate, c.lim.Period.Seconds(), c.cost)
	}
	_, _ = pipe.Exec(ctx) // each command carries its own error
	return cmds
}

// reply reads the script's answer as redis_rate does.
func reply(cmd *redis.Cmd, err error, lim Limit) allowReply {
	if err != nil {
		return allowReply{err: err}
	}
	vals, ok := cmd.Val().([]any)
	if !ok || len(vals) != 4 {
		return allowReply{err: fmt.Errorf("unexpected reply %v", cmd.Val())}
	}
	allowed, ok1 := vals[0].(int64)
	remaining, ok2 := vals[1].(int64)
	retry, err1 := parseSeconds(vals[2])
	reset, err2 := parseSeconds(vals[3])
	if !ok1 || !ok2 || err1 != nil || err2 != nil {
		return allowReply{err: fmt.Errorf("unexpected reply %v", vals)}
	}
	return allowReply{res: Result{Allowed: allowed > 0, Limit: lim, Remaining: int(remaining), RetryAfter: retry, ResetAfter: reset}}
}

// parseSeconds reads a duration the script formats as seconds; -1 stays -1ns, as in redis_rate.
func parseSeconds(v any) (time.Duration, error) {
	s, _ := v.(string)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, err
	}
	if f == -1 {
		return -1, nil
	}
	return dur(f), nil
}
