package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	verrors "github.com/pb33f/libopenapi-validator/errors"

	"github.com/commentd/commentd/api"
	"github.com/commentd/commentd/models"
)

// contract sends real requests to a running app and checks every response
// against api/openapi.yaml: status, content type, headers and body schema.
type contract struct {
	ta *testApp
	v  validator.Validator
}

func newContract(t *testing.T, ta *testApp) *contract {
	t.Helper()
	doc, err := libopenapi.NewDocument([]byte(api.Spec))
	if err != nil {
		t.Fatal(err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("api/openapi.yaml: %v", errs)
	}
	return &contract{ta: ta, v: v}
}

// exchange is one request and the status it must get.
type exchange struct {
	method, path string
	ctype        string
	body         any      // JSON-encoded unless []byte or string
	headers      []string // name, value, ...
	want         int
	// offSpec marks a request that breaks the spec on purpose (a 4xx test):
	// only its response is checked.
	offSpec bool
}

// check sends x as a subtest, fails unless the status is x.want and the
// response (and, unless offSpec, the request) matches the spec, and returns it.
func (c *contract) check(t *testing.T, name string, x exchange) response {
	t.Helper()
	var r response
	t.Run(name, func(t *testing.T) {
		body := encode(x.body)
		if x.ctype == "" && x.body != nil {
			x.ctype = "application/json"
		}
		r = c.ta.do(t, x.method, x.path, x.ctype, body, x.headers...)
		if r.Status != x.want {
			t.Fatalf("%s %s: status %d, want %d: %s", x.method, x.path, r.Status, x.want, r.Body)
		}
		req := c.request(t, x, body)
		if !x.offSpec {
			if ok, errs := c.v.ValidateHttpRequestSync(req); !ok {
				t.Errorf("request %s %s does not match api/openapi.yaml:%s", x.method, x.path, specErrors(errs))
			}
			req = c.request(t, x, body)
		}
		resp := &http.Response{StatusCode: r.Status, Header: r.Header, Body: io.NopCloser(bytes.NewReader(r.Body)), Request: req}
		if ok, errs := c.v.ValidateHttpResponse(req, resp); !ok {
			t.Errorf("response %d to %s %s does not match api/openapi.yaml:%s\nbody: %.600s", r.Status, x.method, x.path, specErrors(errs), r.Body)
		}
	})
	return r
}

func (c *contract) request(t *testing.T, x exchange, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(x.method, c.ta.srv.URL+x.path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if x.ctype != "" {
		req.Header.Set("Content-Type", x.ctype)
	}
	for i := 0; i+1 < len(x.headers); i += 2 {
		req.Header.Set(x.headers[i], x.headers[i+1])
	}
	return req
}

func encode(v any) []byte {
	switch b := v.(type) {
	case nil:
		return nil
	case []byte:
		return b
	case string:
		return []byte(b)
	}
	b, _ := json.Marshal(v)
	return b
}

func specErrors(errs []*verrors.ValidationError) string {
	var sb strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&sb, "\n  %s: %s", e.Message, e.Reason)
		for _, f := range e.SchemaValidationErrors {
			fmt.Fprintf(&sb, "\n    %s %s", f.FieldPath, f.Reason)
		}
	}
	return sb.String()
}

