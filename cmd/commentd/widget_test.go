package main

import (
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The embeddable widget: the server-rendered /embed page and embed.js over
// HTTP, then the script in a real headless Chromium on a blog of another origin.

func TestEmbedPage(t *testing.T) {
	ta := startApp(t, testEnv(t, mechanical))

	t.Run("hostile comments are escaped", func(t *testing.T) {
		r := ta.postJSON(t, comment("hostile", "author", `<script>alert("name")</script>`,
			"url", `https://x.example/"><svg/onload=alert(1)>`,
			"text", "</textarea><script>alert(2)</script><img src=x onerror=alert(3)> {{.Post}}"))
		if r.Status != 201 {
			t.Fatalf("post: %d %s", r.Status, r.Body)
		}
		page := string(ta.do(t, "GET", "/embed/hostile", "", nil).Body)
		for _, bad := range []string{"<script>alert", "<img src=x", "<svg/onload", `/">`} {
			if strings.Contains(page, bad) {
				t.Errorf("the page contains %q", bad)
			}
		}
		for _, good := range []string{"&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;", "&lt;img src=x onerror=alert(3)&gt; {{.Post}}"} {
			mustContain(t, page, good)
		}
	})

	t.Run("replies nest under their parents", func(t *testing.T) {
		a := idOf(t, ta.postJSON(t, comment("thread", "text", "first top-level comment")))
		b := idOf(t, ta.postJSON(t, comment("thread", "text", "a reply to the first", "parent", strconv.FormatInt(a, 10))))
		c := idOf(t, ta.postJSON(t, comment("thread", "text", "a reply to the reply", "parent", strconv.FormatInt(b, 10))))
		d := idOf(t, ta.postJSON(t, comment("thread", "text", "second top-level comment")))
		got := nesting(string(ta.do(t, "GET", "/embed/thread", "", nil).Body))
		want := map[int64]int64{a: 0, b: a, c: b, d: 0}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("parents %v, want %v", got, want)
		}
	})

	t.Run("pages follow the cursor", func(t *testing.T) {
		var want []int64
		for i := range 5 {
			want = append(want, idOf(t, ta.postJSON(t, comment("paged", "text", fmt.Sprintf("comment number %d on the paged post", i)))))
		}
		var got []int64
		next, pages := "/embed/paged?limit=2", 0
		for next != "" && pages < 10 {
			page := string(ta.do(t, "GET", next, "", nil).Body)
			mustContain(t, page, "5 comments")
			for id := range nesting(page) {
				got = append(got, id)
			}
			next = ""
			if m := regexp.MustCompile(`class="more" href="([^"]+)"`).FindStringSubmatch(page); m != nil {
				next = html.UnescapeString(m[1])
			}
			pages++
		}
		slices.Sort(got)
		if pages != 3 || !slices.Equal(got, want) {
			t.Fatalf("%d pages with %v, want 3 with %v", pages, got, want)
		}
	})

	t.Run("post ids with a slash use the query", func(t *testing.T) {
		id := idOf(t, ta.postJSON(t, comment("2026/bread", "text", "slashes in the post id")))
		page := string(ta.do(t, "GET", "/embed?post=2026%2Fbread", "", nil).Body)
		mustContain(t, page, fmt.Sprintf(`id="comment-%d"`, id))
		mustContain(t, page, fmt.Sprintf(`href="/embed?post=2026%%2Fbread&amp;reply=%d#respond"`, id))
		mustContain(t, page, `<input type="hidden" name="redirect" value="/embed?post=2026%2Fbread">`)
	})

	t.Run("the reply link answers in the form", func(t *testing.T) {
		id := idOf(t, ta.postJSON(t, comment("replying", "author", "Ann", "text", "please answer me")))
		page := string(ta.do(t, "GET", fmt.Sprintf("/embed/replying?reply=%d", id), "", nil).Body)
		mustContain(t, page, "Reply to Ann")
		mustContain(t, page, fmt.Sprintf(`<input type="hidden" name="parent" value="%d">`, id))
	})

	t.Run("the form comes back to the page", func(t *testing.T) {
		form := url.Values{"post": {"flow"}, "author": {"Jo"}, "email": {"jo@example.org"}, "redirect": {"/embed/flow"}}
		form.Set("text", "posted without JavaScript")
		r := ta.postForm(t, form)
		loc := r.Header.Get("Location")
		if r.Status != 303 || !regexp.MustCompile(`^/embed/flow\?commentd_id=\d+&commentd_status=approved#comment-\d+$`).MatchString(loc) {
			t.Fatalf("%d %q", r.Status, loc)
		}
		page := string(ta.do(t, "GET", loc, "", nil).Body)
		mustContain(t, page, "Your comment is published")
		mustContain(t, page, "posted without JavaScript")

		form.Set("text", "a casino question")
		loc = ta.postForm(t, form).Header.Get("Location")
		if !strings.HasSuffix(loc, "commentd_status=awaiting_moderation#comment-awaiting-moderation") {
			t.Fatalf("held: %q", loc)
		}
		page = string(ta.do(t, "GET", loc, "", nil).Body)
		mustContain(t, page, `id="comment-awaiting-moderation"`)
		if strings.Contains(page, "casino") {
			t.Fatal("the held comment is on the page")
		}
	})

	t.Run("redirects only to commentd or allowed origins", func(t *testing.T) {
		cases := []struct{ redirect, location string }{
			{"/embed/flow", "/embed/flow?"},
			{ta.srv.URL + "/embed/flow", ta.srv.URL + "/embed/flow?"},
			{"https://blog.example.org/p", "https://blog.example.org/p?"},
			{"//evil.example.com/embed/flow", "/posted?"},
			{`/\evil.example.com/embed/flow`, "/posted?"},
			{"https://evil.example.com/embed/flow", "/posted?"},
			{"javascript:alert(1)//", "/posted?"},
		}
		for i, tc := range cases {
			t.Run(tc.redirect, func(t *testing.T) {
				form := url.Values{"post": {"redirects"}, "author": {"Jo"}, "email": {"jo@example.org"}, "redirect": {tc.redirect}}
				form.Set("text", fmt.Sprintf("redirect case %d", i))
				r := ta.postForm(t, form)
				if loc := r.Header.Get("Location"); r.Status != 303 || !strings.HasPrefix(loc, tc.location) {
					t.Fatalf("%d %q, want %q…", r.Status, loc, tc.location)
				}
			})
		}
	})

	t.Run("the page may be framed by allowed origins only", func(t *testing.T) {
		r := ta.do(t, "GET", "/embed/flow", "", nil)
		csp := r.Header.Get("Content-Security-Policy")
		mustContain(t, csp, "frame-ancestors 'self' https://blog.example.org")
		mustContain(t, csp, "form-action 'self'")
		if strings.Contains(csp, "script-src") || !strings.Contains(csp, "default-src 'none'") {
			t.Fatalf("csp %q", csp)
		}
	})

	t.Run("a bad post id answers an HTML page", func(t *testing.T) {
		r := ta.do(t, "GET", "/embed?post=", "", nil)
		if r.Status != 400 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%d %s", r.Status, r.Header.Get("Content-Type"))
		}
	})
}

