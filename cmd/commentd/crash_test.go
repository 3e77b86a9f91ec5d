package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/commentd/commentd/internal/spam"
	"github.com/commentd/commentd/models"
)

// childServe is the variable that makes the test binary run serve (see
// TestMain), so that a test can kill a real server process.
const childServe = "COMMENTD_TEST_CHILD_SERVE"

// serveChild runs serve on the environment as main does, until SIGTERM or SIGKILL.
func serveChild() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, []string{"serve"}, os.Getenv, strings.NewReader(""), io.Discard, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// startChild starts serve on env in a process of its own and returns it
// with the address it listens on.
func startChild(t *testing.T, env map[string]string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childServe+"=1")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewScanner(stderr)
	for lines.Scan() {
		var m map[string]any
		if json.Unmarshal(lines.Bytes(), &m) == nil && m["msg"] == "listening" {
			go io.Copy(io.Discard, stderr)
			return cmd, m["addr"].(string)
		}
	}
	t.Fatal("the child did not say where it listens")
	return nil, ""
}

// request sends a body to the child and returns the status and the decoded
// answer; an error means the process is gone.
func request(url, token, body string) (int, map[string]any, error) {
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, m, nil
}

// TestStoppedRightAfterAcknowledging runs serve on SQLite in a process of its
// own and stops it the moment it answers a 201, with other posts and spam
// decisions in flight: by SIGKILL (no shutdown, no final snapshot) or by
// SIGTERM (a graceful stop). Restarted, it has every comment it answered
// 201 with its webhook events and every decision it answered 200 with its
// lesson, and its model is the starter model plus each lesson of the log
// exactly once, restored from a snapshot: one taken before the kill, or the
// final one.
func TestStoppedRightAfterAcknowledging(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) { stopRightAfterAcknowledging(t, sig) })
	}
}

func stopRightAfterAcknowledging(t *testing.T, sig syscall.Signal) {
	env := testEnv(t, everyPending)
	maps.Copy(env, map[string]string{"COMMENTD_ADDR": "127.0.0.1:0", "COMMENTD_LOG_LEVEL": "info",
		"COMMENTD_SNAPSHOT_EVERY": "4", "COMMENTD_WEBHOOKS": "http://127.0.0.1:1/hooks", "COMMENTD_WEBHOOK_SECRET": hookSecret})
	child, addr := startChild(t, env)
	const posters, stopAfter = 6, 60
	var (
		mu      sync.Mutex
		posted  = map[int64]string{} // answered 201: id -> text
		decided = map[int64]bool{}   // answered 200 to a spam decision
		stop    sync.Once
		wg      sync.WaitGroup
	)
	for p := range posters {
		wg.Go(func() {
			for i := 0; ; i++ {
				text := fmt.Sprintf("poster %d, comment %d", p, i)
				b, _ := json.Marshal(comment("crash", "text", text, "email", fmt.Sprintf("p%d@example.org", p)))
				status, m, err := request("http://"+addr+"/api/v1/comments", "", string(b))
				if err != nil {
					return // stopped
				}
				if status != 201 {
					t.Errorf("post: %d %v", status, m)
					return
				}
				id := int64(m["id"].(float64))
				mu.Lock()
				posted[id] = text
				n := len(posted)
				mu.Unlock()
				if n == stopAfter {
					stop.Do(func() { child.Process.Signal(sig) })
				}
				if i%3 != 0 {
					continue
				}
				status, m, err = request("http://"+addr+"/api/v1/moderation/comments/"+itoa(id)+"/spam?from=pending", testToken, "")
				if err != nil {
					return
				}
				if status != 200 {
					t.Errorf("spam %d: %d %v", id, status, m)
					return
				}
				mu.Lock()
				decided[id] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := child.Wait(); (err == nil) != (sig == syscall.SIGTERM) {
		t.Errorf("the child ended with %v after %v", err, sig)
	}
	t.Logf("stopped after %d comments and %d decisions acknowledged", len(posted), len(decided))

	a := startApp(t, env)
	ctx := t.Context()
	hooks, err := a.store.ClaimWebhookEvents(ctx, time.Now().Add(1000*time.Hour), time.Minute, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	events := map[string]int{} // comment id and type
	for _, e := range hooks {
		events[fmt.Sprint(e.CommentID, e.Type, e.From)]++
	}
	log, lessons := a.lessonsByComment(t)
	for id, text := range posted {
		c, err := a.store.GetComment(ctx, id)
		if err != nil || c.Text != text {
			t.Errorf("comment %d answered 201: %+v, %v", id, c, err)
			continue
		}
		if events[fmt.Sprint(id, models.EventCreated)] != 1 || events[fmt.Sprint(id, models.EventQueued)] != 1 {
			t.Errorf("comment %d answered 201 without its webhook events: %v", id, hooks)
		}
		if decided[id] && (c.Status != models.StatusSpam || lessons[id] != 1 || events[fmt.Sprint(id, models.EventSpam, models.StatusPending)] != 1) {
			t.Errorf("comment %d marked spam (200): %s with %d lessons", id, c.Status, lessons[id])
		}
	}
	for id, n := range lessons {
		if n != 1 {
			t.Errorf("comment %d has %d lessons, want 1", id, n)
		}
	}

	snap, err := a.store.LatestSnapshot(ctx)
	if err != nil || snap.LastEventID == 0 || (sig == syscall.SIGTERM && snap.LastEventID != log[len(log)-1].ID) {
		t.Fatalf("the latest snapshot holds lessons up to %d, %v; the log has %d", snap.LastEventID, err, len(log))
	}
	want := spam.NewStarterModel()
	for _, e := range log {
		if e.Delta > 0 {
			want.Learn(e.Tokens, e.Class)
		} else {
			want.Unlearn(e.Tokens, e.Class)
		}
	}
	got, exact := a.filter.Stats(), want.Stats()
	got.MemoryBytes, exact.MemoryBytes = 0, 0
	if got != exact {
		t.Errorf("model after the restart %+v, want the starter model and each of %d lessons once: %+v", got, len(log), exact)
	}
	t.Logf("restored from the snapshot at lesson %d of %d", snap.LastEventID, len(log))
}
