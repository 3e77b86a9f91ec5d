package main

import (
	"encoding/json"
	"io"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/commentd/commentd/models"
)

// TestModerationForbiddenSaysWhy: a session request without its CSRF token is
// told that, with its own code, not that the role lacks the right.
func TestModerationForbiddenSaysWhy(t *testing.T) {
	ta := consoleApp(t, nil)
	ta.account(t, "mo", models.RoleModerator)
	admin, adminCSRF := consoleLogin(t, ta, "ada")
	mod, modCSRF := consoleLogin(t, ta, "mo")
	cases := []struct {
		name    string
		cookie  string
		csrf    string // "": no X-CSRF-Token header
		path    string
		code    string
		message string // a part of it
	}{
		{"no CSRF token", admin, "", "/api/v1/moderation/bulk", "csrf", "CSRF token"},
		{"a wrong CSRF token", admin, "x" + adminCSRF, "/api/v1/moderation/bulk", "csrf", "CSRF token"},
		{"another session's CSRF token", admin, modCSRF, "/api/v1/moderation/bulk", "csrf", "CSRF token"},
		{"a moderator on an admin route", mod, modCSRF, "/api/v1/moderation/words", "forbidden", "role"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			headers := []string{"Cookie", tc.cookie}
			if tc.csrf != "" {
				headers = append(headers, "X-CSRF-Token", tc.csrf)
			}
			r := ta.do(t, "POST", tc.path, "application/json", []byte(`{"action":"approve","ids":[1]}`), headers...)
			body := r.json(t)
			if r.Status != 403 || body["error"] != tc.code || !strings.Contains(body["message"].(string), tc.message) {
				t.Fatalf("%d %s, want 403 %s with a message about %q", r.Status, r.Body, tc.code, tc.message)
			}
		})
	}
}

// TestTokenLabelIsCapped: a token's label is a short single line, in the API
// and in the console, like every other field.
func TestTokenLabelIsCapped(t *testing.T) {
	ta := consoleApp(t, nil)
	cookie, csrf := consoleLogin(t, ta, "ada")
	cases := []struct {
		name, label string
		reason      string // "": issued
	}{
		{"a label", "backup script", ""},
		{"100 characters", strings.Repeat("é", 100), ""},
		{"no label", "", ""},
		{"101 characters", strings.Repeat("é", 101), "too_long"},
		{"60 KB", strings.Repeat("x", 60<<10), "too_long"},
		{"a line break", "backup\nscript", "control_character"},
		{"an escape", "backup \x1b[31mscript", "control_character"},
		{"a C1 control", "backup \u0085script", "control_character"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body, _ := json.Marshal(map[string]string{"name": tc.label})
			r := ta.do(t, "POST", "/api/v1/moderation/moderators/ada/tokens", "application/json", body,
				"Authorization", "Bearer "+testToken)
			if tc.reason == "" {
				if r.Status != 201 || r.json(t)["name"] != tc.label {
					t.Fatalf("%d %.300s, want 201", r.Status, r.Body)
				}
				return
			}
			fields, _ := r.json(t)["fields"].([]any)
			if r.Status != 400 || len(fields) != 1 || fields[0].(map[string]any)["field"] != "name" ||
				fields[0].(map[string]any)["reason"] != tc.reason {
				t.Fatalf("%d %.300s, want 400 with name %s", r.Status, r.Body, tc.reason)
			}
			page := ta.postPage(t, cookie, "/console/accounts/ada/tokens", url.Values{"csrf": {csrf}, "label": {tc.label}})
			if page.Status != 400 || !strings.Contains(string(page.Body), "Label: "+strings.ReplaceAll(tc.reason, "_", " ")) {
				t.Fatalf("console: %d %.2000s", page.Status, page.Body)
			}
		})
	}
	tokens := ta.mod(t, "GET", "/tokens").json(t)["tokens"].([]any)
	if len(tokens) != 3 {
		t.Fatalf("%d tokens issued, want the 3 valid ones", len(tokens))
	}
}

