// Package live fans comment events out to the console's open queues (Server-Sent
// Events), and through Redis pub/sub to every other instance.
package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/commentd/commentd/models"
)

// subscriberBuffer is how many events a slow subscriber may lag before it misses some.
const subscriberBuffer = 64

// Bounds of the events waiting to go to Redis.
const (
	maxPending   = 4096                   // beyond this, new events are not sent to other instances
	maxSendBatch = 256                    // events one message carries
	gather       = 2 * time.Millisecond   // how long the sender waits for more events before sending
	sendTimeout  = 250 * time.Millisecond // per message
)

// Broker delivers events to local subscribers and, when Redis is configured, to
// other instances. Publishing never blocks: events for other instances queue,
// and one goroutine at a time gathers them for a moment and sends them in one
// message, so that under load one PUBLISH carries the events of many requests.
type Broker struct {
	mu       sync.Mutex
	subs     map[chan models.Event]struct{}
	rdb      *redis.Client // nil: this instance only
	channel  string
	instance string
	log      *slog.Logger
	onRemote func(models.Event) // called for events from other instances

	out     sync.Mutex
	pending []models.Event // events waiting for the sender
	sending bool           // a sender goroutine runs
	dropped int            // events not sent because pending was full, since the last warning
}

// envelope is a message on the Redis channel: events, oldest first, tagged
// with the instance that sent them. Event is the single event of a message
// from an instance that sent one event per message.
type envelope struct {
	Instance string         `json:"instance"`
	Events   []models.Event `json:"events,omitempty"`
	Event    *models.Event  `json:"event,omitempty"`
}

// New returns a Broker; rdb may be nil. onRemote (may be nil) sees every event
// published by another instance, e.g. to reload policy or sync the model.
func New(rdb *redis.Client, channel string, logger *slog.Logger, onRemote func(models.Event)) *Broker {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return &Broker{subs: map[chan models.Event]struct{}{}, rdb: rdb, channel: channel,
		instance: hex.EncodeToString(b), log: logger, onRemote: onRemote}
}

// Subscribe returns a channel of events until ctx ends.
func (b *Broker) Subscribe(ctx context.Context) <-chan models.Event {
	ch := make(chan models.Event, subscriberBuffer)
	b.mu.Lock()
	b.subs[ch] = struct{}{}
	b.mu.Unlock()
	go func() {
		<-ctx.Done()
		b.mu.Lock()
		delete(b.subs, ch)
		b.mu.Unlock()
	}()
	return ch
}

// Publish delivers e here and queues it for the other instances. Another
// instance that misses an event (Redis down, queue full) still converges: its
// filter and policy poll the database, and its consoles reload.
func (b *Broker) Publish(_ context.Context, e models.Event) {
	b.deliver(e)
	if b.rdb == nil {
		return
	}
	b.out.Lock()
	defer b.out.Unlock()
	if len(b.pending) >= maxPending {
		b.dropped++
		return
	}
	b.pending = append(b.pending, e)
	if !b.sending {
		b.sending = true
		go b.send()
	}
}

// send publishes the pending events, a message per batch, until none are left.
func (b *Broker) send() {
	for {
		time.Sleep(gather)
		b.out.Lock()
		batch := b.pending
		if len(batch) > maxSendBatch {
			batch = batch[:maxSendBatch]
		}
		b.pending = b.pending[len(batch):]
		if len(b.pending) == 0 {
			b.pending = nil
		}
		dropped := b.dropped
		b.dropped = 0
		if len(batch) == 0 {
			b.sending = false
			b.out.Unlock()
			return
		}
		b.out.Unlock()
		if dropped > 0 {
			b.log.Warn("live: events not sent to other instances: too many waiting", slog.Int("dropped", dropped))
		}
		env := envelope{Instance: b.instance, Events: batch}
		if len(batch) == 1 {
			// The one-event form, which instances of earlier versions read too.
			env = envelope{Instance: b.instance, Event: &batch[0]}
		}
		msg, _ := json.Marshal(env)
		ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
		err := b.rdb.Publish(ctx, b.channel, msg).Err()
		cancel()
		if err != nil {
			b.log.Debug("live: publish to redis failed", slog.Int("events", len(batch)), slog.Any("err", err))
		}
	}
}

// deliver hands e to every local subscriber that has room.
func (b *Broker) deliver(e models.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- e:
		default: // a stuck console misses an event rather than stalling everyone
		}
	}
}

// Run relays events from other instances until ctx ends, resubscribing after
// Redis outages. Without Redis it returns at once.
func (b *Broker) Run(ctx context.Context) {
	if b.rdb == nil {
		return
	}
	for ctx.Err() == nil {
		sub := b.rdb.Subscribe(ctx, b.channel)
		if _, err := sub.Receive(ctx); err != nil {
			sub.Close()
			select {
			case <-ctx.Done():
			case <-time.After(2 * time.Second):
			}
			continue
		}
		b.relay(ctx, sub.Channel()) // go-redis reconnects the subscription by itself
		sub.Close()
	}
}

func (b *Broker) relay(ctx context.Context, ch <-chan *redis.Message) {
	for {
		select {
		case <-ctx.Done():
			return
		case msg, ok := <-ch:
			if !ok {
				return
			}
			var env envelope
			if json.Unmarshal([]byte(msg.Payload), &env) != nil || env.Instance == b.instance {
				continue
			}
			if env.Event != nil {
				env.Events = append(env.Events, *env.Event)
			}
			for _, e := range env.Events {
				b.deliver(e)
				if b.onRemote != nil {
					b.onRemote(e)
				}
			}
		}
	}
}
