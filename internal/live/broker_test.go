package live

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/commentd/commentd/models"
)

// redisAddr is the test Redis, started by the test command (scripts/services.sh).
const redisAddr = "127.0.0.1:6379"

func testRedis(t *testing.T) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
	t.Cleanup(func() { rdb.Close() })
	if err := rdb.Ping(t.Context()).Err(); err != nil {
		t.Fatalf("Redis on %s: %v (make test starts it)", redisAddr, err)
	}
	return rdb
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestPublishReachesOtherInstances: events published concurrently on one
// broker reach a local subscriber at once and every other broker on the
// channel exactly once each, however the sender batches them.
func TestPublishReachesOtherInstances(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	channel := "commentd-test:live:" + rand.Text()
	a := New(testRedis(t), channel, quiet(), nil)
	got := make(chan models.Event, 4096)
	b := New(testRedis(t), channel, quiet(), func(e models.Event) { got <- e })
	go b.Run(ctx)
	waitSubscribed(t, testRedis(t), channel)

	local := a.Subscribe(ctx)
	const writers, each = 8, 250
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				a.Publish(ctx, models.Event{Type: "comment.created", CommentID: int64(w*each + i + 1)})
			}
		})
	}
	wg.Wait()
	if n := len(local); n != subscriberBuffer {
		t.Errorf("local subscriber holds %d events, want its buffer full (%d)", n, subscriberBuffer)
	}
	seen := map[int64]bool{}
	timeout := time.After(30 * time.Second)
	for len(seen) < writers*each {
		select {
		case e := <-got:
			if seen[e.CommentID] {
				t.Fatalf("event %d arrived twice", e.CommentID)
			}
			seen[e.CommentID] = true
		case <-timeout:
			t.Fatalf("other instance got %d of %d events", len(seen), writers*each)
		}
	}
}

// TestPublishWithoutRedisAnswering: a broker whose Redis does not answer still
// delivers locally, never blocks its callers, and holds a bounded backlog.
func TestPublishWithoutRedisAnswering(t *testing.T) {
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 50 * time.Millisecond})
	defer dead.Close()
	b := New(dead, "commentd-test:dead", quiet(), nil)
	local := b.Subscribe(t.Context())
	for i := range 3 * maxPending {
		b.Publish(t.Context(), models.Event{Type: "comment.created", CommentID: int64(i + 1)})
	}
	if e := <-local; e.CommentID != 1 {
		t.Errorf("first local event is %d, want 1", e.CommentID)
	}
	b.out.Lock()
	n := len(b.pending)
	b.out.Unlock()
	if n > maxPending {
		t.Errorf("%d events wait for Redis, want at most %d", n, maxPending)
	}
}

// waitSubscribed waits until a subscriber listens on channel.
func waitSubscribed(t *testing.T, rdb *redis.Client, channel string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := rdb.PubSubNumSub(t.Context(), channel).Result()
		if err == nil && n[channel] > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no subscriber on %s: %v", channel, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRelayReadsOneEventMessages: a message in the one-event form (instances
// of earlier versions, during a rolling upgrade) is relayed too.
func TestRelayReadsOneEventMessages(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	rdb := testRedis(t)
	channel := "commentd-test:live:" + rand.Text()
	got := make(chan models.Event, 1)
	b := New(rdb, channel, quiet(), func(e models.Event) { got <- e })
	go b.Run(ctx)
	waitSubscribed(t, rdb, channel)
	msg := `{"instance":"older","event":{"type":"comment.approved","comment_id":7,"post":"p","status":"approved"}}`
	if err := rdb.Publish(ctx, channel, msg).Err(); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-got:
		if e.Type != "comment.approved" || e.CommentID != 7 {
			t.Errorf("relayed %+v", e)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the one-event message was not relayed")
	}
}

// TestLoneEventKeepsTheOneEventForm: a message carrying one event uses the
// form instances of earlier versions read, so a rolling upgrade loses nothing.
func TestLoneEventKeepsTheOneEventForm(t *testing.T) {
	rdb := testRedis(t)
	channel := "commentd-test:live:" + rand.Text()
	sub := rdb.Subscribe(t.Context(), channel)
	defer sub.Close()
	if _, err := sub.Receive(t.Context()); err != nil {
		t.Fatal(err)
	}
	New(rdb, channel, quiet(), nil).Publish(t.Context(), models.Event{Type: "policy.changed"})
	select {
	case msg := <-sub.Channel():
		if !strings.Contains(msg.Payload, `"event":{"type":"policy.changed"`) || strings.Contains(msg.Payload, `"events"`) {
			t.Errorf("message %s, want the one-event form", msg.Payload)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("nothing published")
	}
}
