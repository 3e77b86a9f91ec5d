// Package metrics is commentd's Prometheus instrumentation. New builds one
// registry per service (never the global default registry) holding the HTTP,
// use-case and rate-limit counters, and the gauges read at scrape time: queue
// depth, model size and where rate limiting happens. Handler serves it.
package metrics

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// namespace prefixes every commentd metric.
const namespace = "commentd"

// Metrics holds the registry and the counters the service updates. Build it with New.
type Metrics struct {
	reg         *prometheus.Registry
	log         *slog.Logger
	requests    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	verdicts    *prometheus.CounterVec
	decisions   *prometheus.CounterVec
	rateLimited *prometheus.CounterVec
	checks      *prometheus.CounterVec // Akismet-compatible comment-checks
	reports     *prometheus.CounterVec // Akismet-compatible submit-spam and submit-ham
	deliveries  *prometheus.CounterVec // webhook deliveries
}

// The label values created up front, so that rates read 0 instead of nothing.
var (
	outcomes = []string{"approved", "pending", "spam", "refused"}
	actions  = []string{"approve", "spam", "trash", "restore", "delete"}
	results  = []string{"spam", "ham", "held", "error"}
	classes  = []string{"spam", "ham"}
	// Delivered, failed and gave up, as the webhook package counts them.
	deliveryOutcomes = []string{"delivered", "failed", "gave_up"}
)

// New returns Metrics on a fresh registry that also holds the Go runtime and
// process collectors. logger (nil: discarded) hears about failed scrape-time reads.
func New(logger *slog.Logger) *Metrics {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		log: logger,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "http", Name: "requests_total",
			Help: "HTTP requests answered, by method, route (the route pattern, never the raw path) and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Subsystem: "http", Name: "request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method and route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
		verdicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "verdicts_total",
			Help: "Submitted comments judged, by outcome: approved, pending, spam, or refused (banned or discarded, not stored).",
		}, []string{"outcome"}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "decisions_total",
			Help: "Comments changed by moderators' decisions (one per comment, also in bulk), by action.",
		}, []string{"action"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "rate_limited_total",
			Help: "Requests refused by a rate limit, by scope (post, read, login, apikey).",
		}, []string{"scope"}),
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "akismet", Name: "checks_total",
			Help: "Akismet-compatible comment-checks answered, by result: spam, ham, held (answered false, " +
				"X-commentd-status pending) or error (no verdict).",
		}, []string{"result"}),
		reports: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "akismet", Name: "reports_total",
			Help: "Akismet-compatible submit-spam and submit-ham calls accepted, by class.",
		}, []string{"class"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Subsystem: "webhook", Name: "deliveries_total",
			Help: "Webhook deliveries by outcome: delivered (an endpoint took an event), failed (a request " +
				"that failed; the event is retried) or gave_up (an endpoint that will never get an event).",
		}, []string{"outcome"}),
	}
	for _, o := range outcomes {
		m.verdicts.WithLabelValues(o)
	}
	for _, a := range actions {
		m.decisions.WithLabelValues(a)
	}
	for _, r := range results {
		m.checks.WithLabelValues(r)
	}
	for _, c := range classes {
		m.reports.WithLabelValues(c)
	}
	for _, o := range deliveryOutcomes {
		m.deliveries.WithLabelValues(o)
	}
	m.reg.MustRegister(m.requests, m.latency, m.verdicts, m.decisions, m.rateLimited, m.checks, m.reports, m.deliveries,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the registry, for tests and extra collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// ObserveRequest counts one answered request and its duration. route is the
// matched route pattern ("unmatched" when none); unusual methods count as "other"
// so that clients cannot grow the label set.
func (m *Metrics) ObserveRequest(method, route string, status int, d time.Duration) {
	method = knownMethod(method)
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(method, route).Observe(d.Seconds())
}

// Verdict counts one submitted comment's outcome: approved, pending, spam or refused.
func (m *Metrics) Verdict(outcome string) {
	m.verdicts.WithLabelValues(outcome).Inc()
}

// Decided counts n comments changed by a moderator's action.
func (m *Metrics) Decided(action string, n int) {
	m.decisions.WithLabelValues(action).Add(float64(n))
}

// AkismetChecked counts one comment-check answer by result: spam, ham, held or error.
func (m *Metrics) AkismetChecked(result string) {
	m.checks.WithLabelValues(result).Inc()
}

// AkismetReported counts one accepted report by class: spam or ham.
func (m *Metrics) AkismetReported(class string) {
	m.reports.WithLabelValues(class).Inc()
}

// Delivery counts n webhook deliveries by outcome: delivered, failed or gave_up.
func (m *Metrics) Delivery(outcome string, n int) {
	m.deliveries.WithLabelValues(outcome).Add(float64(n))
}

func knownMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}
