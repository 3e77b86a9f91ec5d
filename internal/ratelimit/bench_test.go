package ratelimit

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

var benchLimit = Limit{Rate: 1000, Burst: 1000, Period: time.Second}

// benchAllow calls Allow serially on one key, then from 8 goroutines per CPU
// on 1000 keys, as concurrent requests would.
func benchAllow(b *testing.B, allow func(ctx context.Context, key string) error) {
	ctx := context.Background()
	b.Run("serial", func(b *testing.B) {
		for b.Loop() {
			if err := allow(ctx, "k"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		keys := make([]string, 1000)
		for i := range keys {
			keys[i] = "ip:" + strconv.Itoa(i)
		}
		var next atomic.Uint64
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := allow(ctx, keys[next.Add(1)%uint64(len(keys))]); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

func BenchmarkLocalAllow(b *testing.B) {
	lc := NewLocal(nil)
	benchAllow(b, func(ctx context.Context, key string) error {
		_, err := lc.Allow(ctx, key, benchLimit)
		return err
	})
}

func BenchmarkRedisAllow(b *testing.B) {
	for _, ctxTimeouts := range []bool{true, false} {
		for _, p := range []struct {
			name string
			mode pipelining
		}{{"batch", pipelineBatch}, {"autopipeline", pipelineAuto}, {"off", pipelineOff}} {
			b.Run("ContextTimeoutEnabled="+strconv.FormatBool(ctxTimeouts)+"/pipelining="+p.name, func(b *testing.B) {
				r := newRedis(newClient(b, redisAddr, ctxTimeouts), testPrefix(b), time.Second, p.mode)
				benchAllow(b, func(ctx context.Context, key string) error {
					_, err := r.Allow(ctx, key, benchLimit)
					return err
				})
			})
		}
	}
}
