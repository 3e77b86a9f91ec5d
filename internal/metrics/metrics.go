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

// The label values created up front (newCounter).
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
		verdicts: newCounter("", "verdicts_total",
			"Submitted comments judged, by outcome: approved, pending, spam, or refused (banned or discarded, not stored).",
			"outcome", outcomes...),
		decisions: newCounter("", "decisions_total",
			"Comments changed by moderators' decisions (one per comment, also in bulk), by action.", "action", actions...),
		rateLimited: newCounter("", "rate_limited_total",
			"Requests refused by a rate limit, by scope (post, read, login, apikey).", "scope"),
		checks: newCounter("akismet", "checks_total",
			"Akismet-compatible comment-checks answered, by result: spam, ham, held (answered false, "+
				"X-commentd-status pending) or error (no verdict).", "result", results...),
		reports: newCounter("akismet", "reports_total",
			"Akismet-compatible submit-spam and submit-ham calls accepted, by class.", "class", classes...),
		deliveries: newCounter("webhook", "deliveries_total",
			"Webhook deliveries by outcome: delivered (an endpoint took an event), failed (a request "+
				"that failed; retried unless given up) or gave_up (an endpoint that will never get an event).",
			"outcome", deliveryOutcomes...),
	}
	m.reg.MustRegister(m.requests, m.latency, m.verdicts, m.decisions, m.rateLimited, m.checks, m.reports, m.deliveries,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// newCounter returns a commentd counter with one label whose known values
// are created up front, so that rates read 0 instead of nothing.
func newCounter(subsystem, name, help, label string, values ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: subsystem, Name: name, Help: help},
		[]string{label})
	for _, v := range values {
		c.WithLabelValues(v)
	}
	return c
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
