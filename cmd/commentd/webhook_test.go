package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/commentd/commentd/internal/webhook"
	"github.com/commentd/commentd/models"
)

const hookSecret = "test-webhook-secret-0123456789"

// hookReceiver is a webhook endpoint: it verifies every signature and can be down.
type hookReceiver struct {
	srv  *httptest.Server
	down atomic.Bool
	hits atomic.Int64 // requests, answered or not
	bad  atomic.Int64 // requests whose signature did not verify
	mu   sync.Mutex
	got  []webhook.Payload
}

func newHookReceiver(t *testing.T) *hookReceiver {
	r := &hookReceiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.hits.Add(1)
		if r.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		body, _ := io.ReadAll(req.Body)
		if err := webhook.Verify([]byte(hookSecret), req.Header, body, time.Now(), time.Minute); err != nil {
			r.bad.Add(1)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var p webhook.Payload
		if err := json.Unmarshal(body, &p); err != nil || req.Header.Get(webhook.HeaderEvent) != p.Type {
			r.bad.Add(1)
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		r.got = append(r.got, p)
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// byID returns the deliveries in event order, and how often each event came.
func (r *hookReceiver) byID() ([]webhook.Payload, map[int64]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[int64]int{}
	var out []webhook.Payload
	for _, p := range r.got {
		if seen[p.ID]++; seen[p.ID] == 1 {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b webhook.Payload) int { return int(a.ID - b.ID) })
	return out, seen
}

func (r *hookReceiver) wantEvents(t *testing.T, n int) []webhook.Payload {
	t.Helper()
	waitFor(t, 20*time.Second, fmt.Sprintf("%d webhook events", n), func() bool {
		got, _ := r.byID()
		return len(got) >= n
	})
	got, seen := r.byID()
	if len(got) != n {
		t.Fatalf("%d events delivered, want %d: %+v", len(got), n, got)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("event %d delivered %d times", id, k)
		}
	}
	if b := r.bad.Load(); b != 0 {
		t.Errorf("%d deliveries failed verification", b)
	}
	return got
}

func hookEnv(t *testing.T, r *hookReceiver, extra map[string]string) map[string]string {
	env := testEnv(t, extra)
	env["COMMENTD_WEBHOOKS"] = r.srv.URL + "/hooks/commentd"
	env["COMMENTD_WEBHOOK_SECRET"] = hookSecret
	env["COMMENTD_WEBHOOK_BACKOFF"] = "50ms"
	return env
}

// startHooked starts an app with its background loops; stopHooked ends both.
func startHooked(t *testing.T, env map[string]string) (*testApp, func()) {
	t.Helper()
	ta := startApp(t, maps.Clone(env))
	ctx, cancel := context.WithCancel(context.Background())
	ta.app.runBackground(ctx)
	t.Cleanup(cancel)
	return ta, func() { cancel(); ta.stop() }
}

func TestWebhooksDeliverSignedEvents(t *testing.T) {
	r := newHookReceiver(t)
	ta, _ := startHooked(t, hookEnv(t, r, nil))
	id := idOf(t, ta.postJSON(t, comment("2026/sourdough")))
	for _, act := range []string{"/spam", "/restore", "/approve"} {
		if res := ta.mod(t, "POST", "/comments/"+itoa(id)+act); res.Status != 200 {
			t.Fatalf("%s: %d %s", act, res.Status, res.Body)
		}
	}
	if res := ta.mod(t, "DELETE", "/comments/"+itoa(id)); res.Status != 204 {
		t.Fatalf("delete: %d", res.Status)
	}
	got := r.wantEvents(t, 6)
	want := []struct {
		typ    string
		from   models.Status
		status models.Status // of the comment carried; "" for none
	}{
		{models.EventCreated, "", models.StatusApproved}, {models.EventApproved, "", models.StatusApproved},
		{models.EventSpam, models.StatusApproved, models.StatusSpam}, {models.EventQueued, models.StatusSpam, models.StatusPending},
		{models.EventApproved, models.StatusPending, models.StatusApproved}, {models.EventDeleted, models.StatusApproved, ""},
	}
	for i, p := range got {
		w := want[i]
		status := models.Status("")
		if p.Comment != nil {
			status = p.Comment.Status
			if p.Comment.ID != id || p.Comment.Post != "2026/sourdough" || p.Comment.Text == "" {
				t.Errorf("event %d carries %+v", i, p.Comment)
			}
		}
		if p.Type != w.typ || p.From != w.from || status != w.status || p.CommentID != id || p.CreatedAt.IsZero() {
			t.Errorf("event %d = %s from %q, comment %q; want %s from %q, comment %q", i, p.Type, p.From, status, w.typ, w.from, w.status)
		}
		if i >= 2 && p.Actor != "admin-token" {
			t.Errorf("event %d (%s): actor %q, want the moderator", i, p.Type, p.Actor)
		}
	}
}

func TestWebhooksReceiverDownThenUp(t *testing.T) {
	r := newHookReceiver(t)
	r.down.Store(true)
	ta, _ := startHooked(t, hookEnv(t, r, nil))
	var ids []int64
	for i := range 3 {
		ids = append(ids, idOf(t, ta.postJSON(t, comment("down", "text", fmt.Sprintf("comment %d while the receiver is down, about bread", i)))))
	}
	if res := ta.mod(t, "POST", "/comments/"+itoa(ids[0])+"/trash"); res.Status != 200 {
		t.Fatalf("trash: %d", res.Status)
	}
	waitFor(t, 10*time.Second, "retries against the down receiver", func() bool { return r.hits.Load() >= 3 })
	r.down.Store(false)
	got := r.wantEvents(t, 7)
	if got[len(got)-1].Type != models.EventTrashed {
		t.Errorf("last event %s, want the trash decision", got[len(got)-1].Type)
	}
}

func TestWebhooksSurviveRestart(t *testing.T) {
	r := newHookReceiver(t)
	r.down.Store(true)
	env := hookEnv(t, r, nil)
	a, stopA := startHooked(t, env)
	a.postJSON(t, comment("restart", "text", "posted before the restart, the first"))
	a.postJSON(t, comment("restart", "text", "posted before the restart, the second"))
	waitFor(t, 10*time.Second, "a delivery attempt before the restart", func() bool { return r.hits.Load() >= 1 })
	stopA()
	b, _ := startHooked(t, env)
	b.postJSON(t, comment("restart", "text", "posted after the restart"))
	r.down.Store(false)
	got := r.wantEvents(t, 6)
	texts := map[string]bool{}
	for _, p := range got {
		if p.Comment != nil {
			texts[p.Comment.Text] = true
		}
	}
	if len(texts) != 3 {
		t.Errorf("comments delivered: %v, want all three", texts)
	}
}

func TestWebhooksClusterDeliversOnce(t *testing.T) {
	r := newHookReceiver(t)
	env := hookEnv(t, r, nil)
	env["COMMENTD_DATABASE_URL"] = postgresURL(t)
	env["COMMENTD_REDIS_TIMEOUT"] = "5s"
	a, _ := startHooked(t, env)
	b, _ := startHooked(t, env)
	const n = 20
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			ta := []*testApp{a, b}[i%2]
			if res := ta.postJSON(t, comment("cluster", "text", fmt.Sprintf("comment number %d from the cluster about rye", i))); res.Status != 201 {
				t.Errorf("post %d: %d %s", i, res.Status, res.Body)
			}
		})
	}
	wg.Wait()
	r.wantEvents(t, 2*n)
}
