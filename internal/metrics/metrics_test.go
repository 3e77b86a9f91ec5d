package metrics

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/commentd/commentd/internal/ratelimit"
	"github.com/commentd/commentd/models"
)

func TestObserveRequestLabels(t *testing.T) {
	m := New(nil)
	m.ObserveRequest("GET", "/api/v1/comments", 200, 3*time.Millisecond)
	m.ObserveRequest("GET", "/api/v1/comments", 200, time.Millisecond)
	m.ObserveRequest("BREW", "unmatched", 404, time.Millisecond)
	for _, tc := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"route and status", []string{"GET", "/api/v1/comments", "200"}, 2},
		{"unknown method is other", []string{"other", "unmatched", "404"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := testutil.ToFloat64(m.requests.WithLabelValues(tc.labels...)); got != tc.want {
				t.Fatalf("requests%v = %v, want %v", tc.labels, got, tc.want)
			}
		})
	}
	if n := testutil.CollectAndCount(m.latency, "commentd_http_request_duration_seconds"); n != 2 {
		t.Fatalf("latency series = %d, want 2", n)
	}
}

func TestCountersStartAtZero(t *testing.T) {
	m := New(nil)
	m.Verdict("pending")
	m.Decided("approve", 3)
	if n := testutil.CollectAndCount(m.verdicts); n != len(outcomes) {
		t.Fatalf("verdict series = %d, want %d", n, len(outcomes))
	}
	if got := testutil.ToFloat64(m.verdicts.WithLabelValues("pending")); got != 1 {
		t.Fatalf("pending = %v", got)
	}
	if got := testutil.ToFloat64(m.decisions.WithLabelValues("approve")); got != 3 {
		t.Fatalf("approve = %v", got)
	}
	m.AkismetChecked("held")
	m.AkismetReported("ham")
	m.Delivery("failed", 2)
	for _, tc := range []struct {
		name   string
		vec    *prometheus.CounterVec
		series int
		label  string
		want   float64
	}{
		{"checks", m.checks, len(results), "held", 1},
		{"checks of another result", m.checks, len(results), "error", 0},
		{"reports", m.reports, len(classes), "ham", 1},
		{"reports of the other class", m.reports, len(classes), "spam", 0},
		{"webhook deliveries", m.deliveries, len(deliveryOutcomes), "failed", 2},
		{"webhook deliveries given up", m.deliveries, len(deliveryOutcomes), "gave_up", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if n := testutil.CollectAndCount(tc.vec); n != tc.series {
				t.Fatalf("%d series, want %d", n, tc.series)
			}
			if got := testutil.ToFloat64(tc.vec.WithLabelValues(tc.label)); got != tc.want {
				t.Fatalf("%s = %v, want %v", tc.label, got, tc.want)
			}
		})
	}
}

type limiterFunc func(ctx context.Context, key string) error

func (f limiterFunc) Allow(ctx context.Context, key string) error { return f(ctx, key) }

func TestLimiterCountsRefusalsOnly(t *testing.T) {
	m := New(nil)
	limited := &models.RateLimitError{Scope: "post"}
	other := errors.New("boom")
	answers := []error{nil, limited, other, limited}
	l := m.Limiter("post", limiterFunc(func(context.Context, string) error {
		err := answers[0]
		answers = answers[1:]
		return err
	}))
	for i := 0; i < 4; i++ {
		l.Allow(context.Background(), "ip:1")
	}
	if got := testutil.ToFloat64(m.rateLimited.WithLabelValues("post")); got != 2 {
		t.Fatalf("rate_limited{post} = %v, want 2", got)
	}
}

// TestFailureLimiterCountsRefusals: a refusal counts whether Check or Allow
// gives it; looks and spends that pass count nothing.
func TestFailureLimiterCountsRefusals(t *testing.T) {
	m := New(nil)
	rule := ratelimit.NewFallback(nil, ratelimit.NewLocal(nil), nil, time.Second).
		Rule("apikey", ratelimit.Limit{Rate: 1, Burst: 1, Period: time.Hour})
	l := m.FailureLimiter("apikey", rule)
	ctx := context.Background()
	for _, st := range []struct {
		name    string
		call    func(context.Context, string) error
		refused bool
		count   float64
	}{
		{"look", l.Check, false, 0},
		{"spend the budget", l.Allow, false, 0},
		{"look over it", l.Check, true, 1},
		{"spend over it", l.Allow, true, 2},
	} {
		t.Run(st.name, func(t *testing.T) {
			err := st.call(ctx, "ip:192.0.2.1")
			if refused := errors.Is(err, models.ErrRateLimited); refused != st.refused {
				t.Fatalf("err %v, want refused %v", err, st.refused)
			}
			if got := testutil.ToFloat64(m.rateLimited.WithLabelValues("apikey")); got != st.count {
				t.Fatalf("rate_limited{apikey} = %v, want %v", got, st.count)
			}
		})
	}
}

