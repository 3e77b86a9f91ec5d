package main

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/commentd/commentd/models"
)

// The Akismet-compatible API, driven by requests built exactly as the
// WordPress Akismet plugin sends them (class.akismet.php: check_key_status,
// auto_check_comment, submit_spam_comment, submit_nonspam_comment, http_post):
// PHP's http_build_query of the plugin's array, in its order, api_key last,
// Host rest.akismet.com. No Akismet client module for Go can be fetched here.

const wpUA = "WordPress/6.7.1 | Akismet/5.3.5"

// pairs is a form in order, as http_build_query writes a PHP array.
type pairs [][2]string

func (p pairs) encode() string {
	parts := make([]string, len(p))
	for i, kv := range p {
		parts[i] = url.QueryEscape(kv[0]) + "=" + url.QueryEscape(kv[1])
	}
	return strings.Join(parts, "&")
}

// wpComment is what a visitor typed into a WordPress comment form.
type wpComment struct {
	author, email, url, text, ip, honeypot, role string
}

const wpBlog = "https://blog.example.org"

// wpCheck is the plugin's comment-check body: $commentdata as wp_new_comment
// hands it to preprocess_comment, then the plugin's fields, $_POST as POST_*,
// the server variables, the post's context and finally api_key.
func wpCheck(key string, c wpComment) string {
	p := pairs{
		{"comment_post_ID", "42"}, {"comment_author", c.author}, {"comment_author_email", c.email},
		{"comment_author_url", c.url}, {"comment_content", c.text}, {"comment_type", "comment"},
		{"comment_parent", "0"}, {"user_ID", "0"}, {"user_id", "0"},
		{"user_ip", c.ip}, {"user_agent", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"},
		{"referrer", wpBlog + "/2026/sourdough/"}, {"blog", wpBlog}, {"blog_lang", "en_US"}, {"blog_charset", "UTF-8"},
		{"permalink", wpBlog + "/2026/sourdough/"},
	}
	if c.role != "" {
		p = append(p, [2]string{"user_role", c.role})
	}
	p = append(p, pairs{
		{"akismet_comment_nonce", "passed"},
		{"POST_comment", c.text}, {"POST_author", c.author}, {"POST_email", c.email}, {"POST_url", c.url},
		{"POST_submit", "Post Comment"}, {"POST_comment_post_ID", "42"}, {"POST_comment_parent", "0"},
		{"POST_akismet_comment_nonce", "5d1a0c9e1b"}, {"POST_ak_hp_textarea", c.honeypot}, {"POST_ak_js", "1767225600123"},
		{"HTTP_HOST", "blog.example.org"}, {"HTTP_USER_AGENT", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"},
		{"HTTP_ACCEPT", "text/html,application/xhtml+xml"}, {"HTTP_ACCEPT_LANGUAGE", "en-GB,en;q=0.5"},
		{"HTTP_REFERER", wpBlog + "/2026/sourdough/"}, {"HTTP_ORIGIN", wpBlog},
		{"REMOTE_ADDR", c.ip}, {"REQUEST_URI", "/wp-comments-post.php"},
		{"comment_post_modified_gmt", "2026-01-02 10:11:12"},
		{"comment_context[0]", "bread"}, {"comment_context[1]", "Recipes"},
		{"api_key", key},
	}...)
	return p.encode()
}

// wpReport is the plugin's submit-spam or submit-ham body: the comment's
// database row, overlaid with what was checked (akismet_as_submitted), then
// the blog's fields, the reporter and the last check's answer. No guid.
func wpReport(key string, c wpComment, lastAnswer string) string {
	return pairs{
		{"comment_ID", "7"}, {"comment_post_ID", "42"}, {"comment_author", c.author}, {"comment_author_email", c.email},
		{"comment_author_url", c.url}, {"comment_author_IP", c.ip}, {"comment_date", "2026-01-03 09:00:00"},
		{"comment_date_gmt", "2026-01-03 09:00:00"}, {"comment_content", c.text}, {"comment_karma", "0"},
		{"comment_approved", "spam"}, {"comment_agent", "Mozilla/5.0"}, {"comment_type", "comment"},
		{"comment_parent", "0"}, {"user_id", "0"},
		{"user_ip", c.ip}, {"user_agent", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"},
		{"POST_ak_hp_textarea", ""}, {"POST_ak_js", "1767225600123"},
		{"blog", wpBlog}, {"blog_lang", "en_US"}, {"blog_charset", "UTF-8"}, {"permalink", wpBlog + "/2026/sourdough/"},
		{"reporter", "admin"}, {"user_role", ""}, {"comment_post_modified_gmt", "2026-01-02 10:11:12"},
		{"comment_check_response", lastAnswer}, {"api_key", key},
	}.encode()
}

// akismet posts a form to /1.1/path as the plugin does.
func (ta *testApp) akismet(t *testing.T, path, body string, headers ...string) response {
	t.Helper()
	req, err := http.NewRequest("POST", ta.srv.URL+"/1.1/"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "rest.akismet.com"
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	req.Header.Set("User-Agent", wpUA)
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i] == "Host" {
			req.Host = headers[i+1]
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b.Bytes()}
}

// createKey runs commentd apikey create and returns the key it prints.
func createKey(t *testing.T, ta *testApp, site string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"apikey", "create", "--site", site}, getenvFrom(ta.env), nil, &out, &errOut); err != nil {
		t.Fatalf("apikey create: %v: %s", err, errOut.String())
	}
	return strings.TrimSpace(out.String())
}

// events counts the training log.
func (ta *testApp) events(t *testing.T) []models.TrainingEvent {
	t.Helper()
	evs, err := ta.store.TrainingEventsAfter(context.Background(), 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func score(t *testing.T, r response) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(r.Header.Get("X-commentd-score"), 64)
	if err != nil {
		t.Fatalf("no score in %v (%s)", r.Header, r.Body)
	}
	return f
}

var (
	ham      = wpComment{author: "Maria", email: "maria@example.org", text: "I tried this with rye flour and it rose beautifully. How long do you proof it overnight?", ip: "203.0.113.5"}
	pharmacy = wpComment{author: "Cheap Meds", email: "deals@pills.example.net", url: "http://pills.example.net",
		text: "Buy cheap viagra online, no prescription, discount pharmacy http://pills.example.net", ip: "198.51.100.66"}
)

func TestAkismetCommentCheck(t *testing.T) {
	ta := startApp(t, testEnv(t, map[string]string{"COMMENTD_BLOCKED_WORDS": "viagra"}))
	key := createKey(t, ta, wpBlog)
	other := createKey(t, ta, "https://shop.example.org")
	if len(key) != 12 || key == other {
		t.Fatalf("keys %q %q: want 12 hex digits each", key, other)
	}

	with := func(c wpComment, f func(*wpComment)) wpComment { f(&c); return c }
	tests := []struct {
		name    string
		path    string
		body    string
		headers []string
		want    string
		discard bool
	}{
		{"verify-key as the plugin sends it", "verify-key", pairs{{"key", key}, {"blog", wpBlog}}.encode(), nil, "valid", false},
		{"verify-key with api_key", "verify-key", pairs{{"api_key", key}, {"blog", wpBlog + "/"}}.encode(), nil, "valid", false},
		{"verify-key of a new key while another is in use", "verify-key", pairs{{"key", key}, {"blog", wpBlog}, {"api_key", other}}.encode(), nil, "valid", false},
		{"verify-key of another site's key", "verify-key", pairs{{"key", other}, {"blog", wpBlog}}.encode(), nil, "invalid", false},
		{"verify-key of an unknown key", "verify-key", pairs{{"key", "0123456789ab"}, {"blog", wpBlog}}.encode(), nil, "invalid", false},
		{"a genuine comment", "comment-check", wpCheck(key, ham), nil, "false", false},
		{"pharmacy spam", "comment-check", wpCheck(key, pharmacy), nil, "true", false},
		{"administrator", "comment-check", wpCheck(key, with(pharmacy, func(c *wpComment) { c.role = "administrator" })), nil, "false", false},
		{"guaranteed spam", "comment-check", wpCheck(key, with(ham, func(c *wpComment) { c.author = "akismet-guaranteed-spam" })), nil, "true", false},
		{"the plugin's honeypot filled", "comment-check", wpCheck(key, with(ham, func(c *wpComment) { c.honeypot = "hello" })), nil, "true", true},
		{"honeypot_field_name", "comment-check", pairs{{"api_key", key}, {"blog", wpBlog}, {"user_ip", "192.0.2.1"},
			{"comment_content", ham.text}, {"honeypot_field_name", "hidden_url"}, {"hidden_url", "http://x.example"}}.encode(), nil, "true", true},
		{"key in the Host", "comment-check", pairs{{"blog", wpBlog}, {"user_ip", "192.0.2.1"}, {"comment_content", ham.text}}.encode(),
			[]string{"Host", key + ".rest.akismet.com"}, "false", false},
		{"unknown key", "comment-check", wpCheck("0123456789ab", ham), nil, "invalid", false},
		{"another site's key", "comment-check", wpCheck(other, ham), nil, "invalid", false},
		{"no user_ip", "comment-check", pairs{{"api_key", key}, {"blog", wpBlog}, {"comment_content", "hi"}}.encode(), nil,
			"Missing required field: user_ip.", false},
		{"no blog", "comment-check", pairs{{"api_key", key}, {"user_ip", "192.0.2.1"}}.encode(), nil, "Missing required field: blog.", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ta.akismet(t, tt.path, tt.body, tt.headers...)
			if r.Status != 200 || string(r.Body) != tt.want {
				t.Fatalf("%d %q, want 200 %q (help: %s)", r.Status, r.Body, tt.want, r.Header.Get("X-akismet-debug-help"))
			}
			if got := r.Header.Get("X-akismet-pro-tip") == "discard"; got != tt.discard {
				t.Errorf("discard %v, want %v", got, tt.discard)
			}
			switch tt.want {
			case "true", "false":
				if r.Header.Get("X-akismet-guid") == "" {
					t.Error("no X-akismet-guid")
				}
			case "valid":
			default:
				if r.Header.Get("X-akismet-debug-help") == "" {
					t.Error("an error without X-akismet-debug-help")
				}
			}
		})
	}
	if n := total(ta.queueCounts(t)); n != 0 {
		t.Errorf("comment-check stored %v comments; it keeps none", n)
	}
	if evs := ta.events(t); len(evs) != 0 {
		t.Errorf("comment-check taught the filter %d events", len(evs))
	}
}

func TestAkismetReportsTeachOnce(t *testing.T) {
	ta := startApp(t, testEnv(t, nil))
	key := createKey(t, ta, wpBlog)
	spammy := wpComment{author: "Quick Loans", email: "offers@loans.example.net", text: "Fast loans approved today, zero credit check, apply now at loans example", ip: "198.51.100.7"}
	check := ta.akismet(t, "comment-check", wpCheck(key, spammy))
	before := score(t, check)
	events := func() int { return len(ta.events(t)) }

	steps := []struct {
		name   string
		path   string
		body   string
		events int // in the log afterwards
	}{
		{"submit-spam", "submit-spam", wpReport(key, spammy, "false"), 1},
		{"submit-spam again", "submit-spam", wpReport(key, spammy, "false"), 1},
		{"submit-ham corrects it", "submit-ham", wpReport(key, spammy, "false"), 3},
		{"submit-ham again", "submit-ham", wpReport(key, spammy, "false"), 3},
		{"a test report", "submit-spam", wpReport(key, spammy, "false") + "&is_test=1", 3},
		{"submit-spam once more", "submit-spam", wpReport(key, spammy, "false"), 5},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			r := ta.akismet(t, st.path, st.body)
			if r.Status != 200 || string(r.Body) != "Thanks for making the web a better place." {
				t.Fatalf("%d %q (%s)", r.Status, r.Body, r.Header.Get("X-akismet-debug-help"))
			}
			if n := events(); n != st.events {
				t.Fatalf("%d training events, want %d", n, st.events)
			}
		})
	}
	if after := score(t, ta.akismet(t, "comment-check", wpCheck(key, spammy))); after <= before {
		t.Errorf("score %.4f -> %.4f: a spam report should raise it", before, after)
	}

	// A client that keeps the guid (and speaks JSON, as Coral does) reports that check.
	other := wpComment{author: "Ann", email: "ann@example.org", text: "Lovely photos of the harbour, which lens did you use?", ip: "192.0.2.9"}
	guid := ta.akismet(t, "comment-check", wpCheck(key, other)).Header.Get("X-akismet-guid")
	for range 2 {
		body := `{"api_key":"` + key + `","blog":"` + wpBlog + `","guid":"` + guid + `","user_ip":"192.0.2.9","comment_author":"Ann","comment_content":"edited since"}`
		req, _ := http.NewRequest("POST", ta.srv.URL+"/1.1/submit-ham", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("JSON submit-ham: %v %v", resp, err)
		}
		resp.Body.Close()
	}
	evs := ta.events(t)
	if len(evs) != 6 || evs[5].Class != models.ClassHam || evs[5].Delta != 1 || !contains(evs[5].Tokens, "lens") {
		t.Fatalf("after two ham reports of a check: %d events, last %+v; want one more teaching the checked tokens", len(evs), evs[len(evs)-1])
	}
}