// TestServeRefusesAShortAdminToken: a guessable admin token stops the start,
// with a message that names the key and says what to do.
func TestServeRefusesAShortAdminToken(t *testing.T) {
	env := testEnv(t, map[string]string{"COMMENTD_ADDR": "127.0.0.1:0", "COMMENTD_ADMIN_TOKEN": "s3cret"})
	err := run(t.Context(), []string{"serve"}, getenvFrom(env), strings.NewReader(""), io.Discard, io.Discard)
	if err == nil {
		t.Fatal("serve started with a 6-character admin token")
	}
	for _, want := range []string{"COMMENTD_ADMIN_TOKEN", "at least 16 characters", "openssl rand"} {
		mustContain(t, err.Error(), want)
	}
}

// TestBearerTokenThrottle: wrong bearer tokens are throttled per client
// address (from X-Forwarded-For behind a trusted proxy; an IPv6 address by its
// /64); right tokens never count, and an address over its budget gets 429 for
// any token, right or wrong, on every moderation route, with Retry-After and
// the usual error body. Sessions are not bearer tokens and go on working.
func TestBearerTokenThrottle(t *testing.T) {
	ta := consoleApp(t, map[string]string{"COMMENTD_TRUSTED_PROXIES": "127.0.0.1/32",
		"COMMENTD_AUTH_FAILURE_RATE": "1", "COMMENTD_AUTH_FAILURE_BURST": "3", "COMMENTD_AUTH_FAILURE_PERIOD": "1h"})
	c := newContract(t, ta)
	cookie, _ := consoleLogin(t, ta, "ada")
	const site, guesser, guesser6, neighbour6 = "192.0.2.10", "198.51.100.99", "2001:db8:7:7::1", "2001:db8:7:7:abcd::2"
	bearer := func(token, from string) []string {
		return []string{"Authorization", "Bearer " + token, "X-Forwarded-For", from}
	}
	steps := []struct {
		name    string
		path    string
		headers []string
		times   int
		want    int
	}{
		{"the right token, often", "/counts", bearer(testToken, site), 12, 200},
		{"wrong tokens up to the burst", "/counts", bearer("nope-0123456789abcdef", guesser), 2, 401},
		{"on any route", "/queue", bearer("cmdt_guess", guesser), 1, 401},
		{"then refused", "/counts", bearer("nope-0123456789abcdef", guesser), 1, 429},
		{"even the right token", "/queue", bearer(testToken, guesser), 1, 429},
		{"in any case of the scheme", "/me", []string{"Authorization", "bearer " + testToken, "X-Forwarded-For", guesser}, 1, 429},
		{"a session from that address is no bearer token", "/counts", []string{"Cookie", cookie, "X-Forwarded-For", guesser}, 1, 200},
		{"other addresses are not affected", "/counts", bearer(testToken, site), 1, 200},
		{"wrong tokens from an IPv6 address", "/counts", bearer("nope-0123456789abcdef", guesser6), 3, 401},
		{"its /64 is refused", "/counts", bearer(testToken, neighbour6), 1, 429},
	}
	for _, st := range steps {
		for i := range st.times {
			r := c.check(t, st.name, exchange{method: "GET", path: "/api/v1/moderation" + st.path, headers: st.headers,
				want: st.want, offSpec: st.want == 401})
			if st.want != 429 {
				continue
			}
			body := r.json(t)
			retry, err := strconv.Atoi(r.Header.Get("Retry-After"))
			if err != nil || retry < 1 || retry > 3600 || body["error"] != "rate_limited" || body["retry_after"] != float64(retry) {
				t.Errorf("%s, call %d: Retry-After %q, body %s", st.name, i, r.Header.Get("Retry-After"), r.Body)
			}
			mustContain(t, body["message"].(string), "wrong bearer tokens")
		}
	}

	mustContain(t, string(ta.do(t, "GET", "/metrics", "", nil).Body), `commentd_rate_limited_total{scope="auth"} 4`+"\n")

	// Without a trusted proxy X-Forwarded-For is the client's word: changing it changes nothing.
	direct := startApp(t, testEnv(t, map[string]string{"COMMENTD_AUTH_FAILURE_BURST": "2"}))
	statuses := []int{}
	for i := range 3 {
		r := direct.do(t, "GET", "/api/v1/moderation/counts", "", nil, bearer("nope-0123456789abcdef", "203.0.113."+strconv.Itoa(i))...)
		statuses = append(statuses, r.Status)
	}
	if statuses[0] != 401 || statuses[1] != 401 || statuses[2] != 429 {
		t.Fatalf("spoofed X-Forwarded-For: %v, want 401 401 429", statuses)
	}
}
