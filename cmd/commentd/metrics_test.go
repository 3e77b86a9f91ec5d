package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// metricValue returns the value of one series (name{labels} as exposed) in a scrape.
func metricValue(t *testing.T, scrape, series string) float64 {
	t.Helper()
	for _, line := range strings.Split(scrape, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	t.Fatalf("no series %s in the scrape", series)
	return 0
}

func TestMetricsEndToEnd(t *testing.T) {
	env := map[string]string{"COMMENTD_READ_RATE": "1", "COMMENTD_READ_BURST": "2"}
	for k, v := range mechanical {
		env[k] = v
	}
	ta := startApp(t, testEnv(t, env))
	ta.postJSON(t, comment("m"))
	held := idOf(t, ta.postJSON(t, comment("m", "text", "casino night", "email", "h@example.org")))
	ta.postJSON(t, comment("m", "text", "cheap viagra", "email", "s@example.org"))
	ta.modJSON(t, testToken, "POST", "/bans", map[string]any{"kind": "email", "value": "banned@example.org"})
	ta.modJSON(t, testToken, "PUT", "/settings", map[string]any{"refuse_banned": true})
	if r := ta.postJSON(t, comment("m", "email", "banned@example.org")); r.Status != 403 {
		t.Fatalf("banned post: %d %s", r.Status, r.Body)
	}
	if r := ta.mod(t, "POST", fmt.Sprintf("/comments/%d/approve", held)); r.Status != 200 {
		t.Fatalf("approve: %d %s", r.Status, r.Body)
	}
	statuses := []int{}
	for range 3 {
		statuses = append(statuses, ta.do(t, "GET", "/api/v1/comments?post=m", "", nil).Status)
	}
	if statuses[2] != 429 {
		t.Fatalf("reads: %v, want the third limited", statuses)
	}
	ta.do(t, "GET", "/no/such/page/42", "", nil)

	r := ta.do(t, "GET", "/metrics", "", nil)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	scrape := string(r.Body)
	for _, tc := range []struct {
		series string
		want   float64
	}{
		{`commentd_http_requests_total{method="POST",route="/api/v1/comments",status="201"}`, 3},
		{`commentd_http_requests_total{method="POST",route="/api/v1/comments",status="403"}`, 1},
		{`commentd_http_requests_total{method="POST",route="/api/v1/moderation/comments/:id/:action",status="200"}`, 1},
		{`commentd_http_requests_total{method="GET",route="/api/v1/comments",status="429"}`, 1},
		{`commentd_http_requests_total{method="GET",route="unmatched",status="404"}`, 1},
		{`commentd_http_request_duration_seconds_count{method="POST",route="/api/v1/comments"}`, 4},
		{`commentd_verdicts_total{outcome="approved"}`, 1},
		{`commentd_verdicts_total{outcome="pending"}`, 1},
		{`commentd_verdicts_total{outcome="spam"}`, 1},
		{`commentd_verdicts_total{outcome="refused"}`, 1},
		{`commentd_decisions_total{action="approve"}`, 1},
		{`commentd_decisions_total{action="spam"}`, 0},
		{`commentd_rate_limited_total{scope="read"}`, 1},
		{`commentd_rate_limited_total{scope="post"}`, 0},
		{`commentd_queue_comments{status="approved"}`, 2},
		{`commentd_queue_comments{status="pending"}`, 0},
		{`commentd_queue_comments{status="spam"}`, 1},
		{`commentd_ratelimit_state{state="redis"}`, 1},
		{`commentd_ratelimit_state{state="local-fallback"}`, 0},
	} {
		t.Run(tc.series, func(t *testing.T) {
			if got := metricValue(t, scrape, tc.series); got != tc.want {
				t.Fatalf("%s = %v, want %v", tc.series, got, tc.want)
			}
		})
	}
	t.Run("model size", func(t *testing.T) {
		for _, s := range []string{"commentd_model_vocabulary_tokens", "commentd_model_memory_bytes", `commentd_model_documents{class="ham"}`} {
			if metricValue(t, scrape, s) <= 0 {
				t.Errorf("%s is not positive", s)
			}
		}
	})
	t.Run("routes are patterns, never raw paths", func(t *testing.T) {
		if m := regexp.MustCompile(`route="[^"]*(/\d+|/no/such)[^"]*"`).FindString(scrape); m != "" {
			t.Fatalf("raw path in a route label: %s", m)
		}
	})
}

func TestMetricsToken(t *testing.T) {
	const token = "scrape-token-0123456789"
	ta := startApp(t, testEnv(t, map[string]string{"COMMENTD_METRICS_TOKEN": token}))
	for _, tc := range []struct {
		name    string
		headers []string
		want    int
	}{
		{"no token", nil, 401},
		{"the admin token is not the metrics token", []string{"Authorization", "Bearer " + testToken}, 401},
		{"metrics token", []string{"Authorization", "Bearer " + token}, 200},
		{"scheme in lower case", []string{"Authorization", "bearer " + token}, 200}, // RFC 9110 11.1
		{"scheme in upper case", []string{"Authorization", "BEARER " + token}, 200},
		{"another scheme", []string{"Authorization", "Basic " + token}, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := ta.do(t, "GET", "/metrics", "", nil, tc.headers...); r.Status != tc.want {
				t.Fatalf("%d, want %d: %.200s", r.Status, tc.want, r.Body)
			}
		})
	}
}

