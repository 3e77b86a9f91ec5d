package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// mechanical: thresholds that approve everything the rules do not hold, so tests of
// the HTTP contract do not depend on the model's opinion.
var mechanical = map[string]string{
	"COMMENTD_HAM_THRESHOLD": "0.999", "COMMENTD_SPAM_THRESHOLD": "1",
	"COMMENTD_HELD_WORDS": "casino", "COMMENTD_BLOCKED_WORDS": "viagra",
}

func TestPostJSONAndRead(t *testing.T) {
	ta := startApp(t, testEnv(t, mechanical))
	r := ta.postJSON(t, comment("blog/2026/bread?x=1&y=\"q\"", "text", "Hello <b>world</b>\n\nsee https://example.org/x."))
	if r.Status != 201 {
		t.Fatalf("post: %d %s", r.Status, r.Body)
	}
	got := r.json(t)
	if got["status"] != "approved" {
		t.Fatalf("status %v", got["status"])
	}
	for _, secret := range []string{"email", "ip", "user_agent", "score", "reasons"} {
		if _, ok := got[secret]; ok {
			t.Errorf("public view exposes %q: %s", secret, r.Body)
		}
	}
	mustContain(t, got["html"].(string), `&lt;b&gt;world&lt;/b&gt;`)
	mustContain(t, got["html"].(string), `rel="nofollow ugc noopener"`)
	if got["text"] != "Hello <b>world</b>\n\nsee https://example.org/x." {
		t.Errorf("text not stored as written: %q", got["text"])
	}

	list := ta.do(t, "GET", "/api/v1/comments?post="+url.QueryEscape("blog/2026/bread?x=1&y=\"q\""), "", nil)
	if list.Status != 200 {
		t.Fatalf("list: %d %s", list.Status, list.Body)
	}
	comments := list.json(t)["comments"].([]any)
	if len(comments) != 1 || strings.Contains(string(list.Body), "maria@example.org") || strings.Contains(string(list.Body), "127.0.0.1") {
		t.Fatalf("list: %s", list.Body)
	}
	etag := list.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	if r := ta.do(t, "GET", "/api/v1/comments?post="+url.QueryEscape("blog/2026/bread?x=1&y=\"q\""), "", nil, "If-None-Match", etag); r.Status != 304 || len(r.Body) != 0 {
		t.Fatalf("If-None-Match: %d %s", r.Status, r.Body)
	}
	ta.postJSON(t, comment("blog/2026/bread?x=1&y=\"q\"", "text", "A second, different comment."))
	if r := ta.do(t, "GET", "/api/v1/comments?post="+url.QueryEscape("blog/2026/bread?x=1&y=\"q\""), "", nil, "If-None-Match", etag); r.Status != 200 {
		t.Fatalf("stale ETag still matched: %d", r.Status)
	}

	counts := ta.do(t, "GET", "/api/v1/counts?post="+url.QueryEscape("blog/2026/bread?x=1&y=\"q\"")+"&post=none", "", nil)
	c := counts.json(t)["counts"].(map[string]any)
	if c["blog/2026/bread?x=1&y=\"q\""] != 2.0 || c["none"] != 0.0 {
		t.Fatalf("counts: %s", counts.Body)
	}
}

