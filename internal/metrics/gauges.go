package metrics

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/commentd/commentd/models"
)

// queueStatuses are reported on every scrape, 0 when no comment has them.
var queueStatuses = []models.Status{models.StatusPending, models.StatusSpam, models.StatusApproved, models.StatusTrash}

// queryTimeout bounds a database query behind one scrape.
const queryTimeout = 2 * time.Second

// QueueCounter counts comments per status; it is moderation.Service.QueueCounts.
type QueueCounter func(ctx context.Context) (map[models.Status]int, error)

// WatchQueue reports commentd_queue_comments{status} from count, asking the
// database at most once per ttl however often Prometheus scrapes. When the
// query fails the last counts are reported again (none before the first success).
func (m *Metrics) WatchQueue(count QueueCounter, ttl time.Duration) {
	m.reg.MustRegister(&queueCollector{
		desc: prometheus.NewDesc(namespace+"_queue_comments",
			"Comments by status (pending is the review queue), refreshed at most every few seconds.", []string{"status"}, nil),
		counts: newCached("queue counts", count, ttl, m.log),
	})
}

// queueCollector reports the cached counts per status.
type queueCollector struct {
	desc   *prometheus.Desc
	counts *cached[map[models.Status]int]
}

// Describe sends the one descriptor.
func (q *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- q.desc }

// Collect sends one gauge per status.
func (q *queueCollector) Collect(ch chan<- prometheus.Metric) {
	counts, ok := q.counts.get()
	if !ok {
		return
	}
	for _, s := range queueStatuses {
		ch <- prometheus.MustNewConstMetric(q.desc, prometheus.GaugeValue, float64(counts[s]), string(s))
	}
}

// OutboxCounter counts the webhook events not delivered yet; it is the store's PendingWebhookEvents.
type OutboxCounter func(ctx context.Context) (int, error)

// WatchOutbox reports commentd_webhook_outbox_events, the webhook events
// waiting for a delivery or a retry, from count, cached as WatchQueue does.
func (m *Metrics) WatchOutbox(count OutboxCounter, ttl time.Duration) {
	m.reg.MustRegister(&outboxCollector{
		desc: prometheus.NewDesc(namespace+"_webhook_outbox_events",
			"Webhook events waiting for a delivery or a retry, refreshed at most every few seconds.", nil, nil),
		count: newCached("webhook outbox count", count, ttl, m.log),
	})
}

// outboxCollector reports the cached number of waiting events.
type outboxCollector struct {
	desc  *prometheus.Desc
	count *cached[int]
}

// Describe sends the one descriptor.
func (o *outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- o.desc }

// Collect sends the gauge.
func (o *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	if n, ok := o.count.get(); ok {
		ch <- prometheus.MustNewConstMetric(o.desc, prometheus.GaugeValue, float64(n))
	}
}

// cached keeps the answer of a database query made at scrape time, asking
// again only once it is older than ttl, so that scrapes cannot load the
// database. When the query fails the last answer stands (none before the
// first success), and the query is not retried before ttl either.
type cached[T any] struct {
	what  string // names the query in the log
	query func(ctx context.Context) (T, error)
	ttl   time.Duration
	log   *slog.Logger
	now   func() time.Time

	mu   sync.Mutex
	at   time.Time // when the last query ran, successful or not
	last T
	ok   bool // last holds an answer
}

func newCached[T any](what string, query func(ctx context.Context) (T, error), ttl time.Duration, log *slog.Logger) *cached[T] {
	return &cached[T]{what: what, query: query, ttl: ttl, log: log, now: time.Now}
}

// get returns the cached answer, querying when it is older than ttl; false
// when there has been no answer yet.
func (c *cached[T]) get() (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && c.now().Sub(c.at) < c.ttl {
		return c.last, c.ok
	}
	c.at = c.now() // a failing database is asked again after ttl, not on every scrape
	ctx, cancel := context.WithTimeout(context.Background(), queryTimeout)
	defer cancel()
	v, err := c.query(ctx)
	if err != nil {
		c.log.Warn("metrics: "+c.what+" failed; reporting the last answer", slog.Any("err", err))
		return c.last, c.ok
	}
	c.last, c.ok = v, true
	return v, true
}

// ModelStats is what the model gauges report.
type ModelStats struct {
	HamDocs, SpamDocs int // documents learned per class
	Vocabulary        int // distinct tokens known
	MemoryBytes       int // estimated heap the model's counts hold
}

// WatchModel reports the spam model's size from stats on every scrape:
// commentd_model_documents{class}, commentd_model_vocabulary_tokens and
// commentd_model_memory_bytes.
func (m *Metrics) WatchModel(stats func() ModelStats) {
	m.reg.MustRegister(&modelCollector{
		stats: stats,
		docs:  prometheus.NewDesc(namespace+"_model_documents", "Documents the spam model has learned, by class.", []string{"class"}, nil),
		vocab: prometheus.NewDesc(namespace+"_model_vocabulary_tokens", "Distinct tokens the spam model knows.", nil, nil),
		mem:   prometheus.NewDesc(namespace+"_model_memory_bytes", "Estimated heap held by the spam model's counts.", nil, nil),
	})
}

// modelCollector reads the model's stats once per scrape.
type modelCollector struct {
	stats            func() ModelStats
	docs, vocab, mem *prometheus.Desc
}

// Describe sends the three descriptors.
func (c *modelCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.docs
	ch <- c.vocab
	ch <- c.mem
}

// Collect sends the model's size.
func (c *modelCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.stats()
	ch <- prometheus.MustNewConstMetric(c.docs, prometheus.GaugeValue, float64(st.HamDocs), "ham")
	ch <- prometheus.MustNewConstMetric(c.docs, prometheus.GaugeValue, float64(st.SpamDocs), "spam")
	ch <- prometheus.MustNewConstMetric(c.vocab, prometheus.GaugeValue, float64(st.Vocabulary))
	ch <- prometheus.MustNewConstMetric(c.mem, prometheus.GaugeValue, float64(st.MemoryBytes))
}

// WatchLimiter reports commentd_ratelimit_state{state}: 1 for the state that
// state() returns, 0 for the other known states (a Prometheus state set), so
// that `commentd_ratelimit_state{state="local-fallback"} == 1` alerts on a
// Redis outage.
func (m *Metrics) WatchLimiter(state func() string, states ...string) {
	desc := prometheus.NewDesc(namespace+"_ratelimit_state",
		"Where rate limiting happens: 1 for the current state (redis, local-fallback or disabled), 0 for the others.",
		[]string{"state"}, nil)
	m.reg.MustRegister(&stateCollector{desc: desc, state: state, states: states})
}

// stateCollector reports a state set.
type stateCollector struct {
	desc   *prometheus.Desc
	state  func() string
	states []string
}

// Describe sends the one descriptor.
func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect sends 1 for the current state and 0 for the others.
func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	now := c.state()
	known := false
	for _, s := range c.states {
		v := 0.0
		if s == now {
			v, known = 1, true
		}
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, v, s)
	}
	if !known {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, 1, now)
	}
}
