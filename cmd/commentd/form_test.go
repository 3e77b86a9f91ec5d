package main

import (
	"net/url"
	"strings"
	"testing"
)

func TestFormFlow(t *testing.T) {
	ta := startApp(t, testEnv(t, mechanical))
	base := url.Values{"post": {"form-post"}, "author": {"Jo"}, "email": {"jo@example.org"}}
	with := func(kv ...string) url.Values {
		v := url.Values{}
		for k, vs := range base {
			v[k] = vs
		}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	cases := []struct {
		name      string
		form      url.Values
		headers   []string
		status    int
		location  string // prefix
		locSuffix string
	}{
		{"redirect field, approved", with("text", "line one\r\nline two", "redirect", "https://blog.example.org/posts/bread?ref=x"), nil,
			303, "https://blog.example.org/posts/bread?commentd_id=", "#comment-"},
		{"redirect field, held", with("text", "casino talk", "redirect", "https://blog.example.org/posts/bread"), nil,
			303, "https://blog.example.org/posts/bread?commentd_id=", "&commentd_status=awaiting_moderation#comment-awaiting-moderation"},
		{"foreign redirect ignored, referer allowed", with("text", "from the referer", "redirect", "https://evil.example.com/"),
			[]string{"Referer", "https://blog.example.org/a"}, 303, "https://blog.example.org/a?commentd_id=", ""},
		{"nothing allowed: result page", with("text", "no page known"), []string{"Referer", "https://evil.example.com/"},
			303, "/posted?id=", "&status=approved"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := ta.postForm(t, tc.form, tc.headers...)
			loc := r.Header.Get("Location")
			if r.Status != tc.status || !strings.HasPrefix(loc, tc.location) || !strings.Contains(loc, tc.locSuffix) {
				t.Fatalf("%d %q", r.Status, loc)
			}
		})
	}
	t.Run("CRLF stored as LF", func(t *testing.T) {
		r := ta.do(t, "GET", "/api/v1/comments?post=form-post", "", nil)
		mustContain(t, string(r.Body), `"text":"line one\nline two"`)
	})
	t.Run("result page", func(t *testing.T) {
		r := ta.do(t, "GET", "/posted?status=awaiting_moderation&id=3", "", nil)
		mustContain(t, string(r.Body), "awaiting moderation")
	})
	t.Run("errors render a page", func(t *testing.T) {
		r := ta.postForm(t, with("email", "nope", "text", "<script>x</script>", "redirect", "https://blog.example.org/p"))
		if r.Status != 400 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%d %s", r.Status, r.Header.Get("Content-Type"))
		}
		mustContain(t, string(r.Body), "<strong>Email</strong>: Please enter an email address such as you@example.org.")
		mustContain(t, string(r.Body), `href="https://blog.example.org/p"`)
		if strings.Contains(string(r.Body), "invalid_email") {
			t.Errorf("the page shows the machine code: %s", r.Body)
		}
	})
	t.Run("a reply to a comment that does not exist", func(t *testing.T) {
		r := ta.postForm(t, with("parent", "999999", "text", "A reply to nothing."))
		if r.Status != 400 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		mustContain(t, string(r.Body), "<strong>Reply</strong>: The comment you replied to no longer exists.")
	})
	t.Run("multipart form", func(t *testing.T) {
		body := "--XX\r\nContent-Disposition: form-data; name=\"post\"\r\n\r\nmp\r\n--XX\r\nContent-Disposition: form-data; name=\"author\"\r\n\r\nA\r\n--XX\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\na@example.org\r\n--XX\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nmultipart works\r\n--XX--\r\n"
		r := ta.do(t, "POST", "/api/v1/comments", "multipart/form-data; boundary=XX", []byte(body), "Accept", "application/json")
		if r.Status != 201 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	})
}

func TestCORS(t *testing.T) {
	ta := startApp(t, testEnv(t, mechanical))
	r := ta.do(t, "OPTIONS", "/api/v1/comments", "", nil, "Origin", "https://blog.example.org", "Access-Control-Request-Method", "POST")
	if r.Status != 204 || r.Header.Get("Access-Control-Allow-Origin") != "https://blog.example.org" || !strings.Contains(r.Header.Get("Access-Control-Allow-Methods"), "POST") {
		t.Fatalf("preflight: %d %v", r.Status, r.Header)
	}
	r = ta.do(t, "GET", "/api/v1/counts?post=x", "", nil, "Origin", "https://evil.example.com")
	if r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("foreign origin allowed")
	}
}
