package main

import (
	"context"
	"fmt"
	"maps"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/commentd/commentd/internal/ratelimit"
	"github.com/commentd/commentd/internal/storage/postgres/pgtest"
	"github.com/commentd/commentd/models"
)

// TestPostgresConnectionsKilledMidLoad terminates the instance's PostgreSQL
// connections while visitors post and a moderator marks spam. No request gets
// a 500: the store retries what it safely can, and what is left is a 503 with
// Retry-After. Every comment answered 201 is stored, and every decision
// answered 200 is stored with its lesson.
func TestPostgresConnectionsKilledMidLoad(t *testing.T) {
	ctx := context.Background()
	env := testEnv(t, everyPending)
	url, name := pgtest.Breakable(postgresURL(t))
	env["COMMENTD_DATABASE_URL"] = url
	ta := startApp(t, env)
	// A moderator's own token is looked up in the database on every request
	// (the bootstrap token is not): a lookup that loses its connection must
	// answer 503, not 401.
	if r := ta.do(t, "POST", "/api/v1/moderation/moderators", "application/json",
		[]byte(`{"name":"mo","role":"moderator","password":"a long moderator password"}`), "Authorization", "Bearer "+testToken); r.Status != 201 {
		t.Fatalf("add moderator: %d %s", r.Status, r.Body)
	}
	issued := ta.do(t, "POST", "/api/v1/moderation/moderators/mo/tokens", "application/json", []byte(`{"name":"outage"}`),
		"Authorization", "Bearer "+testToken)
	token, _ := issued.json(t)["token"].(string)
	if issued.Status != 201 || token == "" {
		t.Fatalf("issue token: %d %s", issued.Status, issued.Body)
	}

	const visitors, each, kills = 6, 30, 5
	var (
		mu       sync.Mutex
		acked    = map[int64]models.Status{}
		statuses = map[int]int{}
	)
	answered := func(what string, r response) bool {
		mu.Lock()
		defer mu.Unlock()
		statuses[r.Status]++
		switch {
		case r.Status == 503 && r.Header.Get("Retry-After") == "":
			t.Errorf("%s: 503 without Retry-After", what)
		case r.Status != 201 && r.Status != 200 && r.Status != 503:
			t.Errorf("%s: %d %s", what, r.Status, r.Body)
		}
		return r.Status < 300
	}
	var wg sync.WaitGroup
	for v := range visitors {
		wg.Go(func() {
			for i := range each {
				r := ta.postJSON(t, comment("outage", "text", fmt.Sprintf("visitor %d says %d", v, i),
					"email", fmt.Sprintf("v%d@example.org", v)))
				if !answered("post", r) {
					continue
				}
				id := idOf(t, r)
				mu.Lock()
				acked[id] = models.StatusPending
				mu.Unlock()
				if i%2 == 1 {
					continue
				}
				status := models.Status("") // a 503: pending, or spam if it was lost during its COMMIT
				decided := ta.do(t, "POST", "/api/v1/moderation/comments/"+itoa(id)+"/spam?from=pending", "", nil,
					"Authorization", "Bearer "+token)
				if answered("spam", decided) {
					status = models.StatusSpam
				}
				mu.Lock()
				acked[id] = status
				mu.Unlock()
			}
		})
	}
	killed, err := pgDB.Terminate(ctx, name, kills, 50*time.Millisecond)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d connections terminated; statuses %v", killed, statuses)

	_, lessons := ta.lessonsByComment(t)
	for id, status := range acked {
		c, err := ta.store.GetComment(ctx, id)
		if err != nil || (status != "" && c.Status != status) {
			t.Errorf("comment %d answered as %q: stored %q, %v", id, status, c.Status, err)
		}
		if want := map[models.Status]int{models.StatusSpam: 1}[c.Status]; lessons[id] != want {
			t.Errorf("comment %d is %s with %d lessons, want %d", id, c.Status, lessons[id], want)
		}
	}
}

// redisServer is a redis-server of the test's own on a fixed port, so that
// it can hang, die and come back where the instance looks for it.
type redisServer struct {
	t    *testing.T
	port string
	cmd  *exec.Cmd
}

// startRedisServer starts a Redis of the test's own on a free port, killed
// when the test ends: one that a test may stop, hang or restart.
func startRedisServer(t *testing.T) *redisServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &redisServer{t: t, port: strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)}
	ln.Close()
	t.Cleanup(r.kill)
	r.start()
	return r
}

// url is the redis_url that names r.
func (r *redisServer) url() string { return "redis://127.0.0.1:" + r.port + "/0" }

func (r *redisServer) start() {
	r.cmd = exec.Command("redis-server", "--port", r.port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // not left behind by a test binary that dies
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	waitFor(r.t, 10*time.Second, "redis-server answers", func() bool {
		c, err := net.Dial("tcp", "127.0.0.1:"+r.port)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
}

// kill stops the server; safe when it never started or is already stopped.
func (r *redisServer) kill() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	r.cmd.Process.Kill()
	r.cmd.Wait()
}

// TestRedisOutageMidLoad hangs the instance's Redis (SIGSTOP), lets it
// answer again, kills it and starts it again, while visitors post. Every
// post is answered 201 within a bound (limits run in process meanwhile),
// every 201 is stored, and the instance goes back to limiting on Redis each
// time it answers.
func TestRedisOutageMidLoad(t *testing.T) {
	r := startRedisServer(t)
	env := testEnv(t, everyPending)
	maps.Copy(env, map[string]string{"COMMENTD_REDIS_URL": r.url(),
		"COMMENTD_POST_RATE": "100000", "COMMENTD_POST_BURST": "100000"})
	ta := startInstance(t, env)

	var (
		mu      sync.Mutex
		posted  []int64
		slowest time.Duration
		stop    = make(chan struct{})
		wg      sync.WaitGroup
	)
	for v := range 2 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Millisecond):
				}
				start := time.Now()
				resp := ta.postJSON(t, comment("redis", "text", fmt.Sprintf("visitor %d says %d", v, i)))
				took := time.Since(start)
				if resp.Status != 201 {
					t.Errorf("post: %d %s", resp.Status, resp.Body)
					continue
				}
				mu.Lock()
				posted, slowest = append(posted, idOf(t, resp)), max(slowest, took)
				mu.Unlock()
			}
		})
	}
	state := func(want string) func() bool { return func() bool { return ta.limiter.State() == want } }
	r.cmd.Process.Signal(syscall.SIGSTOP)
	waitFor(t, 10*time.Second, "local limits while redis hangs", state(ratelimit.StateFallback))
	r.cmd.Process.Signal(syscall.SIGCONT)
	waitFor(t, 10*time.Second, "redis limits once it answers", state(ratelimit.StateRedis))
	r.kill()
	waitFor(t, 10*time.Second, "local limits while redis is down", state(ratelimit.StateFallback))
	r.start()
	waitFor(t, 10*time.Second, "redis limits once it is back", state(ratelimit.StateRedis))
	close(stop)
	wg.Wait()
	t.Logf("%d posts, the slowest in %v", len(posted), slowest)
	if slowest > 2*time.Second {
		t.Errorf("a post took %v; the Redis timeout is 150ms", slowest)
	}
	if n := total(ta.queueCounts(t)); int(n) != len(posted) {
		t.Errorf("%v comments stored, %d answered 201", n, len(posted))
	}
}