func TestEmbedScript(t *testing.T) {
	ta := startApp(t, testEnv(t, map[string]string{"COMMENTD_HONEYPOT_FIELD": "website2"}))
	r := ta.do(t, "GET", "/embed.js", "", nil, "Accept-Encoding", "gzip")
	etag := r.Header.Get("ETag")
	if r.Status != 200 || r.Header.Get("Content-Encoding") != "gzip" || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/javascript") || etag == "" {
		t.Fatalf("%d %v", r.Status, r.Header)
	}
	if len(r.Body) >= 20*1024 {
		t.Fatalf("embed.js is %d bytes gzipped", len(r.Body))
	}
	if cc := r.Header.Get("Cache-Control"); cc != "public, max-age=3600" {
		t.Fatalf("plain URL cached %q", cc)
	}
	plain := ta.do(t, "GET", "/embed.js", "", nil, "Accept-Encoding", "identity")
	if plain.Header.Get("Content-Encoding") != "" || !strings.Contains(string(plain.Body), `const HONEYPOT = "website2";`) {
		t.Fatalf("identity: %v", plain.Header)
	}
	if r := ta.do(t, "GET", "/embed.js", "", nil, "If-None-Match", etag); r.Status != 304 {
		t.Fatalf("revalidation: %d", r.Status)
	}
	versioned := ta.do(t, "GET", "/embed.js?v="+strings.Trim(etag, `"`), "", nil)
	if cc := versioned.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Fatalf("versioned URL cached %q", cc)
	}
	if r := ta.do(t, "GET", "/demo", "", nil); r.Status != 404 {
		t.Fatalf("/demo is on by default: %d", r.Status)
	}
}