// TestListGzip: a post's first page, once cached, is sent gzipped to the
// clients that accept it, with an ETag of its own and Vary: Accept-Encoding; pages
// behind a cursor and small pages are sent as they are.
func TestListGzip(t *testing.T) {
	ta := startApp(t, testEnv(t, mechanical))
	for i := range 8 {
		r := ta.postJSON(t, comment("gz", "text", strconv.Itoa(i)+": "+strings.Repeat("The crumb was soft and the crust crisp. ", 6)))
		if r.Status != 201 {
			t.Fatalf("post %d: %d %s", i, r.Status, r.Body)
		}
	}
	ta.postJSON(t, comment("small"))
	get := func(path string, headers ...string) response {
		t.Helper()
		r := ta.do(t, "GET", path, "", nil, headers...)
		if r.Status != 200 && r.Status != 304 {
			t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
		}
		return r
	}
	plain := get("/api/v1/comments?post=gz", "Accept-Encoding", "identity")
	if plain.Header.Get("Content-Encoding") != "" || len(plain.json(t)["comments"].([]any)) != 8 {
		t.Fatalf("identity: %v %s", plain.Header, plain.Body)
	}
	packed := get("/api/v1/comments?post=gz", "Accept-Encoding", "gzip, deflate, br")
	if packed.Header.Get("Content-Encoding") != "gzip" || packed.Header.Get("ETag") != strings.TrimSuffix(plain.Header.Get("ETag"), `"`)+`-gz"` ||
		!strings.Contains(strings.Join(packed.Header.Values("Vary"), ","), "Accept-Encoding") {
		t.Fatalf("gzip: %v", packed.Header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(packed.Body))
	if err != nil {
		t.Fatal(err)
	}
	unpacked, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(unpacked, plain.Body) {
		t.Fatalf("gunzipped body differs (%v):\n%s\n%s", err, unpacked, plain.Body)
	}
	if len(packed.Body) >= len(plain.Body)/2 {
		t.Errorf("gzip saved little: %d of %d bytes", len(packed.Body), len(plain.Body))
	}
	for _, tt := range []struct {
		name, accept, etag string
		want               int
	}{
		{"gzipped copy", "gzip", packed.Header.Get("ETag"), 304},
		{"plain copy", "identity", plain.Header.Get("ETag"), 304},
		{"plain copy, now accepting gzip", "gzip", plain.Header.Get("ETag"), 200},
		{"gzipped copy, now refusing gzip", "identity", packed.Header.Get("ETag"), 200},
	} {
		r := get("/api/v1/comments?post=gz", "Accept-Encoding", tt.accept, "If-None-Match", tt.etag)
		if r.Status != tt.want || (r.Status == 304 && r.Header.Get("ETag") != tt.etag) {
			t.Errorf("revalidating the %s: %d %v, want %d", tt.name, r.Status, r.Header, tt.want)
		}
	}
	for _, tt := range []struct{ name, path, accept string }{
		{"refused with q=0", "/api/v1/comments?post=gz", "gzip;q=0"},
		{"a small page", "/api/v1/comments?post=small", "gzip"},
		{"a page behind a cursor", "/api/v1/comments?post=gz&limit=3&cursor=" +
			url.QueryEscape(get("/api/v1/comments?post=gz&limit=3").json(t)["next_cursor"].(string)), "gzip"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if r := get(tt.path, "Accept-Encoding", tt.accept); r.Header.Get("Content-Encoding") != "" || r.json(t)["comments"] == nil {
				t.Errorf("%v %s", r.Header, r.Body)
			}
		})
	}
}

func TestPaginationWalk(t *testing.T) {
	ta := startApp(t, testEnv(t, mechanical))
	for i := 0; i < 7; i++ {
		ta.postJSON(t, comment("p", "text", "comment number "+strings.Repeat("i", i+1)))
	}
	seen := map[float64]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		r := ta.do(t, "GET", "/api/v1/comments?post=p&limit=3&cursor="+url.QueryEscape(cursor), "", nil)
		m := r.json(t)
		for _, c := range m["comments"].([]any) {
			id := c.(map[string]any)["id"].(float64)
			if seen[id] {
				t.Fatalf("id %v twice", id)
			}
			seen[id] = true
		}
		next, _ := m["next_cursor"].(string)
		if next == "" {
			break
		}
		cursor = next
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
	}
	if len(seen) != 7 {
		t.Fatalf("walked %d of 7", len(seen))
	}
	if r := ta.do(t, "GET", "/api/v1/comments?post=p&cursor=garbage!!", "", nil); r.Status != 400 {
		t.Fatalf("bad cursor: %d %s", r.Status, r.Body)
	}
}