func contains(ts []string, sub string) bool {
	for _, tok := range ts {
		if strings.Contains(tok, sub) {
			return true
		}
	}
	return false
}

func TestAPIKeysAdmin(t *testing.T) {
	ta := startApp(t, testEnv(t, nil))
	admin := func(method, path, body string) response {
		ct := ""
		if body != "" {
			ct = "application/json"
		}
		return ta.do(t, method, "/api/v1/moderation"+path, ct, []byte(body), "Authorization", "Bearer "+testToken)
	}
	r := admin("POST", "/apikeys", `{"site":"https://blog.example.org"}`)
	created := r.json(t)
	key, _ := created["key"].(string)
	if r.Status != 201 || len(key) != 12 || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	if r := admin("POST", "/apikeys", `{"site":"not a url"}`); r.Status != 400 {
		t.Errorf("a bad site: %d %s", r.Status, r.Body)
	}
	if v := ta.akismet(t, "verify-key", pairs{{"key", key}, {"blog", wpBlog}}.encode()); string(v.Body) != "valid" {
		t.Fatalf("verify-key of the new key: %s", v.Body)
	}
	list := admin("GET", "/apikeys", "")
	if list.Status != 200 || !strings.Contains(string(list.Body), `"site":"https://blog.example.org"`) || strings.Contains(string(list.Body), key) {
		t.Fatalf("list: %d %s", list.Status, list.Body)
	}
	id := itoa(int64(created["id"].(float64)))
	if r := admin("DELETE", "/apikeys/"+id, ""); r.Status != 204 {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	}
	if r := admin("DELETE", "/apikeys/"+id, ""); r.Status != 409 {
		t.Errorf("revoke again: %d", r.Status)
	}
	if v := ta.akismet(t, "verify-key", pairs{{"key", key}, {"blog", wpBlog}}.encode()); string(v.Body) != "invalid" {
		t.Errorf("verify-key of a revoked key: %s", v.Body)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"apikey", "list"}, getenvFrom(ta.env), nil, &out, &out); err != nil ||
		!strings.Contains(out.String(), "https://blog.example.org") {
		t.Errorf("apikey list: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"apikey", "revoke", "--id", id}, getenvFrom(ta.env), nil, &out, &out); err == nil {
		t.Errorf("apikey revoke of a revoked key succeeded: %s", out.String())
	}
}