func TestQueueCollectorCaches(t *testing.T) {
	now := time.Unix(1000, 0)
	calls := 0
	fail := false
	counts := newCached("queue counts", func(context.Context) (map[models.Status]int, error) {
		calls++
		if fail {
			return nil, errors.New("database down")
		}
		return map[models.Status]int{models.StatusPending: calls}, nil
	}, 5*time.Second, New(nil).log)
	counts.now = func() time.Time { return now }
	q := &queueCollector{desc: prometheus.NewDesc("q", "q", []string{"status"}, nil), counts: counts}
	pending := func() int { c, _ := q.counts.get(); return c[models.StatusPending] }
	steps := []struct {
		name      string
		advance   time.Duration
		fail      bool
		want      int
		wantCalls int
	}{
		{"first scrape queries", 0, false, 1, 1},
		{"within ttl is cached", 4 * time.Second, false, 1, 1},
		{"after ttl queries again", 2 * time.Second, false, 2, 2},
		{"a failure keeps the last counts", 6 * time.Second, true, 2, 3},
		{"a failure is not retried within ttl", time.Second, true, 2, 3},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			now, fail = now.Add(s.advance), s.fail
			if got := pending(); got != s.want || calls != s.wantCalls {
				t.Fatalf("pending = %d after %d queries, want %d after %d", got, calls, s.want, s.wantCalls)
			}
		})
	}
	if n := testutil.CollectAndCount(q); n != len(queueStatuses) {
		t.Fatalf("series = %d, want one per status", n)
	}
}

func TestOutboxGauge(t *testing.T) {
	m := New(nil)
	waiting := 0
	m.WatchOutbox(func(context.Context) (int, error) {
		waiting += 3
		return waiting, nil
	}, time.Hour)
	want := `
# HELP commentd_webhook_outbox_events Webhook events waiting for a delivery or a retry, refreshed at most every few seconds.
# TYPE commentd_webhook_outbox_events gauge
commentd_webhook_outbox_events 3
`
	for _, scrape := range []string{"first", "second, within the ttl"} {
		t.Run(scrape, func(t *testing.T) {
			if err := testutil.GatherAndCompare(m.reg, strings.NewReader(want), "commentd_webhook_outbox_events"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestStateSet(t *testing.T) {
	m := New(nil)
	state := "redis"
	m.WatchLimiter(func() string { return state }, "redis", "local-fallback", "disabled")
	state = "local-fallback"
	want := `
# HELP commentd_ratelimit_state Where rate limiting happens: 1 for the current state (redis, local-fallback or disabled), 0 for the others.
# TYPE commentd_ratelimit_state gauge
commentd_ratelimit_state{state="disabled"} 0
commentd_ratelimit_state{state="local-fallback"} 1
commentd_ratelimit_state{state="redis"} 0
`
	if err := testutil.GatherAndCompare(m.reg, strings.NewReader(want), "commentd_ratelimit_state"); err != nil {
		t.Fatal(err)
	}
}

func TestHandlerToken(t *testing.T) {
	m := New(nil)
	m.WatchModel(func() ModelStats { return ModelStats{HamDocs: 2, SpamDocs: 3, Vocabulary: 40, MemoryBytes: 4096} })
	srv := httptest.NewServer(m.Handler("scrape-secret"))
	defer srv.Close()
	for _, tc := range []struct {
		name, auth string
		want       int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"wrong token", "Bearer nope", http.StatusUnauthorized},
		{"right token", "Bearer scrape-secret", http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", srv.URL, nil)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.want, body)
			}
			if tc.want == http.StatusOK && !strings.Contains(string(body), "commentd_model_vocabulary_tokens 40") {
				t.Fatalf("model gauge missing:\n%s", body)
			}
		})
	}
}