func TestBadInputIsRefusedAndNothingStored(t *testing.T) {
	ta := startApp(t, testEnv(t, mechanical))
	ok := ta.postJSON(t, comment("p"))
	parent := idOf(t, ok)
	pending := idOf(t, ta.postJSON(t, comment("p", "text", "I hold a casino word")))
	before := ta.queueCounts(t)
	long := strings.Repeat("a", 5001)
	cases := []struct {
		name, ctype, body string
		status            int
		field, reason     string
	}{
		{"not json", "application/json", `{"post":`, 400, "body", "invalid_json"},
		{"json array", "application/json", `[1,2]`, 400, "body", "invalid_json"},
		{"json null", "application/json", `null`, 400, "body", "invalid_json"},
		{"wrong type", "application/json", `{"post":"p","author":5,"email":"a@b.co","text":"x"}`, 400, "author", "invalid_type"},
		{"missing post", "application/json", `{"author":"a","email":"a@b.co","text":"x"}`, 400, "post", "required"},
		{"missing author", "application/json", `{"post":"p","email":"a@b.co","text":"x"}`, 400, "author", "required"},
		{"blank text", "application/json", `{"post":"p","author":"a","email":"a@b.co","text":" \n\u200b "}`, 400, "text", "required"},
		{"bad email", "application/json", `{"post":"p","author":"a","email":"not-an-email","text":"x"}`, 400, "email", "invalid_email"},
		{"display-name email", "application/json", `{"post":"p","author":"a","email":"A <a@b.co>","text":"x"}`, 400, "email", "invalid_email"},
		{"javascript url", "application/json", `{"post":"p","author":"a","email":"a@b.co","url":"javascript:alert(1)","text":"x"}`, 400, "url", "invalid_url"},
		{"ftp url", "application/json", `{"post":"p","author":"a","email":"a@b.co","url":"ftp://x.org","text":"x"}`, 400, "url", "invalid_url"},
		{"text too long", "application/json", `{"post":"p","author":"a","email":"a@b.co","text":"` + long + `"}`, 400, "text", "too_long"},
		{"author too long", "application/json", `{"post":"p","author":"` + strings.Repeat("b", 101) + `","email":"a@b.co","text":"x"}`, 400, "author", "too_long"},
		{"post too long", "application/json", `{"post":"` + strings.Repeat("p", 257) + `","author":"a","email":"a@b.co","text":"x"}`, 400, "post", "too_long"},
		{"nul in text", "application/json", `{"post":"p","author":"a","email":"a@b.co","text":"a\u0000b"}`, 400, "text", "control_character"},
		{"escape char", "application/json", `{"post":"p","author":"a","email":"a@b.co","text":"a\u001bb"}`, 400, "text", "control_character"},
		{"c1 control", "application/json", `{"post":"p","author":"a","email":"a@b.co","text":"a\u0085b"}`, 400, "text", "control_character"},
		{"newline in author", "application/json", `{"post":"p","author":"a\nb","email":"a@b.co","text":"x"}`, 400, "author", "control_character"},
		{"invalid utf8 json", "application/json", "{\"post\":\"p\",\"author\":\"a\xff\",\"email\":\"a@b.co\",\"text\":\"x\"}", 400, "body", "invalid_utf8"},
		{"invalid utf8 form", "application/x-www-form-urlencoded", "post=p&author=a%FF&email=a%40b.co&text=x", 400, "author", "invalid_utf8"},
		{"bad form escape", "application/x-www-form-urlencoded", "post=%zz", 400, "body", "invalid_form"},
		{"unknown parent", "application/json", `{"post":"p","parent":999999,"author":"a","email":"a@b.co","text":"x"}`, 400, "parent", "not_found"},
		{"pending parent", "application/json", `{"post":"p","parent":` + itoa(pending) + `,"author":"a","email":"a@b.co","text":"x"}`, 400, "parent", "not_approved"},
		{"parent other post", "application/json", `{"post":"q","parent":` + itoa(parent) + `,"author":"a","email":"a@b.co","text":"x"}`, 400, "parent", "other_post"},
		{"parent not a number", "application/json", `{"post":"p","parent":"abc","author":"a","email":"a@b.co","text":"x"}`, 400, "parent", "invalid"},
		{"parent negative", "application/json", `{"post":"p","parent":-3,"author":"a","email":"a@b.co","text":"x"}`, 400, "parent", "invalid"},
		{"parent object", "application/json", `{"post":"p","parent":{},"author":"a","email":"a@b.co","text":"x"}`, 400, "parent", "invalid_type"},
		{"too large", "application/json", `{"post":"p","text":"` + strings.Repeat("x", 70000) + `"}`, 413, "", ""},
		{"text/plain", "text/plain", `hello`, 415, "", ""},
		{"no content type", "", `{}`, 415, "", ""},
		{"xml", "application/xml", `<a/>`, 415, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := ta.do(t, "POST", "/api/v1/comments", tc.ctype, []byte(tc.body), "Accept", "application/json")
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			m := r.json(t)
			if m["error"] == nil || m["error"] == "internal_error" {
				t.Fatalf("no machine-readable reason: %s", r.Body)
			}
			if tc.field == "" {
				return
			}
			for _, f := range m["fields"].([]any) {
				fe := f.(map[string]any)
				if fe["field"] == tc.field && fe["reason"] == tc.reason {
					return
				}
			}
			t.Fatalf("no {%s %s} in %s", tc.field, tc.reason, r.Body)
		})
	}
	if after := ta.queueCounts(t); total(after) != total(before) {
		t.Fatalf("something was stored on error: %v -> %v", before, after)
	}
}