// TestResponsesMatchOpenAPI walks the main flows of every API group against
// the real service and validates each answer against api/openapi.yaml.
func TestResponsesMatchOpenAPI(t *testing.T) {
	ta := startApp(t, testEnv(t, mechanical))
	c := newContract(t, ta)
	bearer := []string{"Authorization", "Bearer " + testToken}
	mod := func(method, path string, body any, want int) exchange {
		return exchange{method: method, path: "/api/v1/moderation" + path, body: body, headers: bearer, want: want}
	}
	idIn := func(r response) int64 {
		var v struct{ ID int64 }
		json.Unmarshal(r.Body, &v)
		return v.ID
	}
	post := "2026/sourdough"

	c.check(t, "healthz", exchange{method: "GET", path: "/healthz", want: 200})
	c.check(t, "healthz, HEAD", exchange{method: "HEAD", path: "/healthz", want: 200})
	c.check(t, "readyz, HEAD", exchange{method: "HEAD", path: "/readyz", want: 200})
	c.check(t, "readyz", exchange{method: "GET", path: "/readyz", want: 200})
	c.check(t, "openapi.yaml", exchange{method: "GET", path: "/openapi.yaml", want: 200})
	c.check(t, "metrics", exchange{method: "GET", path: "/metrics", want: 200})
	c.check(t, "preflight", exchange{method: "OPTIONS", path: "/api/v1/comments", want: 204,
		headers: []string{"Origin", "https://blog.example.org", "Access-Control-Request-Method", "POST"}})

	// Public: post, read, count.
	first := idIn(c.check(t, "post JSON 201", exchange{method: "POST", path: "/api/v1/comments", body: comment(post), want: 201}))
	c.check(t, "post a reply 201", exchange{method: "POST", path: "/api/v1/comments", want: 201,
		body: map[string]any{"post": post, "parent": first, "author": "Jo", "email": "jo@example.org", "text": "Same here, it worked for me."}})
	held := idIn(c.check(t, "post held 201", exchange{method: "POST", path: "/api/v1/comments", want: 201,
		body: comment(post, "text", "Best casino bonus here", "email", "held@example.org")}))
	c.check(t, "post 400 with fields", exchange{method: "POST", path: "/api/v1/comments", want: 400, offSpec: true,
		body: map[string]any{"post": post, "text": "no author"}})
	c.check(t, "post duplicate 409", exchange{method: "POST", path: "/api/v1/comments", body: comment(post), want: 409})
	c.check(t, "post text/plain 415", exchange{method: "POST", path: "/api/v1/comments", ctype: "text/plain", body: "hi", want: 415, offSpec: true})
	c.check(t, "post too large 413", exchange{method: "POST", path: "/api/v1/comments", want: 413, offSpec: true,
		body: comment(post, "text", strings.Repeat("a", 70<<10))})
	form := url.Values{"post": {post}, "author": {"Jo"}, "email": {"jo2@example.org"}, "text": {"Lovely photos!"},
		"redirect": {"https://blog.example.org/2026/sourdough"}}
	c.check(t, "post form 303", exchange{method: "POST", path: "/api/v1/comments", ctype: "application/x-www-form-urlencoded",
		body: form.Encode(), want: 303})
	c.check(t, "post form 400 page", exchange{method: "POST", path: "/api/v1/comments", ctype: "application/x-www-form-urlencoded",
		body: url.Values{"post": {post}, "text": {"no author"}}.Encode(), want: 400, offSpec: true})

	list := c.check(t, "list 200 with ETag", exchange{method: "GET", path: "/api/v1/comments?limit=1&post=" + url.QueryEscape(post), want: 200})
	c.check(t, "list 304", exchange{method: "GET", path: "/api/v1/comments?limit=1&post=" + url.QueryEscape(post), want: 304,
		headers: []string{"If-None-Match", list.Header.Get("ETag")}})
	c.check(t, "list 400", exchange{method: "GET", path: "/api/v1/comments", want: 400, offSpec: true})
	c.check(t, "counts 200", exchange{method: "GET", path: "/api/v1/counts?post=" + url.QueryEscape(post) + "&post=none", want: 200})

	// Moderation with the bootstrap token.
	c.check(t, "me", mod("GET", "/me", nil, 200))
	c.check(t, "queue pending", mod("GET", "/queue", nil, 200))
	c.check(t, "queue approved with parents", mod("GET", "/queue?status=approved&sort=oldest&limit=10", nil, 200))
	c.check(t, "queue 400", exchange{method: "GET", path: "/api/v1/moderation/queue?status=bogus", headers: bearer, want: 400, offSpec: true})
	c.check(t, "counts", mod("GET", "/counts", nil, 200))
	c.check(t, "approve", mod("POST", fmt.Sprintf("/comments/%d/approve?from=pending", held), nil, 200))
	c.check(t, "approve again 409", mod("POST", fmt.Sprintf("/comments/%d/approve?from=pending", held), nil, 409))
	c.check(t, "spam", mod("POST", fmt.Sprintf("/comments/%d/spam", held), nil, 200))
	c.check(t, "restore", mod("POST", fmt.Sprintf("/comments/%d/restore", held), nil, 200))
	c.check(t, "decide unknown id 404", mod("POST", "/comments/999999/approve", nil, 404))
	c.check(t, "unknown action 404", exchange{method: "POST", path: fmt.Sprintf("/api/v1/moderation/comments/%d/publish", held),
		headers: bearer, want: 404, offSpec: true})
	c.check(t, "bulk ids", mod("POST", "/bulk", map[string]any{"action": "trash", "ids": []int64{held, 999999}}, 200))
	c.check(t, "bulk filter", mod("POST", "/bulk", map[string]any{"action": "restore", "filter": map[string]string{"status": "trash"}}, 200))
	c.check(t, "bulk 400", exchange{method: "POST", path: "/api/v1/moderation/bulk", body: map[string]any{"action": "approve"},
		headers: bearer, want: 400})
	c.check(t, "delete moved on 409", mod("DELETE", fmt.Sprintf("/comments/%d?from=spam", held), nil, 409))
	c.check(t, "delete", mod("DELETE", fmt.Sprintf("/comments/%d", held), nil, 204))
	c.check(t, "delete again 404", mod("DELETE", fmt.Sprintf("/comments/%d", held), nil, 404))

	// Policy.
	c.check(t, "settings", mod("GET", "/settings", nil, 200))
	c.check(t, "put settings", mod("PUT", "/settings", map[string]any{"trust_after": 2, "hold_first": false}, 200))
	word := idIn(c.check(t, "add word", mod("POST", "/words", map[string]any{"kind": "held", "word": "lottery"}, 201)))
	c.check(t, "add word again 409", mod("POST", "/words", map[string]any{"kind": "held", "word": "lottery"}, 409))
	c.check(t, "words", mod("GET", "/words", nil, 200))
	c.check(t, "delete word", mod("DELETE", fmt.Sprintf("/words/%d", word), nil, 204))
	c.check(t, "delete word again 404", mod("DELETE", fmt.Sprintf("/words/%d", word), nil, 404))
	ban := idIn(c.check(t, "add ban", mod("POST", "/bans", map[string]any{"kind": "ip", "value": "203.0.113.0/24",
		"reason": "link farm", "expires_at": "2030-01-01T00:00:00Z"}, 201)))
	c.check(t, "bans", mod("GET", "/bans", nil, 200))
	c.check(t, "delete ban", mod("DELETE", fmt.Sprintf("/bans/%d", ban), nil, 204))
	c.check(t, "audit", mod("GET", "/audit?action=ban.&limit=5", nil, 200))
	c.check(t, "audit 400", exchange{method: "GET", path: "/api/v1/moderation/audit?comment=x", headers: bearer, want: 400, offSpec: true})

	// Accounts and tokens; a moderator's token meets 403 on admin routes.
	c.check(t, "no moderators yet", mod("GET", "/moderators", nil, 200))
	c.check(t, "add moderator", mod("POST", "/moderators", map[string]any{"name": "mo", "role": "moderator", "password": "a long moderator password"}, 201))
	c.check(t, "add moderator again 409", mod("POST", "/moderators", map[string]any{"name": "mo", "role": "moderator", "password": "a long moderator password"}, 409))
	issued := c.check(t, "issue token", mod("POST", "/moderators/mo/tokens", map[string]any{"name": "script"}, 201))
	var tok struct {
		Token string
		ID    int64
	}
	json.Unmarshal(issued.Body, &tok)
	c.check(t, "tokens", mod("GET", "/tokens", nil, 200))
	c.check(t, "moderator token 403", exchange{method: "PUT", path: "/api/v1/moderation/settings", body: map[string]any{"max_links": 3},
		headers: []string{"Authorization", "Bearer " + tok.Token}, want: 403})
	c.check(t, "moderator token reads the queue", exchange{method: "GET", path: "/api/v1/moderation/queue",
		headers: []string{"Authorization", "Bearer " + tok.Token}, want: 200})
	c.check(t, "no token 401", exchange{method: "GET", path: "/api/v1/moderation/queue", want: 401, offSpec: true})
	c.check(t, "wrong token 401", exchange{method: "GET", path: "/api/v1/moderation/counts",
		headers: []string{"Authorization", "Bearer nope"}, want: 401})
	c.check(t, "revoke token", mod("DELETE", fmt.Sprintf("/tokens/%d", tok.ID), nil, 204))
	c.check(t, "delete moderator", mod("DELETE", "/moderators/mo", nil, 204))
	c.check(t, "delete moderator again 404", mod("DELETE", "/moderators/mo", nil, 404))

	// The console's scripts: a session cookie, and the CSRF token on changes.
	if _, err := ta.accounts.CreateModerator(t.Context(), "test", "ada", models.RoleAdmin, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	login := ta.do(t, "POST", "/console/login", "application/x-www-form-urlencoded",
		[]byte(url.Values{"name": {"ada"}, "password": {"correct horse battery"}}.Encode()))
	cookie := strings.SplitN(login.Header.Get("Set-Cookie"), ";", 2)[0]
	if login.Status != 303 || cookie == "" {
		t.Fatalf("login: %d %s", login.Status, login.Body)
	}
	me := c.check(t, "me by session", exchange{method: "GET", path: "/api/v1/moderation/me", headers: []string{"Cookie", cookie}, want: 200})
	var csrf struct {
		CSRFToken string `json:"csrf_token"`
	}
	json.Unmarshal(me.Body, &csrf)
	noCSRF := c.check(t, "session without CSRF 403", exchange{method: "POST", path: "/api/v1/moderation/bulk", offSpec: true,
		body: map[string]any{"action": "approve", "ids": []int64{first}}, headers: []string{"Cookie", cookie}, want: 403})
	if code := noCSRF.json(t)["error"]; code != "csrf" {
		t.Errorf("session without CSRF: error %v, want csrf", code)
	}
	c.check(t, "session with CSRF", exchange{method: "POST", path: "/api/v1/moderation/bulk",
		body: map[string]any{"action": "approve", "ids": []int64{first}}, headers: []string{"Cookie", cookie, "X-CSRF-Token", csrf.CSRFToken}, want: 200})
}

// TestRateLimitMatchesOpenAPI checks the 429 answer and its headers.
func TestRateLimitMatchesOpenAPI(t *testing.T) {
	ta := startApp(t, testEnv(t, map[string]string{"COMMENTD_POST_RATE": "1", "COMMENTD_POST_BURST": "1"}))
	c := newContract(t, ta)
	c.check(t, "first post", exchange{method: "POST", path: "/api/v1/comments", body: comment("rl"), want: 201})
	r := c.check(t, "second post 429", exchange{method: "POST", path: "/api/v1/comments", want: 429,
		body: comment("rl", "text", "another comment, too soon")})
	if r.Header.Get("Retry-After") == "" {
		t.Fatalf("429 without Retry-After: %v", r.Header)
	}
}
