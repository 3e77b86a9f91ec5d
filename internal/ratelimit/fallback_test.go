package ratelimit

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// logBuffer collects log output from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) count(s string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Count(b.buf.String(), s)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newLogger() (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	return slog.New(slog.NewTextHandler(b, nil)), b
}

// runFallback runs f's probe loop until the test ends.
func runFallback(t *testing.T, f *Fallback) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func waitState(t *testing.T, f *Fallback, want string) {
	t.Helper()
	err := waitFor(10*time.Second, func() error {
		if got := f.State(); got != want {
			return fmt.Errorf("state %q", got)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("waiting for state %q: %v", want, err)
	}
}

func TestFallbackDisabled(t *testing.T) {
	f := NewFallback(nil, nil, nil, 0)
	if got := f.State(); got != StateDisabled {
		t.Errorf("State = %q, want %q", got, StateDisabled)
	}
	lim := Limit{Rate: 1, Burst: 2, Period: time.Hour}
	for i, want := range []bool{true, true, false} {
		if got := f.Allow(context.Background(), "k", lim); got.Allowed != want {
			t.Errorf("call %d: %+v, want allowed=%v", i, got, want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f.Run(ctx) // returns at once
}

// TestFallbackRedisRestart kills a private Redis under a Fallback and starts
// it again on the same port.
func TestFallbackRedisRestart(t *testing.T) {
	for _, ctxTimeouts := range []bool{false, true} {
		t.Run(fmt.Sprintf("ContextTimeoutEnabled=%v", ctxTimeouts), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			srv := startPrivateRedis(t, freePort(t))
			rdb := newClient(t, srv.addr(), ctxTimeouts)
			prefix := testPrefix(t)
			logger, logs := newLogger()
			f := NewFallback(NewRedis(rdb, prefix, 200*time.Millisecond), NewLocal(nil), logger, 20*time.Millisecond)
			runFallback(t, f)
			lim := Limit{Rate: 1, Burst: 2, Period: time.Hour}

			if res := f.Allow(ctx, "k", lim); !res.Allowed || res.Remaining != 1 || f.State() != StateRedis {
				t.Fatalf("with redis up: %+v, state %q", res, f.State())
			}
			if n, err := rdb.Exists(ctx, "rate:"+prefix+"k").Result(); err != nil || n != 1 {
				t.Fatalf("key not on redis: %d, %v", n, err)
			}

			srv.stop()
			for i, want := range []bool{true, true, false} { // the local budget starts afresh
				start := time.Now()
				res := f.Allow(ctx, "k", lim)
				if took := time.Since(start); took > time.Second {
					t.Errorf("call %d with redis down took %v", i, took)
				}
				if res.Allowed != want {
					t.Errorf("call %d with redis down: %+v, want allowed=%v", i, res, want)
				}
			}
			if got := f.State(); got != StateFallback {
				t.Errorf("State = %q with redis down, want %q", got, StateFallback)
			}

			srv.start()
			waitState(t, f, StateRedis)
			if res := f.Allow(ctx, "k", lim); !res.Allowed || res.Remaining != 1 {
				t.Errorf("with redis back (empty): %+v", res)
			}
			if n, err := rdb.Exists(ctx, "rate:"+prefix+"k").Result(); err != nil || n != 1 {
				t.Errorf("key not on the restarted redis: %d, %v", n, err)
			}
			if down, up := logs.count("redis unavailable"), logs.count("redis answers again"); down != 1 || up != 1 {
				t.Errorf("logged %d switches to local and %d back, want 1 and 1:\n%s", down, up, logs)
			}
		})
	}
}

func TestFallbackTimeout(t *testing.T) {
	const timeout = 100 * time.Millisecond
	addr := blackhole(t)
	for _, ctxTimeouts := range []bool{false, true} {
		t.Run(fmt.Sprintf("ContextTimeoutEnabled=%v", ctxTimeouts), func(t *testing.T) {
			f := NewFallback(NewRedis(newClient(t, addr, ctxTimeouts), testPrefix(t), timeout), nil, nil, time.Hour)
			start := time.Now()
			res := f.Allow(context.Background(), "k", Limit{Rate: 1, Burst: 1, Period: time.Minute})
			if took := time.Since(start); took > timeout+500*time.Millisecond {
				t.Errorf("Allow took %v with a %v timeout", took, timeout)
			}
			if !res.Allowed || f.State() != StateFallback {
				t.Errorf("got %+v, state %q; want allowed locally, %q", res, f.State(), StateFallback)
			}
		})
	}
}

// TestFallbackProbe: one probe puts the limiter where Redis's answer says,
// before any request has failed on it.
func TestFallbackProbe(t *testing.T) {
	tests := []struct {
		name string
		addr string
		want string
	}{
		{"redis answers", redisAddr, StateRedis},
		{"nothing listens", closedPort(t), StateFallback},
		{"no answer", blackhole(t), StateFallback},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewFallback(NewRedis(newClient(t, tt.addr, true), testPrefix(t), 100*time.Millisecond), nil, nil, time.Hour)
			if f.State() != StateRedis {
				t.Fatalf("before the probe: %q", f.State())
			}
			f.Probe(t.Context())
			if f.State() != tt.want {
				t.Errorf("after the probe: %q, want %q", f.State(), tt.want)
			}
		})
	}
}

// closedPort is a local address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestFallbackKeepsRedis(t *testing.T) {
	lim := Limit{Rate: 1, Burst: 2, Period: time.Minute}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		limit   Limit
		allowed bool
		logged  string
	}{
		{"caller gave up", canceled, lim, true, ""},
		{"invalid limit", context.Background(), Limit{Rate: 0, Burst: 1, Period: time.Minute}, false, "invalid limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logger, logs := newLogger()
			f := NewFallback(NewRedis(newClient(t, redisAddr, true), testPrefix(t), time.Second), nil, logger, time.Hour)
			for range 2 {
				if res := f.Allow(tt.ctx, "k", tt.limit); res.Allowed != tt.allowed {
					t.Errorf("got %+v, want allowed=%v", res, tt.allowed)
				}
			}
			if got := f.State(); got != StateRedis {
				t.Errorf("State = %q, want %q", got, StateRedis)
			}
			if tt.logged != "" && logs.count(tt.logged) != 1 {
				t.Errorf("want %q logged once:\n%s", tt.logged, logs)
			}
		})
	}
}
