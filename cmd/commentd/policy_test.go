package main

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/commentd/commentd/models"
)

// modJSON sends a JSON body to the moderation API with a bearer token.
func (ta *testApp) modJSON(t *testing.T, token, method, path string, body any) response {
	t.Helper()
	var b []byte
	ctype := ""
	if body != nil {
		b, _ = json.Marshal(body)
		ctype = "application/json"
	}
	return ta.do(t, method, "/api/v1/moderation"+path, ctype, b, "Authorization", "Bearer "+token)
}

// newAccount creates an account and an API token for it.
func (ta *testApp) newAccount(t *testing.T, name string, role models.Role) string {
	t.Helper()
	ctx := context.Background()
	if _, err := ta.accounts.CreateModerator(ctx, "test", name, role, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	token, _, err := ta.accounts.IssueToken(ctx, "test", name, "test")
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func TestRolesAndTokens(t *testing.T) {
	ta := startApp(t, testEnv(t, mechanical))
	modTok := ta.newAccount(t, "mo", models.RoleModerator)
	adminTok := ta.newAccount(t, "ada", models.RoleAdmin)
	id := idOf(t, ta.postJSON(t, comment("roles", "text", "casino question")))
	cases := []struct {
		name, token, method, path string
		body                      any
		status                    int
	}{
		{"moderator works the queue", modTok, "GET", "/queue", nil, 200},
		{"moderator decides", modTok, "POST", "/comments/" + itoa(id) + "/approve", nil, 200},
		{"moderator reads the audit log", modTok, "GET", "/audit", nil, 200},
		{"moderator cannot list accounts", modTok, "GET", "/moderators", nil, 403},
		{"moderator cannot add accounts", modTok, "POST", "/moderators", map[string]any{"name": "x", "role": "admin", "password": "0123456789ab"}, 403},
		{"moderator cannot edit words", modTok, "POST", "/words", map[string]any{"kind": "held", "word": "x"}, 403},
		{"moderator cannot ban", modTok, "POST", "/bans", map[string]any{"kind": "ip", "value": "10.0.0.0/8"}, 403},
		{"moderator cannot change settings", modTok, "PUT", "/settings", map[string]any{"max_links": 9}, 403},
		{"admin lists accounts", adminTok, "GET", "/moderators", nil, 200},
		{"admin adds an account", adminTok, "POST", "/moderators", map[string]any{"name": "newbie", "role": "moderator", "password": "0123456789ab"}, 201},
		{"duplicate account", adminTok, "POST", "/moderators", map[string]any{"name": "NEWBIE", "role": "moderator", "password": "0123456789ab"}, 409},
		{"short password", adminTok, "POST", "/moderators", map[string]any{"name": "weak", "role": "moderator", "password": "short"}, 400},
		{"bad role", adminTok, "POST", "/moderators", map[string]any{"name": "r", "role": "god", "password": "0123456789ab"}, 400},
		{"unknown token", "cmdt_nope", "GET", "/queue", nil, 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if r := ta.modJSON(t, tc.token, tc.method, tc.path, tc.body); r.Status != tc.status {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
		})
	}
	t.Run("revoked token stops working", func(t *testing.T) {
		r := ta.modJSON(t, adminTok, "POST", "/moderators/mo/tokens", map[string]any{"name": "script"})
		if r.Status != 201 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		m := r.json(t)
		tok, tid := m["token"].(string), int64(m["id"].(float64))
		if r := ta.modJSON(t, tok, "GET", "/queue", nil); r.Status != 200 {
			t.Fatalf("fresh token: %d", r.Status)
		}
		if r := ta.modJSON(t, adminTok, "DELETE", "/tokens/"+itoa(tid), nil); r.Status != 204 {
			t.Fatalf("revoke: %d %s", r.Status, r.Body)
		}
		if r := ta.modJSON(t, tok, "GET", "/queue", nil); r.Status != 401 {
			t.Fatalf("revoked token: %d", r.Status)
		}
		if r := ta.modJSON(t, adminTok, "DELETE", "/tokens/"+itoa(tid), nil); r.Status != 409 {
			t.Fatalf("revoke twice: %d", r.Status)
		}
	})
	t.Run("deleted account's tokens stop working", func(t *testing.T) {
		if r := ta.modJSON(t, adminTok, "DELETE", "/moderators/mo", nil); r.Status != 204 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		if r := ta.modJSON(t, modTok, "GET", "/queue", nil); r.Status != 401 {
			t.Fatalf("%d", r.Status)
		}
	})
	t.Run("every step is audited", func(t *testing.T) {
		r := ta.modJSON(t, adminTok, "GET", "/audit?limit=100", nil)
		body := string(r.Body)
		for _, want := range []string{`"action":"approve"`, `"actor":"mo"`, `"action":"moderator.add"`, `"action":"token.revoke"`, `"action":"moderator.delete"`} {
			mustContain(t, body, want)
		}
		r = ta.modJSON(t, adminTok, "GET", "/audit?action=approve&comment="+itoa(id), nil)
		es := r.json(t)["entries"].([]any)
		if len(es) != 1 || es[0].(map[string]any)["from_status"] != "pending" || es[0].(map[string]any)["to_status"] != "approved" || es[0].(map[string]any)["score"] == nil {
			t.Fatalf("filtered audit: %s", r.Body)
		}
	})
}

func TestPolicyAppliesAtOnce(t *testing.T) {
	ta := startApp(t, testEnv(t, map[string]string{"COMMENTD_HAM_THRESHOLD": "0.999", "COMMENTD_SPAM_THRESHOLD": "1"}))
	post := func(email, text string) string {
		r := ta.postJSON(t, comment("pol", "email", email, "text", text))
		if r.Status != 201 {
			return r.json(t)["error"].(string)
		}
		return r.json(t)["status"].(string)
	}
	steps := []struct {
		name   string
		change func()
		email  string
		text   string
		want   string
	}{
		{"before any policy", nil, "a@example.org", "a plain lottery remark", "approved"},
		{"held word", func() { ta.modJSON(t, testToken, "POST", "/words", map[string]any{"kind": "held", "word": "Lottery"}) }, "a@example.org", "another LOTTERY remark", "pending"},
		{"blocked word", func() {
			ta.modJSON(t, testToken, "POST", "/words", map[string]any{"kind": "blocked", "word": "jackpot"})
		}, "a@example.org", "jackpot!", "spam"},
		{"ip range ban", func() {
			ta.modJSON(t, testToken, "POST", "/bans", map[string]any{"kind": "ip", "value": "127.0.0.0/8", "reason": "tests"})
		}, "b@example.org", "hello from a banned range", "spam"},
		{"refuse banned", func() { ta.modJSON(t, testToken, "PUT", "/settings", map[string]any{"refuse_banned": true}) }, "b@example.org", "refused now", "banned"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if s.change != nil {
				s.change()
			}
			if got := post(s.email, s.text); got != s.want {
				t.Fatalf("got %s, want %s", got, s.want)
			}
		})
	}
	t.Run("lifting the ban", func(t *testing.T) {
		r := ta.modJSON(t, testToken, "GET", "/bans", nil)
		id := int64(r.json(t)["bans"].([]any)[0].(map[string]any)["id"].(float64))
		if r := ta.modJSON(t, testToken, "DELETE", "/bans/"+itoa(id), nil); r.Status != 204 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		if got := post("b@example.org", "free again"); got != "approved" {
			t.Fatal(got)
		}
	})
	t.Run("bad policy input", func(t *testing.T) {
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{"POST", "/bans", map[string]any{"kind": "ip", "value": "not-an-ip"}},
			{"POST", "/bans", map[string]any{"kind": "email", "value": "nope"}},
			{"POST", "/bans", map[string]any{"kind": "planet", "value": "x"}},
			{"POST", "/bans", map[string]any{"kind": "ip", "value": "10.1.1.1", "expires_at": "2001-01-01T00:00:00Z"}},
			{"POST", "/words", map[string]any{"kind": "held", "word": ""}},
			{"POST", "/words", map[string]any{"kind": "held", "word": "lot\x00tery"}},
			{"POST", "/words", map[string]any{"kind": "blocked", "word": "cheap\x1b[2Jpills"}},
			{"POST", "/bans", map[string]any{"kind": "author", "value": "SEO\x00Expert"}},
			{"POST", "/bans", map[string]any{"kind": "author", "value": "SEO\u0085Expert"}},
			{"POST", "/bans", map[string]any{"kind": "email", "value": "troll@example.org", "reason": "insults\x00"}},
			{"PUT", "/settings", map[string]any{"ham_threshold": 2}},
			{"PUT", "/settings", map[string]any{"max_links": "many"}},
		} {
			if r := ta.modJSON(t, testToken, c.method, c.path, c.body); r.Status != 400 {
				t.Errorf("%s %s %v: %d %s", c.method, c.path, c.body, r.Status, r.Body)
			}
		}
	})
}

