package ratelimit

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisAddr is the shared test Redis; TestMain starts it when it does not answer.
const redisAddr = "127.0.0.1:6379"

func TestMain(m *testing.M) {
	if err := ensureRedis(); err != nil {
		fmt.Fprintln(os.Stderr, "ratelimit tests:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// ensureRedis starts redis-server on redisAddr unless something answers there.
func ensureRedis() error {
	if pingAddr(redisAddr, time.Second) == nil {
		return nil
	}
	out, err := exec.Command("redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1",
		"--port", "6379", "--save", "", "--appendonly", "no").CombinedOutput()
	if err != nil {
		return fmt.Errorf("start redis-server: %v: %s", err, out)
	}
	return waitFor(10*time.Second, func() error { return pingAddr(redisAddr, time.Second) })
}

// pingAddr pings the Redis at addr with a throwaway client.
func pingAddr(addr string, timeout time.Duration) error {
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: timeout, ReadTimeout: timeout})
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return rdb.Ping(ctx).Err()
}

// waitFor polls cond until it returns nil or the deadline passes.
func waitFor(within time.Duration, cond func() error) error {
	deadline := time.Now().Add(within)
	for {
		err := cond()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("still failing after %s: %w", within, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// newClient returns a client of the Redis at addr, closed when the test ends.
func newClient(t testing.TB, addr string, ctxTimeouts bool) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: ctxTimeouts})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// testPrefix is a key prefix no other test or run shares.
func testPrefix(t testing.TB) string {
	return "commentd-test:" + t.Name() + ":" + rand.Text()[:10] + ":"
}

// freePort returns a TCP port that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// privateRedis is a redis-server process the test owns.
type privateRedis struct {
	t    *testing.T
	port string
	cmd  *exec.Cmd
}

// startPrivateRedis runs redis-server on port until the test ends or stop.
func startPrivateRedis(t *testing.T, port string) *privateRedis {
	t.Helper()
	p := &privateRedis{t: t, port: port}
	p.start()
	t.Cleanup(p.stop)
	return p
}

func (p *privateRedis) addr() string { return "127.0.0.1:" + p.port }

func (p *privateRedis) start() {
	p.t.Helper()
	p.cmd = exec.Command("redis-server", "--port", p.port, "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no")
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	if err := waitFor(10*time.Second, func() error { return pingAddr(p.addr(), 200*time.Millisecond) }); err != nil {
		p.t.Fatalf("private redis on %s: %v", p.port, err)
	}
}

func (p *privateRedis) stop() {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
	p.cmd = nil
}

// blackhole accepts TCP connections and never answers, like a hung Redis.
func blackhole(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	go func() {
		for {
			c, err := ln.Accept()
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if err == nil {
				mu.Lock()
				conns = append(conns, c)
				mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// clock is a settable time source for Local.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
