package main

import (
	"strings"
	"sync"
	"testing"
)

func TestModerationNeedsToken(t *testing.T) {
	ta := startApp(t, testEnv(t, mechanical))
	cases := []struct {
		name, header string
		want         int
	}{
		{"none", "", 401},
		{"wrong", "Bearer nope", 401},
		{"prefix of the token", "Bearer " + testToken[:10], 401},
		{"basic", "Basic " + testToken, 401},
		{"no space after the scheme", "Bearer" + testToken, 401},
		{"the token", "Bearer " + testToken, 200},
		// RFC 9110 11.1: the scheme's name is case-insensitive.
		{"scheme in lower case", "bearer " + testToken, 200},
		{"scheme in upper case", "BEARER " + testToken, 200},
		{"scheme in mixed case", "bEaReR " + testToken, 200},
		{"several spaces", "Bearer   " + testToken, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r response
			if tc.header == "" {
				r = ta.do(t, "GET", "/api/v1/moderation/queue", "", nil)
			} else {
				r = ta.do(t, "GET", "/api/v1/moderation/queue", "", nil, "Authorization", tc.header)
			}
			if r.Status != tc.want || (tc.want == 401 && r.json(t)["error"] != "unauthorized") {
				t.Fatalf("%d %s, want %d", r.Status, r.Body, tc.want)
			}
		})
	}
	t.Run("no admin token configured", func(t *testing.T) {
		env := testEnv(t, mechanical)
		env["COMMENTD_ADMIN_TOKEN"] = ""
		tb := startApp(t, env)
		if r := tb.do(t, "GET", "/api/v1/moderation/queue", "", nil, "Authorization", "Bearer "); r.Status != 401 {
			t.Fatal(r.Status)
		}
	})
}

func TestQueueDecisions(t *testing.T) {
	ta := startApp(t, testEnv(t, mechanical))
	held := idOf(t, ta.postJSON(t, comment("m", "text", "casino question, is this allowed?"), "User-Agent", "TestAgent/1.0"))
	q := ta.mod(t, "GET", "/queue?status=pending")
	body := string(q.Body)
	for _, want := range []string{`"email":"maria@example.org"`, `"ip":"127.0.0.1"`, `"user_agent":"TestAgent/1.0"`, `"score":`, `"held_word:casino"`, `"tokens":`} {
		mustContain(t, body, want)
	}

	path := "/comments/" + itoa(held)
	steps := []struct {
		name, method, path string
		status             int
		public             int // approved count of post m afterwards
	}{
		{"approve publishes", "POST", path + "/approve", 200, 1},
		{"approve twice conflicts", "POST", path + "/approve", 409, 1},
		{"spam reverses", "POST", path + "/spam", 200, 0},
		{"trash", "POST", path + "/trash", 200, 0},
		{"approve from trash", "POST", path + "/approve", 200, 1},
		{"stale from", "POST", path + "/spam?from=pending", 409, 1},
		{"bad from", "POST", path + "/spam?from=bogus", 400, 1},
		{"unknown id", "POST", "/comments/987654/approve", 404, 1},
		{"non-numeric id", "POST", "/comments/abc/approve", 404, 1},
		{"stale from on delete", "DELETE", path + "?from=spam", 409, 1},
		{"bad from on delete", "DELETE", path + "?from=bogus", 400, 1},
		{"delete", "DELETE", path, 204, 0},
		{"delete again", "DELETE", path, 404, 0},
		{"bad status", "GET", "/queue?status=bogus", 400, 0},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			r := ta.mod(t, s.method, s.path)
			if r.Status != s.status {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
			c := ta.do(t, "GET", "/api/v1/counts?post=m", "", nil)
			if got := c.json(t)["counts"].(map[string]any)["m"]; got != float64(s.public) {
				t.Fatalf("public count %v, want %d", got, s.public)
			}
		})
	}
}

func TestConcurrentDecisionsOneWins(t *testing.T) {
	ta := startApp(t, testEnv(t, mechanical))
	id := idOf(t, ta.postJSON(t, comment("c", "text", "casino race")))
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[int]int{}
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			action := []string{"/approve", "/spam"}[i%2]
			r := ta.mod(t, "POST", "/comments/"+itoa(id)+action+"?from=pending")
			mu.Lock()
			got[r.Status]++
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	if got[200] != 1 || got[409] != 7 {
		t.Fatalf("statuses %v", got)
	}
}

func TestHealthAndReady(t *testing.T) {
	ta := startApp(t, testEnv(t, mechanical))
	if r := ta.do(t, "GET", "/healthz", "", nil); r.Status != 200 {
		t.Fatal(r.Status)
	}
	r := ta.do(t, "GET", "/readyz", "", nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), `"redis":"redis"`) || !strings.Contains(string(r.Body), `"database":"ok"`) {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	if r := ta.do(t, "GET", "/nope", "", nil); r.Status != 404 || r.json(t)["error"] != "not_found" {
		t.Fatalf("404: %d %s", r.Status, r.Body)
	}
	if r := ta.do(t, "PUT", "/api/v1/comments", "", nil); r.Status != 405 {
		t.Fatalf("405: %d %s", r.Status, r.Body)
	}
}

func TestRedisDownPostingKeepsWorking(t *testing.T) {
	env := testEnv(t, mechanical)
	env["COMMENTD_REDIS_URL"] = "redis://127.0.0.1:1/0" // nothing listens on port 1
	ta := startApp(t, env)
	for i := 0; i < 3; i++ {
		if r := ta.postJSON(t, comment("down", "text", "redis is down "+itoa(int64(i)))); r.Status != 201 {
			t.Fatalf("post with Redis down: %d %s", r.Status, r.Body)
		}
	}
	r := ta.do(t, "GET", "/readyz", "", nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), `"redis":"local-fallback"`) {
		t.Fatalf("readyz: %d %s", r.Status, r.Body)
	}
}