func TestBanExpires(t *testing.T) {
	ta := startApp(t, testEnv(t, map[string]string{"COMMENTD_HAM_THRESHOLD": "0.999", "COMMENTD_SPAM_THRESHOLD": "1"}))
	until := time.Now().Add(1500 * time.Millisecond).UTC()
	if r := ta.modJSON(t, testToken, "POST", "/bans", map[string]any{"kind": "email", "value": "Temp@Example.org", "expires_at": until}); r.Status != 201 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	if r := ta.postJSON(t, comment("ban", "email", "temp@example.org", "text", "while banned")); r.json(t)["status"] != "spam" {
		t.Fatalf("banned email not caught: %s", r.Body)
	}
	deadline := time.Now().Add(15 * time.Second)
	for i := 0; ; i++ {
		r := ta.postJSON(t, comment("ban", "email", "temp@example.org", "text", "after the ban "+itoa(int64(i))))
		if r.json(t)["status"] == "approved" {
			if time.Now().Before(until) {
				t.Fatal("ban ended early")
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("ban never expired")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestTrustedAuthorsAndFirstComments(t *testing.T) {
	ta := startApp(t, testEnv(t, map[string]string{"COMMENTD_HAM_THRESHOLD": "0", "COMMENTD_SPAM_THRESHOLD": "1",
		"COMMENTD_TRUST_AFTER": "2", "COMMENTD_HELD_WORDS": "casino"}))
	// ham_threshold 0: the filter doubts everything, so only trust can approve.
	for i := 0; i < 2; i++ {
		id := idOf(t, ta.postJSON(t, comment("tr", "email", "regular@example.org", "text", "comment "+itoa(int64(i)))))
		if r := ta.mod(t, "POST", "/comments/"+itoa(id)+"/approve"); r.Status != 200 {
			t.Fatal(r.Status)
		}
	}
	cases := []struct{ name, email, text, want string }{
		{"trusted author approved", "Regular@example.org", "third comment", "approved"},
		{"a rule still holds a trusted author", "regular@example.org", "casino talk", "pending"},
		{"a stranger waits", "new@example.org", "hello", "pending"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if r := ta.postJSON(t, comment("tr", "email", tc.email, "text", tc.text)); r.json(t)["status"] != tc.want {
				t.Fatalf("%s", r.Body)
			}
		})
	}
	t.Run("hold first comments", func(t *testing.T) {
		tb := startApp(t, testEnv(t, map[string]string{"COMMENTD_HAM_THRESHOLD": "0.999", "COMMENTD_SPAM_THRESHOLD": "1", "COMMENTD_HOLD_FIRST": "true"}))
		r := tb.postJSON(t, comment("hf", "email", "first@example.org", "text", "my first"))
		if r.json(t)["status"] != "pending" {
			t.Fatalf("%s", r.Body)
		}
		tb.mod(t, "POST", "/comments/"+itoa(idOf(t, r))+"/approve")
		if r := tb.postJSON(t, comment("hf", "email", "first@example.org", "text", "my second")); r.json(t)["status"] != "approved" {
			t.Fatalf("%s", r.Body)
		}
	})
}

func TestBulkDecisions(t *testing.T) {
	ta := startApp(t, testEnv(t, mechanical))
	var ids []int64
	for i := 0; i < 6; i++ {
		post := []string{"bulk-a", "bulk-b"}[i%2]
		ids = append(ids, idOf(t, ta.postJSON(t, comment(post, "email", "b"+itoa(int64(i))+"@example.org", "text", "casino offer "+itoa(int64(i))))))
	}
	r := ta.modJSON(t, testToken, "POST", "/bulk", map[string]any{"action": "spam", "filter": map[string]string{"status": "pending", "post": "bulk-a"}})
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	m := r.json(t)
	if len(m["done"].([]any)) != 3 || len(m["conflicted"].([]any)) != 0 {
		t.Fatalf("%s", r.Body)
	}
	r = ta.modJSON(t, testToken, "POST", "/bulk", map[string]any{"action": "approve", "ids": []int64{ids[0], ids[1], ids[3], 999999}})
	m = r.json(t)
	if len(m["done"].([]any)) != 3 || len(m["conflicted"].([]any)) != 1 {
		t.Fatalf("%s", r.Body)
	}
	c := ta.queueCounts(t)
	if c["approved"] != 3 || c["spam"] != 2 || c["pending"] != 1 {
		t.Fatalf("counts %v", c)
	}
	if r := ta.modJSON(t, testToken, "POST", "/bulk", map[string]any{"action": "explode", "ids": []int64{1}}); r.Status != 400 {
		t.Fatalf("bad action: %d", r.Status)
	}
	r = ta.modJSON(t, testToken, "POST", "/bulk", map[string]any{"action": "delete", "ids": ids})
	if m := r.json(t); len(m["done"].([]any)) != 6 {
		t.Fatalf("%s", r.Body)
	}
	if total(ta.queueCounts(t)) != 0 {
		t.Fatal("bulk delete left comments")
	}
}

// TestBulkKeepsWhatMovedOn: a bulk decision on ticked rows names the status
// of their tab, as a decision on one row does; a comment another moderator
// moved on meanwhile is reported as conflicted and left as they left it.
func TestBulkKeepsWhatMovedOn(t *testing.T) {
	ta := consoleApp(t, nil)
	cookie, csrf := consoleLogin(t, ta, "ada")
	for _, via := range []string{"api", "console"} {
		for _, action := range []string{"spam", "trash", "delete"} {
			t.Run(via+" "+action, func(t *testing.T) {
				post := "moved-" + via + "-" + action
				a := idOf(t, ta.postJSON(t, comment(post, "text", "casino one, still pending")))
				b := idOf(t, ta.postJSON(t, comment(post, "text", "casino two, approved meanwhile")))
				if r := ta.mod(t, "POST", "/comments/"+itoa(b)+"/approve?from=pending"); r.Status != 200 {
					t.Fatalf("the other moderator's approval: %d %s", r.Status, r.Body)
				}
				var done, conflicts int
				switch via {
				case "api":
					r := ta.modJSON(t, testToken, "POST", "/bulk", map[string]any{"action": action, "ids": []int64{a, b}, "from": "pending"})
					m := r.json(t)
					done, conflicts = len(m["done"].([]any)), len(m["conflicted"].([]any))
				case "console":
					form := url.Values{"csrf": {csrf}, "action": {action}, "ids": {itoa(a), itoa(b)}, "f_status": {"pending"}, "back": {"/console"}}
					r := ta.postPage(t, cookie, "/console/bulk", form)
					loc, err := url.Parse(r.Header.Get("Location"))
					if r.Status != 303 || err != nil {
						t.Fatalf("%d %s", r.Status, r.Body)
					}
					done, _ = strconv.Atoi(loc.Query().Get("n"))
					conflicts, _ = strconv.Atoi(loc.Query().Get("conflicts"))
				}
				if done != 1 || conflicts != 1 {
					t.Errorf("%d done and %d conflicted, want 1 and 1", done, conflicts)
				}
				if st := statusOf(t, ta, b); st != "approved" {
					t.Errorf("the comment approved meanwhile is %s", st)
				}
			})
		}
	}
	if r := ta.modJSON(t, testToken, "POST", "/bulk", map[string]any{"action": "spam", "ids": []int64{1}, "from": "bogus"}); r.Status != 400 {
		t.Errorf("unknown from: %d %s", r.Status, r.Body)
	}
}

func TestQueueFilters(t *testing.T) {
	ta := startApp(t, testEnv(t, mechanical))
	ta.postJSON(t, comment("f1", "author", "Alice Smith", "email", "alice@example.org", "text", "casino one"))
	ta.postJSON(t, comment("f2", "author", "Bob", "email", "bob@example.org", "text", "casino two about gardening"))
	cases := []struct {
		query string
		want  int
	}{
		{"", 2},
		{"post=f1", 1},
		{"author=alice", 1},
		{"email=BOB@example.org", 1},
		{"text=garden", 1},
		{"ip=127.0.0.0/8", 2},
		{"ip=10.0.0.1", 0},
		{"sort=score", 2},
		{"sort=oldest&limit=1", 1},
		{"min_score=0&max_score=1", 2},
		{"since=2000-01-01", 2},
		{"until=2000-01-01", 0},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			r := ta.mod(t, "GET", "/queue?status=pending&"+tc.query)
			if r.Status != 200 {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
			if n := len(r.json(t)["comments"].([]any)); n != tc.want {
				t.Fatalf("%d comments, want %d", n, tc.want)
			}
		})
	}
	r := ta.mod(t, "GET", "/queue?status=pending")
	first := r.json(t)["comments"].([]any)[0].(map[string]any)
	if h := first["history"].(map[string]any); h["pending"] != 1.0 {
		t.Fatalf("history: %v", h)
	}
	for _, bad := range []string{"sort=sideways", "min_score=2", "since=yesterday", "limit=0"} {
		if r := ta.mod(t, "GET", "/queue?"+bad); r.Status != 400 || !strings.Contains(string(r.Body), "invalid") {
			t.Errorf("%s: %d %s", bad, r.Status, r.Body)
		}
	}
}

func TestDiscardAboveRefusesWithoutStoring(t *testing.T) {
	ta := startApp(t, testEnv(t, map[string]string{"COMMENTD_HAM_THRESHOLD": "0.001", "COMMENTD_SPAM_THRESHOLD": "0.002", "COMMENTD_DISCARD_ABOVE": "0.003"}))
	r := ta.postJSON(t, comment("d", "text", "BUY CHEAP PILLS NOW at http://pills.example.com http://x.example.com"))
	if r.Status != 422 || r.json(t)["error"] != "rejected" {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	if total(ta.queueCounts(t)) != 0 {
		t.Fatal("a discarded comment was stored")
	}
}
