package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/commentd/commentd/internal/config"
)

// TestRedisDownLogStaysJSON: what go-redis itself says while Redis is down
// (its pool cannot dial) reaches the service's JSON log as a warning line,
// and every line of that log stays JSON. (Not parallel: go-redis's logger is
// one per process, and the last app built gets it.)
func TestRedisDownLogStaysJSON(t *testing.T) {
	env := testEnv(t, mechanical)
	env["COMMENTD_REDIS_URL"] = "redis://127.0.0.1:1/0" // nothing listens on port 1
	cfg, err := config.Load(getenvFrom(env), "")
	if err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	a, err := build(context.Background(), cfg, slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		t.Fatal(err)
	}
	ta := &testApp{app: a, srv: httptest.NewServer(a.handler), env: env}
	t.Cleanup(ta.stop)
	if r := ta.postJSON(t, comment("down", "text", "posted while Redis is down")); r.Status != 201 {
		t.Fatalf("post with Redis down: %d %s", r.Status, r.Body)
	}
	// go-redis reports the failed dials once its attempts are over, after the
	// request has given up on Redis and been answered.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(logs.String(), `"redis client"`) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	ta.stop()
	var fromRedis int
	for line := range strings.Lines(logs.String()) {
		var rec struct{ Level, Msg, Detail string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("a log line is not JSON (%v): %q", err, line)
			continue
		}
		if rec.Msg == "redis client" && rec.Level == "WARN" && strings.Contains(rec.Detail, "dial") {
			fromRedis++
		}
	}
	if fromRedis == 0 {
		t.Errorf("no line from go-redis about dialling in the log:\n%s", logs.String())
	}
}