// TestAkismetKeyThrottle: wrong keys are throttled per client address (the
// WordPress server's, from X-Forwarded-For behind a trusted proxy, never the
// commenter's user_ip); right keys never count, and an address over its
// budget gets 429 for any key, right or wrong, on every /1.1 route.
func TestAkismetKeyThrottle(t *testing.T) {
	ta := startApp(t, testEnv(t, map[string]string{"COMMENTD_TRUSTED_PROXIES": "127.0.0.1/32",
		"COMMENTD_APIKEY_FAILURE_RATE": "1", "COMMENTD_APIKEY_FAILURE_BURST": "3", "COMMENTD_APIKEY_FAILURE_PERIOD": "1h"}))
	key := createKey(t, ta, wpBlog)
	const site, guesser = "192.0.2.10", "198.51.100.99"
	wrong := "0123456789ab"
	verify := func(k string) string { return pairs{{"key", k}, {"blog", wpBlog}}.encode() }
	steps := []struct {
		name   string
		path   string
		body   string
		from   string
		times  int
		want   int
		answer string // the body; "" for a 429
	}{
		{"a site with its key, often", "comment-check", wpCheck(key, ham), site, 12, 200, "false"},
		{"and its reports", "submit-ham", wpReport(key, ham, "false"), site, 3, 200, "Thanks for making the web a better place."},
		{"wrong keys up to the burst", "verify-key", verify(wrong), guesser, 1, 200, "invalid"},
		{"on any route", "comment-check", wpCheck(wrong, ham), guesser, 1, 200, "invalid"},
		{"malformed keys count too", "submit-spam", wpReport("not-a-key", ham, "true"), guesser, 1, 200, "invalid"},
		{"then refused", "verify-key", verify(wrong), guesser, 1, 429, ""},
		{"even with a right key", "comment-check", wpCheck(key, ham), guesser, 1, 429, ""},
		{"the site is not affected", "verify-key", verify(key), site, 1, 200, "valid"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			for i := range st.times {
				r := ta.akismet(t, st.path, st.body, "X-Forwarded-For", st.from)
				if r.Status != st.want || (st.answer != "" && string(r.Body) != st.answer) {
					t.Fatalf("call %d: %d %q (%s), want %d %q", i, r.Status, r.Body, r.Header.Get("X-akismet-debug-help"), st.want, st.answer)
				}
				if st.want == 429 {
					retry, err := strconv.Atoi(r.Header.Get("Retry-After"))
					if err != nil || retry < 1 || retry > 3600 {
						t.Errorf("Retry-After %q, want seconds up to an hour", r.Header.Get("Retry-After"))
					}
					mustContain(t, r.Header.Get("X-akismet-debug-help"), "wrong API key")
					if b := string(r.Body); b == "invalid" || b == "valid" || b == "true" || b == "false" {
						t.Errorf("429 body %q reads as an Akismet answer", b)
					}
				}
			}
		})
	}

	// A request with no key at all (none in the form, nor in a Host such as
	// KEY.rest.example.org) is not a guess: it is told so, as before.
	if r := ta.akismet(t, "verify-key", pairs{{"blog", wpBlog}}.encode(), "X-Forwarded-For", guesser, "Host", "localhost"); r.Status != 200 || string(r.Body) != "invalid" {
		t.Errorf("no key from a throttled address: %d %q", r.Status, r.Body)
	}

	// Without a trusted proxy X-Forwarded-For is the client's word: changing it changes nothing.
	direct := startApp(t, testEnv(t, map[string]string{"COMMENTD_APIKEY_FAILURE_BURST": "2"}))
	statuses := []int{}
	for i := range 3 {
		r := direct.akismet(t, "verify-key", verify(wrong), "X-Forwarded-For", "203.0.113."+strconv.Itoa(i))
		statuses = append(statuses, r.Status)
	}
	if statuses[0] != 200 || statuses[1] != 200 || statuses[2] != 429 {
		t.Fatalf("spoofed X-Forwarded-For: %v, want 200 200 429", statuses)
	}
}