func TestRulesAndDuplicates(t *testing.T) {
	ta := startApp(t, testEnv(t, mechanical))
	cases := []struct {
		name   string
		body   map[string]any
		status string
		rule   string
	}{
		{"held word", comment("r", "text", "Best Casino bonus"), "pending", "held_word:casino"},
		{"held word in author", comment("r", "author", "casino king", "text", "nice post"), "pending", "held_word:casino"},
		{"not a whole word", comment("r", "text", "casinos are near"), "approved", ""},
		{"blocked word", comment("r", "text", "cheap VIAGRA here"), "spam", "blocked_word:viagra"},
		{"honeypot", comment("r", "fax", "555-1234", "text", "I fill every field"), "spam", "honeypot"},
		{"too many links", comment("r", "text", "http://a.org http://b.org http://c.org"), "pending", "too_many_links:3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := ta.postJSON(t, tc.body)
			if r.Status != 201 || r.json(t)["status"] != tc.status {
				t.Fatalf("%d %s, want %s", r.Status, r.Body, tc.status)
			}
			if tc.rule == "" {
				return
			}
			q := ta.mod(t, "GET", "/queue?status="+tc.status)
			mustContain(t, string(q.Body), `"`+tc.rule+`"`)
		})
	}
	t.Run("duplicate", func(t *testing.T) {
		body := comment("d", "text", "exactly the same words")
		if r := ta.postJSON(t, body); r.Status != 201 {
			t.Fatal(r.Status)
		}
		if r := ta.postJSON(t, body); r.Status != 409 || r.json(t)["error"] != "duplicate" {
			t.Fatalf("duplicate: %d %s", r.Status, r.Body)
		}
		body["post"] = "other"
		if r := ta.postJSON(t, body); r.Status != 201 {
			t.Fatalf("same text on another post: %d", r.Status)
		}
	})
}

