package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/commentd/commentd/internal/storage/sqlite"
	"github.com/commentd/commentd/models"
)

const secret = "a webhook secret of some length"

func TestSignVerify(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"id":1,"type":"comment.created"}`)
	signed := func(ts time.Time, b []byte, key string) http.Header {
		h := http.Header{}
		s := formatUnix(ts)
		h.Set(HeaderTimestamp, s)
		h.Set(HeaderSignature, Sign([]byte(key), s, b))
		return h
	}
	tests := []struct {
		name string
		h    http.Header
		body []byte
		ok   bool
	}{
		{"valid", signed(now, body, secret), body, true},
		{"four minutes old", signed(now.Add(-4*time.Minute), body, secret), body, true},
		{"replayed an hour later", signed(now.Add(-time.Hour), body, secret), body, false},
		{"from the future", signed(now.Add(time.Hour), body, secret), body, false},
		{"body changed", signed(now, body, secret), []byte(`{"id":2,"type":"comment.created"}`), false},
		{"other secret", signed(now, body, "another secret"), body, false},
		{"no headers", http.Header{}, body, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify([]byte(secret), tt.h, tt.body, now, 5*time.Minute)
			if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrSignature)) {
				t.Fatalf("Verify = %v, want ok=%v", err, tt.ok)
			}
		})
	}
	if got := Sign([]byte("k"), "1", []byte("b")); len(got) != len("sha256=")+64 || got[:7] != "sha256=" {
		t.Errorf("Sign = %q, want sha256= and 64 hex digits", got)
	}
}

func formatUnix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestBackoff(t *testing.T) {
	d := New(nil, Options{Backoff: time.Second, MaxBackoff: 10 * time.Second}, slog.New(slog.DiscardHandler))
	for _, tt := range []struct {
		n        int
		min, max time.Duration
	}{{1, 900 * time.Millisecond, 1100 * time.Millisecond}, {2, 1800 * time.Millisecond, 2200 * time.Millisecond},
		{4, 7200 * time.Millisecond, 8800 * time.Millisecond}, {5, 9 * time.Second, 11 * time.Second}, {40, 9 * time.Second, 11 * time.Second}} {
		for _, jitter := range []float64{0, 0.3, 0.999} {
			if b := d.backoff(tt.n, jitter); b < tt.min || b > tt.max {
				t.Fatalf("backoff(%d) = %v, want %v..%v", tt.n, b, tt.min, tt.max)
			}
		}
	}
}

// receiver is a webhook endpoint that checks signatures and can be down.
type receiver struct {
	t    *testing.T
	srv  *httptest.Server
	down atomic.Bool
	hits atomic.Int64 // requests, answered or not
	mu   sync.Mutex
	got  []Payload
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.hits.Add(1)
		if r.down.Load() {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		b, _ := io.ReadAll(req.Body)
		if err := Verify([]byte(secret), req.Header, b, time.Now(), time.Minute); err != nil {
			t.Errorf("delivery to %s: %v", r.srv.URL, err)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var p Payload
		if err := json.Unmarshal(b, &p); err != nil || req.Header.Get(HeaderEvent) != p.Type || req.Header.Get(HeaderDelivery) != itoa(p.ID) {
			t.Errorf("delivery %s: %v, headers %v", b, err, req.Header)
		}
		r.mu.Lock()
		r.got = append(r.got, p)
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) payloads() []Payload {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Payload(nil), r.got...)
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// tally is an Observer that adds up the deliveries it is told about.
type tally struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *tally) Delivery(outcome string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[outcome] += n
}

func (c *tally) get(outcome string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[outcome]
}

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "outbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.RecordWebhookEvents(true)
	return s
}

func TestDeliveryAndRetry(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store := openStore(t)
	a, b := newReceiver(t), newReceiver(t)
	b.down.Store(true)
	counted := &tally{}
	d := New(store, Options{Endpoints: []string{a.srv.URL, b.srv.URL + "/hook?token=x"}, Secret: secret,
		Backoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, Poll: 10 * time.Millisecond, Observer: counted},
		slog.New(slog.DiscardHandler))
	go d.Run(ctx)

	c := models.Comment{Post: "p", Author: "Ann", Email: "ann@example.org", Text: "hello", Status: models.StatusPending}
	if err := store.CreateComment(ctx, &c); err != nil {
		t.Fatal(err)
	}
	d.Publish(ctx, models.Event{})
	waitFor(t, "A to get both events", func() bool { return len(a.payloads()) == 2 })
	time.Sleep(150 * time.Millisecond) // B is retried meanwhile: A must not get them again
	b.down.Store(false)
	waitFor(t, "B to get both events once it is up", func() bool { return len(b.payloads()) == 2 })
	for _, r := range []*receiver{a, b} {
		got := r.payloads()
		slices.SortFunc(got, func(x, y Payload) int { return int(x.ID - y.ID) }) // retries may reorder
		if len(got) != 2 || got[0].Type != models.EventCreated || got[1].Type != models.EventQueued ||
			got[0].Comment == nil || got[0].Comment.ID != c.ID || got[0].CommentID != c.ID || got[0].ID == got[1].ID {
			t.Errorf("%s got %+v", r.srv.URL, got)
		}
	}
	if n := len(a.payloads()); n != 2 {
		t.Errorf("A got %d deliveries, want 2 (no repeats while B was retried)", n)
	}
	// Two events to each of two endpoints; every other request to B failed.
	waitFor(t, "4 deliveries counted", func() bool { return counted.get("delivered") == 4 })
	if f, g := counted.get("failed"), counted.get("gave_up"); f < 1 || int64(f) != b.hits.Load()-2 || g != 0 {
		t.Errorf("counted %d failed requests (B answered %d, 2 of them successes), %d given up", f, b.hits.Load(), g)
	}
}

func TestGiveUp(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	a := newReceiver(t)
	a.down.Store(true)
	counted := &tally{}
	d := New(store, Options{Endpoints: []string{a.srv.URL}, Secret: secret, Backoff: time.Minute, RetryFor: time.Hour, Observer: counted},
		slog.New(slog.DiscardHandler))
	c := models.Comment{Post: "p", Author: "Ann", Email: "ann@example.org", Text: "hello", Status: models.StatusSpam}
	if err := store.CreateComment(ctx, &c); err != nil {
		t.Fatal(err)
	}
	clock := time.Now()
	d.now = func() time.Time { return clock }
	// One request per attempt: after the first failure the rest of the batch
	// waits. failed and gaveUp are the counts so far: requests, and both
	// events (comment.created and comment.spam) for the one endpoint.
	steps := []struct {
		advance        time.Duration
		hits           int64
		failed, gaveUp int
	}{
		{0, 1, 1, 0},                // tried, failed, retried in a minute
		{30 * time.Second, 0, 1, 0}, // not due yet
		{2 * time.Minute, 1, 2, 0},  // tried again, retried in two minutes
		{2 * time.Hour, 1, 3, 2},    // tried once more, past RetryFor: given up
		{100 * time.Hour, 0, 3, 2},  // done: never tried again
	}
	for i, st := range steps {
		clock = clock.Add(st.advance)
		before := a.hits.Load()
		if err := d.drain(ctx); err != nil {
			t.Fatal(err)
		}
		if n := a.hits.Load() - before; n != st.hits {
			t.Fatalf("step %d: %d requests, want %d", i, n, st.hits)
		}
		if f, g := counted.get("failed"), counted.get("gave_up"); f != st.failed || g != st.gaveUp || counted.get("delivered") != 0 {
			t.Fatalf("step %d: counted %d failed, %d given up, %d delivered; want %d, %d, 0", i, f, g, counted.get("delivered"), st.failed, st.gaveUp)
		}
	}
	a.down.Store(false)
	if err := d.drain(ctx); err != nil {
		t.Fatal(err)
	}
	if got := a.payloads(); len(got) != 0 {
		t.Errorf("given-up events delivered: %+v", got)
	}
}