// TestServeMetricsOnItsOwnAddress runs serve with metrics_addr: /metrics is
// there (behind the token) and not on the main listener.
func TestServeMetricsOnItsOwnAddress(t *testing.T) {
	const token = "scrape-token-0123456789"
	env := testEnv(t, map[string]string{"COMMENTD_ADDR": "127.0.0.1:0", "COMMENTD_METRICS_ADDR": "127.0.0.1:0",
		"COMMENTD_METRICS_TOKEN": token, "COMMENTD_LOG_LEVEL": "info"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, getenvFrom(env), strings.NewReader(""), io.Discard, pw)
		pw.Close()
	}()
	addrs := map[string]string{}
	lines := bufio.NewScanner(pr)
	for (addrs["listening"] == "" || addrs["metrics listening"] == "") && lines.Scan() {
		var m map[string]any
		if json.Unmarshal(lines.Bytes(), &m) == nil && m["addr"] != nil {
			addrs[m["msg"].(string)] = m["addr"].(string)
		}
	}
	go io.Copy(io.Discard, pr)
	if addrs["listening"] == "" || addrs["metrics listening"] == "" {
		t.Fatalf("serve did not say where it listens: %v", addrs)
	}
	get := func(url, auth string) int {
		req, _ := http.NewRequest("GET", url, nil)
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	main, metrics := "http://"+addrs["listening"], "http://"+addrs["metrics listening"]
	for _, tc := range []struct {
		name, url, auth string
		want            int
	}{
		{"not on the main listener", main + "/metrics", token, 404},
		{"the API stays on the main listener", main + "/healthz", "", 200},
		{"metrics listener wants the token", metrics + "/metrics", "", 401},
		{"metrics listener with the token", metrics + "/metrics", token, 200},
		{"metrics listener serves nothing else", metrics + "/healthz", token, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := get(tc.url, tc.auth); got != tc.want {
				t.Fatalf("GET %s: %d, want %d", tc.url, got, tc.want)
			}
		})
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	if get := func() error { _, err := http.Get(metrics + "/metrics"); return err }; get() == nil {
		t.Fatal("the metrics listener is still open after shutdown")
	}
}

// TestMetricsAkismet: after real Akismet-compatible calls, the checks count by
// result, the accepted reports by class, and a refused address as a rate limit.
func TestMetricsAkismet(t *testing.T) {
	env := map[string]string{"COMMENTD_TRUSTED_PROXIES": "127.0.0.1/32", "COMMENTD_APIKEY_FAILURE_BURST": "1"}
	for k, v := range mechanical {
		env[k] = v
	}
	ta := startApp(t, testEnv(t, env))
	key := createKey(t, ta, wpBlog)
	casino := wpComment{author: "Lucky", email: "lucky@example.net", text: "Join our casino night this Friday", ip: "192.0.2.44"}
	const guesser = "198.51.100.99"
	calls := []struct {
		path, body, from string
		want             string // the body; "" for a 429
	}{
		{"comment-check", wpCheck(key, ham), "192.0.2.10", "false"},
		{"comment-check", wpCheck(key, ham), "192.0.2.10", "false"},
		{"comment-check", wpCheck(key, pharmacy), "192.0.2.10", "true"},
		{"comment-check", wpCheck(key, casino), "192.0.2.10", "false"}, // held
		{"comment-check", pairs{{"api_key", key}, {"blog", wpBlog}}.encode(), "192.0.2.10", "Missing required field: user_ip."},
		{"comment-check", wpCheck("0123456789ab", ham), guesser, "invalid"},
		{"comment-check", wpCheck(key, ham), guesser, ""},
		{"submit-spam", wpReport(key, pharmacy, "true"), "192.0.2.10", "Thanks for making the web a better place."},
		{"submit-ham", wpReport(key, casino, "false"), "192.0.2.10", "Thanks for making the web a better place."},
		{"submit-ham", wpReport(key, ham, "false"), "192.0.2.10", "Thanks for making the web a better place."},
		{"submit-ham", wpReport(key, ham, "false"), guesser, ""},
	}
	for i, c := range calls {
		r := ta.akismet(t, c.path, c.body, "X-Forwarded-For", c.from)
		if (c.want == "" && r.Status != 429) || (c.want != "" && string(r.Body) != c.want) {
			t.Fatalf("call %d (%s): %d %q, want %q", i, c.path, r.Status, r.Body, c.want)
		}
	}
	if h := ta.akismet(t, "comment-check", wpCheck(key, casino), "X-Forwarded-For", "192.0.2.10"); h.Header.Get("X-commentd-status") != "pending" {
		t.Fatalf("the casino comment is %q, want pending (held)", h.Header.Get("X-commentd-status"))
	}
	scrape := string(ta.do(t, "GET", "/metrics", "", nil).Body)
	for _, tc := range []struct {
		series string
		want   float64
	}{
		{`commentd_akismet_checks_total{result="ham"}`, 2},
		{`commentd_akismet_checks_total{result="spam"}`, 1},
		{`commentd_akismet_checks_total{result="held"}`, 2},
		{`commentd_akismet_checks_total{result="error"}`, 3},
		{`commentd_akismet_reports_total{class="spam"}`, 1},
		{`commentd_akismet_reports_total{class="ham"}`, 2},
		{`commentd_rate_limited_total{scope="apikey"}`, 2},
		{`commentd_http_requests_total{method="POST",route="/1.1/comment-check",status="429"}`, 1},
		{`commentd_http_requests_total{method="POST",route="/1.1/comment-check",status="200"}`, 7},
		{`commentd_verdicts_total{outcome="spam"}`, 0}, // a check is not a comment posted here
	} {
		t.Run(tc.series, func(t *testing.T) {
			if got := metricValue(t, scrape, tc.series); got != tc.want {
				t.Fatalf("%s = %v, want %v", tc.series, got, tc.want)
			}
		})
	}
}

// TestMetricsWebhooks: deliveries count by outcome after real deliveries, and
// the outbox gauge shows the events still waiting.
func TestMetricsWebhooks(t *testing.T) {
	t.Run("a receiver that is down", func(t *testing.T) {
		down := newHookReceiver(t)
		down.down.Store(true)
		ta, _ := startHooked(t, hookEnv(t, down, nil))
		ta.postJSON(t, comment("hooks")) // comment.created and comment.approved
		var scrape string                // the outbox gauge is the same in each: nothing is delivered or given up
		waitFor(t, 10*time.Second, "a failed delivery counted", func() bool {
			scrape = string(ta.do(t, "GET", "/metrics", "", nil).Body)
			return metricValue(t, scrape, `commentd_webhook_deliveries_total{outcome="failed"}`) >= 1
		})
		if n := metricValue(t, scrape, "commentd_webhook_outbox_events"); n != 2 {
			t.Errorf("outbox = %v, want both events waiting", n)
		}
		for _, o := range []string{"delivered", "gave_up"} {
			if n := metricValue(t, scrape, `commentd_webhook_deliveries_total{outcome="`+o+`"}`); n != 0 {
				t.Errorf("%s = %v, want 0", o, n)
			}
		}
	})
	t.Run("one receiver up, one gone for good", func(t *testing.T) {
		up, gone := newHookReceiver(t), newHookReceiver(t)
		gone.down.Store(true)
		env := hookEnv(t, up, map[string]string{"COMMENTD_WEBHOOK_RETRY_FOR": "1ms"}) // the first failure gives up
		env["COMMENTD_WEBHOOKS"] += "," + gone.srv.URL + "/hooks"
		ta, _ := startHooked(t, env)
		ta.postJSON(t, comment("hooks"))
		up.wantEvents(t, 2)
		waitFor(t, 10*time.Second, "the outbox to empty", func() bool {
			n, err := ta.store.PendingWebhookEvents(context.Background())
			return err == nil && n == 0
		})
		var scrape string
		waitFor(t, 10*time.Second, "both events given up for the gone receiver", func() bool {
			scrape = string(ta.do(t, "GET", "/metrics", "", nil).Body)
			return metricValue(t, scrape, `commentd_webhook_deliveries_total{outcome="gave_up"}`) == 2
		})
		for _, tc := range []struct {
			series string
			want   float64
		}{
			{`commentd_webhook_deliveries_total{outcome="delivered"}`, 2},
			{`commentd_webhook_deliveries_total{outcome="failed"}`, float64(gone.hits.Load())},
			{"commentd_webhook_outbox_events", 0},
		} {
			if got := metricValue(t, scrape, tc.series); got != tc.want {
				t.Errorf("%s = %v, want %v", tc.series, got, tc.want)
			}
		}
	})
	t.Run("no webhooks, no outbox gauge", func(t *testing.T) {
		ta := startApp(t, testEnv(t, nil))
		if scrape := string(ta.do(t, "GET", "/metrics", "", nil).Body); strings.Contains(scrape, "commentd_webhook_outbox_events") {
			t.Error("the outbox gauge is there without webhooks")
		}
	})
}
