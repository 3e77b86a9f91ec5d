package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// scoreOf reads a comment's stored score from the moderation queue.
// status "" looks in every queue.
func (ta *testApp) scoreOf(t *testing.T, status string, id int64) float64 {
	t.Helper()
	statuses := []string{status}
	if status == "" {
		statuses = []string{"approved", "pending", "spam", "trash"}
	}
	for _, s := range statuses {
		r := ta.mod(t, "GET", "/queue?status="+s+"&limit=200")
		for _, c := range r.json(t)["comments"].([]any) {
			m := c.(map[string]any)
			if int64(m["id"].(float64)) == id {
				return m["score"].(float64)
			}
		}
	}
	t.Fatalf("comment %d not in %v", id, statuses)
	return 0
}

func TestQueueAndModelSurviveRestart(t *testing.T) {
	for _, graceful := range []bool{true, false} {
		name := map[bool]string{true: "graceful stop", false: "crash without snapshot"}[graceful]
		t.Run(name, func(t *testing.T) {
			env := testEnv(t, map[string]string{"COMMENTD_HAM_THRESHOLD": "0.999", "COMMENTD_SPAM_THRESHOLD": "1", "COMMENTD_HELD_WORDS": "hold"})
			a := startApp(t, env)
			probe := "zorblax quuxifier frobnicate wibblewort"
			before := a.scoreOf(t, "", idOf(t, a.postJSON(t, comment("probe1", "text", probe, "email", "p1@example.org"))))
			held := idOf(t, a.postJSON(t, comment("q", "text", "please hold this one")))
			for i := 0; i < 6; i++ {
				id := idOf(t, a.postJSON(t, comment("train", "text", probe+" number "+itoa(int64(i)), "email", "s"+itoa(int64(i))+"@example.org")))
				if r := a.mod(t, "POST", "/comments/"+itoa(id)+"/spam"); r.Status != 200 && r.Status != 409 {
					t.Fatalf("spam: %d %s", r.Status, r.Body)
				}
			}
			trained := a.scoreOf(t, "", idOf(t, a.postJSON(t, comment("probe2", "text", probe, "email", "p2@example.org"))))
			if trained <= before {
				t.Fatalf("training did not move the score: %v -> %v", before, trained)
			}
			if graceful {
				a.stop()
			} else {
				a.srv.Close()
				a.srv = nil
				a.app.close() // no snapshot: the training log alone must restore the model
			}

			b := startApp(t, env)
			if c := b.queueCounts(t); c["pending"] < 1 || c["spam"] < 6 || total(c) != 9 {
				t.Fatalf("queue after restart: %v", c)
			}
			b.scoreOf(t, "pending", held)
			after := b.scoreOf(t, "", idOf(t, b.postJSON(t, comment("probe3", "text", probe, "email", "p3@example.org"))))
			if diff := after - trained; diff > 1e-9 || diff < -1e-9 {
				t.Fatalf("model changed across restart: %v -> %v", trained, after)
			}
		})
	}
}

// TestServeShutsDownGracefully runs the real serve command on a free port and stops it
// the way SIGTERM does (the context ends), with a console's event stream open:
// the stream ends at once instead of holding the shutdown to its timeout (20s),
// and the final snapshot is taken.
func TestServeShutsDownGracefully(t *testing.T) {
	env := testEnv(t, map[string]string{"COMMENTD_ADDR": "127.0.0.1:0", "COMMENTD_LOG_LEVEL": "info"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, getenvFrom(env), strings.NewReader(""), io.Discard, pw)
		pw.Close()
	}()

	lines := bufio.NewScanner(pr)
	addr := ""
	for addr == "" && lines.Scan() {
		var m map[string]any
		if json.Unmarshal(lines.Bytes(), &m) == nil && m["msg"] == "listening" {
			addr = m["addr"].(string)
		}
	}
	if addr == "" {
		t.Fatal("serve did not say where it listens")
	}
	go io.Copy(io.Discard, pr)
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/moderation/events", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	stream, err := http.DefaultClient.Do(req)
	if err != nil || stream.StatusCode != 200 {
		t.Fatalf("event stream: %v %v", err, stream)
	}
	defer stream.Body.Close()
	streamEnded := make(chan struct{})
	go func() { io.Copy(io.Discard, stream.Body); close(streamEnded) }()
	body := `{"post":"s","author":"a","email":"a@example.org","text":"hello from a real server"}`
	resp, err := http.Post("http://"+addr+"/api/v1/comments", "application/json", strings.NewReader(body))
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("post: %v %v", err, resp)
	}
	resp.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop within 10s")
	}
	<-streamEnded
	b := startApp(t, env)
	if c := b.queueCounts(t); total(c) != 1 {
		t.Fatalf("acknowledged comment lost: %v", c)
	}
	if _, err := b.store.LatestSnapshot(t.Context()); err != nil {
		t.Fatalf("no final snapshot: %v", err)
	}
}