func TestRateLimitAnd429(t *testing.T) {
	ta := startApp(t, testEnv(t, map[string]string{"COMMENTD_POST_RATE": "5", "COMMENTD_POST_BURST": "3", "COMMENTD_HAM_THRESHOLD": "0.999", "COMMENTD_SPAM_THRESHOLD": "1"}))
	statuses := map[int]int{}
	var last response
	for i := 0; i < 5; i++ {
		last = ta.postJSON(t, comment("rl", "text", "message "+strings.Repeat("x", i+1)))
		statuses[last.Status]++
	}
	if statuses[201] != 3 || statuses[429] != 2 {
		t.Fatalf("statuses %v", statuses)
	}
	for _, h := range []string{"Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} {
		if last.Header.Get(h) == "" {
			t.Errorf("429 without %s", h)
		}
	}
	if c := ta.queueCounts(t); total(c) != 3 {
		t.Fatalf("rate-limited comments were stored: %v", c)
	}
	// A form post gets a page that says when to try again.
	f := url.Values{"post": {"rl"}, "author": {"a"}, "email": {"z@example.org"}, "text": {"form"}}
	r := ta.postForm(t, f)
	if r.Status != 429 || r.Header.Get("Retry-After") == "" {
		t.Fatalf("form 429: %d", r.Status)
	}
	mustContain(t, string(r.Body), "try again")
}

func TestClientIPTrustsOnlyConfiguredProxies(t *testing.T) {
	cases := []struct {
		name    string
		proxies string
		want    string
	}{
		{"no proxies: header ignored", "", "127.0.0.1"},
		{"loopback proxy: header believed", "127.0.0.1/32", "203.0.113.9"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv(t, mechanical)
			env["COMMENTD_TRUSTED_PROXIES"] = tc.proxies
			ta := startApp(t, env)
			r := ta.postJSON(t, comment("ip"), "X-Forwarded-For", "203.0.113.9")
			if r.Status != 201 {
				t.Fatal(r.Status)
			}
			q := ta.mod(t, "GET", "/queue?status=approved")
			mustContain(t, string(q.Body), `"ip":"`+tc.want+`"`)
		})
	}
}

func TestConcurrentPostsAreAllStored(t *testing.T) {
	ta := startApp(t, testEnv(t, mechanical))
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := ta.postJSON(t, comment("conc", "text", "parallel comment "+itoa(int64(i))))
			if r.Status != 201 {
				t.Errorf("post %d: %d %s", i, r.Status, r.Body)
			}
		}(i)
	}
	wg.Wait()
	r := ta.do(t, "GET", "/api/v1/counts?post=conc", "", nil)
	if r.json(t)["counts"].(map[string]any)["conc"] != 40.0 {
		t.Fatalf("counts %s", r.Body)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestRateLimitIPv6Network: the addresses of one IPv6 /64 (one subscriber)
// share a budget; another /64 has its own.
func TestRateLimitIPv6Network(t *testing.T) {
	env := testEnv(t, map[string]string{"COMMENTD_POST_RATE": "5", "COMMENTD_POST_BURST": "3", "COMMENTD_HAM_THRESHOLD": "0.999",
		"COMMENTD_SPAM_THRESHOLD": "1", "COMMENTD_TRUSTED_PROXIES": "127.0.0.1/32"})
	ta := startApp(t, env)
	statuses := map[int]int{}
	for i := range 4 {
		r := ta.postJSON(t, comment("v6", "email", "v"+itoa(int64(i))+"@example.org", "text", "from address "+itoa(int64(i))),
			"X-Forwarded-For", "2001:db8:7:7::"+itoa(int64(i+1)))
		statuses[r.Status]++
	}
	if statuses[201] != 3 || statuses[429] != 1 {
		t.Fatalf("four addresses of one /64: statuses %v, want 3x201 and 1x429", statuses)
	}
	if r := ta.postJSON(t, comment("v6", "email", "w@example.org", "text", "another network"),
		"X-Forwarded-For", "2001:db8:7:8::1"); r.Status != 201 {
		t.Fatalf("another /64: %d %s", r.Status, r.Body)
	}
}