// nesting maps each comment on an /embed page to the comment whose replies
// hold it (0 at the top level), by following the <li> elements.
func nesting(page string) map[int64]int64 {
	tag := regexp.MustCompile(`<li class="c" id="comment-(\d+)">|</li>`)
	out := map[int64]int64{}
	var open []int64
	for _, m := range tag.FindAllStringSubmatch(page, -1) {
		if m[1] == "" {
			open = open[:len(open)-1]
			continue
		}
		id, _ := strconv.ParseInt(m[1], 10, 64)
		out[id] = 0
		if len(open) > 0 {
			out[id] = open[len(open)-1]
		}
		open = append(open, id)
	}
	return out
}

// ---- In the browser.

// blogApp starts commentd and a blog on another origin (allowed by commentd)
// whose /post page embeds the widget; attrs go on the widget's container.
func blogApp(t *testing.T, extra map[string]string, attrs string) (*testApp, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	blogURL := "http://" + ln.Addr().String()
	env := map[string]string{"COMMENTD_ALLOWED_ORIGINS": blogURL}
	for _, m := range []map[string]string{mechanical, extra} {
		for k, v := range m {
			env[k] = v
		}
	}
	ta := startApp(t, testEnv(t, env))
	page := `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A blog post</title>
<style>body{font:16px/1.5 sans-serif;max-width:40rem;margin:2rem auto} .title{color:red}</style></head>
<body><article><h1>A blog post</h1><p>Words.</p></article>
<div id="comments" data-post="blog-post" ` + attrs + `></div>
<script src="` + ta.srv.URL + `/embed.js" async></script></body></html>`
	blog := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/post" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, page)
	}))
	blog.Listener.Close()
	blog.Listener = ln
	blog.Start()
	t.Cleanup(blog.Close)
	return ta, blogURL + "/post"
}

// widget is JavaScript for an element in the widget's shadow root.
func widget(sel string) string {
	return `document.getElementById("comments").shadowRoot.querySelector(` + strconv.Quote(sel) + `)`
}

const shadow = `document.getElementById("comments").shadowRoot`

// fill types into a widget field, replacing what it held.
func (s *session) fill(sel, text string) {
	s.t.Helper()
	s.eval(widget(sel) + `.value = ""; ` + widget(sel) + `.focus(); ""`)
	if text != "" {
		s.do(chromedp.KeyEvent(text))
	}
}

// press focuses a widget element and presses Enter on it.
func (s *session) press(sel string) {
	s.t.Helper()
	s.eval(widget(sel) + `.focus(); ""`)
	s.do(chromedp.KeyEvent(kb.Enter))
}

// postComment fills the widget's form and sends it with the keyboard.
func (s *session) postComment(text, author, email string) {
	s.t.Helper()
	s.fill("#cd-text", text)
	s.fill("#cd-author", author)
	s.fill("#cd-email", email)
	s.press(`button[type="submit"]`)
}

func says(text string) string {
	return fmt.Sprintf(`%s.querySelector(".status").textContent.includes(%q)`, shadow, text)
}

func commentCount(n int) string {
	return fmt.Sprintf(`%s.querySelectorAll("li.c").length === %d`, shadow, n)
}

func TestWidget(t *testing.T) {
	browser := startBrowser(t)

	t.Run("publish, hold and reply", func(t *testing.T) {
		t.Parallel()
		ta, blog := blogApp(t, nil, "")
		first := idOf(t, ta.postJSON(t, comment("blog-post", "author", "Maria", "text", "The first comment, already there.")))
		s := newSession(t, browser, ta)
		s.do(chromedp.Navigate(blog))
		s.wait("the comments", commentCount(1))
		s.wait("the count", widget(".title")+`.textContent === "1 comment"`)
		if got := s.eval(`getComputedStyle(` + widget(".title") + `).color`); got == "rgb(255, 0, 0)" {
			t.Fatal("the page's style leaked into the widget")
		}

		s.postComment("Lovely recipe, thank you for the clear steps.", "Jo", "jo@example.org")
		s.wait("the published notice", says("Your comment is published"))
		s.wait("the new comment", commentCount(2)+` && [...`+shadow+`.querySelectorAll("li.c .text")].some((e) => e.textContent.includes("Lovely recipe"))`)
		s.wait("the new count", widget(".title")+`.textContent === "2 comments"`)
		s.wait("an emptied text field", widget("#cd-text")+`.value === ""`)

		s.fill("#cd-text", "Where can I buy the casino flour?")
		s.press(`button[type="submit"]`)
		s.wait("the held notice", says("awaiting moderation"))
		s.wait("the held comment", widget("li.pending .badge")+`?.textContent === "Awaiting moderation"`)
		s.do(chromedp.Reload())
		s.wait("the held comment after a reload", widget("li.pending .note")+`?.textContent.includes("Only you can see")`)
		s.wait("the count without it", widget(".title")+`.textContent === "2 comments"`)
		if n := len(ta.mod(t, "GET", "/queue?status=pending").json(t)["comments"].([]any)); n != 1 {
			t.Fatalf("%d comments pending", n)
		}

		li := fmt.Sprintf("#comment-%d", first)
		s.press(li + " .actions button")
		s.wait("the form under the comment", widget(li+" > form")+` !== null`)
		s.wait("focus in the text field", shadow+`.activeElement?.id === "cd-text"`)
		s.do(chromedp.KeyEvent(kb.Escape))
		s.wait("the form back at the end", widget("section > form")+` !== null`)
		s.wait("focus back on the reply button", shadow+`.activeElement?.closest("li")?.id === "comment-`+strconv.FormatInt(first, 10)+`"`)

		s.press(li + " .actions button")
		s.wait("the form under the comment", widget(li+" > form")+` !== null`)
		s.postComment("Replying to the first comment.", "Jo", "jo@example.org") // the reload emptied the form
		s.wait("the reply under its parent", widget(li+" > .replies > li.c .text")+`?.textContent.includes("Replying to the first")`)
		s.wait("the form back at the end", widget("section > form")+` !== null`)
		s.wait("the new count", widget(".title")+`.textContent === "3 comments"`)
	})

	t.Run("errors next to their fields", func(t *testing.T) {
		t.Parallel()
		ta, blog := blogApp(t, nil, "")
		s := newSession(t, browser, ta)
		s.do(chromedp.Navigate(blog))
		s.wait("the empty list", widget(".title")+`.textContent === "No comments yet"`)
		s.postComment("", "Jo", "not-an-email")
		s.wait("the email error", widget("#cd-email-err")+`.textContent.includes("email address") && `+widget("#cd-email")+`.getAttribute("aria-invalid") === "true"`)
		s.wait("the text error", widget("#cd-text-err")+`.textContent === "Please fill this in."`)
		s.wait("focus on the first wrong field", shadow+`.activeElement?.id === "cd-text"`)
		if got := s.eval(widget("#cd-author") + `.hasAttribute("aria-invalid") + ""`); got != "false" {
			t.Fatal("the name is marked wrong")
		}
		s.postComment("Fixed it.", "Jo", "jo@example.org")
		s.wait("the published notice", says("Your comment is published"))
		s.wait("the errors to clear", widget("#cd-email-err")+`.textContent === "" && !`+widget("#cd-email")+`.hasAttribute("aria-invalid")`)
	})

	t.Run("the rate limit says how long to wait", func(t *testing.T) {
		t.Parallel()
		ta, blog := blogApp(t, map[string]string{"COMMENTD_POST_RATE": "1", "COMMENTD_POST_BURST": "1", "COMMENTD_POST_PERIOD": "1h"}, "")
		s := newSession(t, browser, ta)
		s.do(chromedp.Navigate(blog))
		s.wait("the empty list", widget(".title")+`.textContent === "No comments yet"`)
		s.postComment("My one comment this hour.", "Jo", "jo@example.org")
		s.wait("the published notice", says("Your comment is published"))
		s.fill("#cd-text", "And another one right away.")
		s.press(`button[type="submit"]`)
		s.wait("the wait", shadow+`.querySelector(".status").textContent.match(/try again in \d+ seconds/)`)
		s.wait("one comment", commentCount(1))
	})

	t.Run("load more keeps the threads", func(t *testing.T) {
		t.Parallel()
		ta, blog := blogApp(t, nil, `data-limit="2"`)
		ids := make([]int64, 5)
		parents := []int{-1, -1, 0, -1, 2} // the third answers the first, the fifth the third
		for i, p := range parents {
			c := comment("blog-post", "text", fmt.Sprintf("comment %d of five", i+1))
			if p >= 0 {
				c["parent"] = ids[p]
			}
			ids[i] = idOf(t, ta.postJSON(t, c))
		}
		s := newSession(t, browser, ta)
		s.do(chromedp.Navigate(blog))
		s.wait("the first page", commentCount(2)+` && !`+widget(".more")+`.hidden`)
		s.press(".more")
		s.wait("the second page", commentCount(4))
		s.wait("focus on the first comment loaded", shadow+fmt.Sprintf(`.activeElement?.closest("li")?.id === "comment-%d"`, ids[2]))
		s.press(".more")
		s.wait("the last page", commentCount(5)+` && `+widget(".more")+`.hidden`)
		s.wait("the nested replies", widget(fmt.Sprintf("#comment-%d > .replies > #comment-%d > .replies > #comment-%d", ids[0], ids[2], ids[4]))+` !== null`)
	})

	t.Run("the demo page and the page without JavaScript", func(t *testing.T) {
		t.Parallel()
		env := map[string]string{"COMMENTD_DEMO": "true"}
		for k, v := range mechanical {
			env[k] = v
		}
		ta := startApp(t, testEnv(t, env))
		s := newSession(t, browser, ta)
		s.do(chromedp.Navigate(ta.srv.URL + "/demo"))
		s.wait("the widget", widget(".title")+`.textContent === "No comments yet"`)
		s.postComment("Tried it on the demo page.", "Demo Reader", "reader@example.org")
		s.wait("the published notice", says("Your comment is published"))

		s.do(
			chromedp.Navigate(ta.srv.URL+"/embed/demo"),
			chromedp.WaitVisible(chromedp.CSS("li.c")),
			chromedp.SendKeys(chromedp.ID("cd-text"), "And once more without the script."),
			chromedp.SendKeys(chromedp.ID("cd-author"), "Plain Reader"),
			chromedp.SendKeys(chromedp.ID("cd-email"), "plain@example.org"),
			chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.ID("posted")),
		)
		s.wait("both comments", `document.querySelectorAll("li.c").length === 2 && document.title === "2 comments"`)
		if loc := s.eval(`location.pathname + location.hash`); !regexp.MustCompile(`^/embed/demo#comment-\d+$`).MatchString(loc) {
			t.Fatalf("back at %q", loc)
		}
	})
}
