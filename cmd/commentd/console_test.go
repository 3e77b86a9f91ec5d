package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/commentd/commentd/models"
)

// The moderator console, driven in a real headless Chromium: one browser for
// the whole file, a fresh browser context (its own cookies) for every person,
// so the cases run side by side in one browser.

var screenshots = flag.Bool("screenshots", false, "write docs/console-queue.png and docs/console-policy.png")

const consolePassword = "correct horse battery"

// consoleApp starts the service with an admin account "ada".
func consoleApp(t *testing.T, extra map[string]string) *testApp {
	t.Helper()
	env := map[string]string{"COMMENTD_LOGIN_BURST": "100"}
	for k, v := range mechanical {
		env[k] = v
	}
	for k, v := range extra {
		env[k] = v
	}
	ta := startApp(t, testEnv(t, env))
	ta.account(t, "ada", models.RoleAdmin)
	return ta
}

func (ta *testApp) account(t *testing.T, name string, role models.Role) {
	t.Helper()
	if _, err := ta.accounts.CreateModerator(context.Background(), "test", name, role, consolePassword); err != nil {
		t.Fatal(err)
	}
}

// startBrowser launches the Chromium every test of the file shares.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath("/usr/bin/chromium"),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return browser
}

// session is one person at the console: a browser context with its own cookies.
type session struct {
	t    *testing.T
	ctx  context.Context
	base string
}

func newSession(t *testing.T, browser context.Context, ta *testApp) *session {
	t.Helper()
	deadline, cancelDeadline := context.WithTimeout(browser, 2*time.Minute)
	ctx, cancel := chromedp.NewContext(deadline, chromedp.WithNewBrowserContext())
	t.Cleanup(func() { cancel(); cancelDeadline() })
	s := &session{t: t, ctx: ctx, base: ta.srv.URL}
	s.reportPageErrors()
	return s
}

// reportPageErrors fails the test on a script exception or a refused resource
// (a Content-Security-Policy violation), seen at the end of the test.
func (s *session) reportPageErrors() {
	var mu sync.Mutex
	var problems []string
	add := func(p string) {
		mu.Lock()
		problems = append(problems, p)
		mu.Unlock()
	}
	exceptions := chromedp.Events(s.ctx, runtime.ExceptionThrown)
	entries := chromedp.Events(s.ctx, log.EntryAdded)
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			add(fmt.Sprintf("script exception at %s:%d: %s", d.URL, d.LineNumber+1, msg))
		}
	}()
	go func() {
		for ev, err := range entries {
			if err != nil {
				return
			}
			if e := ev.Entry; e.Level == log.EntryLevelError && e.Source != log.EntrySourceNetwork {
				add(fmt.Sprintf("console %s error: %s", e.Source, e.Text))
			}
		}
	}()
	s.t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, p := range problems {
			s.t.Error(p)
		}
	})
}

func (s *session) do(steps ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	if err := chromedp.Do(s.ctx, steps...); err != nil {
		s.t.Fatal(err)
	}
}

// wait waits until the JavaScript expression is truthy in the page.
func (s *session) wait(what, js string) {
	s.t.Helper()
	_, err := chromedp.Run(s.ctx, chromedp.Poll[chromedp.Void](js,
		chromedp.WithPollingInterval(25*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second)))
	if err != nil {
		s.t.Fatalf("waiting for %s (%s): %v", what, js, err)
	}
}

func (s *session) text(sel string) string {
	s.t.Helper()
	v, err := chromedp.Run(s.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		s.t.Fatalf("text of %s: %v", sel, err)
	}
	return v
}

func (s *session) eval(js string) string {
	s.t.Helper()
	v, err := chromedp.Run(s.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		s.t.Fatalf("%s: %v", js, err)
	}
	return v
}

// login logs in through the form and waits for the queue's live feed.
func (s *session) login(name string) {
	s.t.Helper()
	s.do(
		chromedp.Navigate(s.base+"/console"),
		chromedp.WaitVisible(chromedp.ID("login-name")),
		chromedp.SendKeys(chromedp.ID("login-name"), name),
		chromedp.SendKeys(chromedp.ID("login-password"), consolePassword+"\n"),
		chromedp.WaitReady(chromedp.ID("rows")),
	)
	s.waitLive()
}

func (s *session) waitLive() {
	s.t.Helper()
	s.wait("the live feed", `document.getElementById("live-state")?.dataset.state === "open"`)
}

func rowSel(id int64) string { return fmt.Sprintf("#c%d", id) }

func present(id int64) string { return fmt.Sprintf(`document.getElementById("c%d") !== null`, id) }

func absent(id int64) string { return fmt.Sprintf(`document.getElementById("c%d") === null`, id) }

func countIs(status string, n int) string {
	return fmt.Sprintf(`document.querySelector('.count[data-count="%s"]')?.textContent.trim() === "%d"`, status, n)
}

func liveSays(s string) string {
	return fmt.Sprintf(`document.getElementById("live").textContent.includes(%q)`, s)
}

const rowCount = `document.querySelectorAll("#rows > .row").length`

func TestConsole(t *testing.T) {
	browser := startBrowser(t)

	t.Run("reasons and a keyboard approval", func(t *testing.T) {
		t.Parallel()
		ta := consoleApp(t, nil)
		ta.postJSON(t, comment("kb", "text", "Lovely bread, I baked it twice."))
		id := idOf(t, ta.postJSON(t, comment("kb", "text", "Is the casino near the bakery open on Sundays? Asking for our baking club.")))
		s := newSession(t, browser, ta)
		s.login("ada")
		why := s.text(rowSel(id) + " .why")
		for _, want := range []string{"held word: casino", "1 approved · 0 spam"} {
			if !strings.Contains(why, want) {
				t.Errorf("reasons %q lack %q", why, want)
			}
		}
		s.wait("token weights", fmt.Sprintf(`document.querySelectorAll("#c%d .tok b").length > 0`, id))
		s.do(chromedp.KeyEvent("j"))
		s.wait("the row to be current", fmt.Sprintf(`document.activeElement.id === "c%d" && document.activeElement.classList.contains("is-current")`, id))
		s.do(chromedp.KeyEvent("x"))
		s.wait("the row to be selected", fmt.Sprintf(`document.querySelector('#c%d input[name="ids"]').checked`, id))
		s.wait("the selection count", `document.getElementById("selected-count").textContent === "1 selected"`)
		s.do(chromedp.KeyEvent("?"))
		s.wait("the shortcuts", `document.getElementById("help").open`)
		s.do(chromedp.KeyEvent(kb.Escape))
		s.wait("the shortcuts to close", `!document.getElementById("help").open`)
		s.do(chromedp.KeyEvent("a"))
		s.wait("the row to leave", absent(id))
		s.wait("the notice", liveSays("Approved"))
		s.wait("the pending count", countIs("pending", 0))
		r := ta.do(t, "GET", "/api/v1/comments?post=kb", "", nil)
		mustContain(t, string(r.Body), fmt.Sprintf(`"id":%d`, id))
	})

	t.Run("bulk spam of everything matching a filter", func(t *testing.T) {
		t.Parallel()
		ta := consoleApp(t, nil)
		for i := range 5 {
			post := []string{"bulk-a", "bulk-b"}[i%2]
			ta.postJSON(t, comment(post, "email", fmt.Sprintf("b%d@example.org", i), "text", fmt.Sprintf("casino offer number %d", i)))
		}
		s := newSession(t, browser, ta)
		s.login("ada")
		s.wait("five rows", rowCount+" === 5")
		s.do(
			chromedp.SendKeys(chromedp.ID("f-post"), "bulk-a\n"),
			chromedp.WaitReady(chromedp.CSS(`#bulk input[name="f_post"][value="bulk-a"]`)),
		)
		s.waitLive()
		s.wait("the filtered rows", rowCount+" === 3")
		s.do(
			chromedp.Click(chromedp.ID("bulk-all")),
			chromedp.Click(chromedp.CSS(`#bulk button[value="spam"]`)),
		)
		s.wait("the rows to leave", rowCount+" === 0")
		s.wait("the notice", liveSays("Marked as spam: 3 comments"))
		s.wait("the spam count", countIs("spam", 3))
		spam := ta.mod(t, "GET", "/queue?status=spam&post=bulk-a").json(t)["comments"].([]any)
		pending := ta.mod(t, "GET", "/queue?status=pending").json(t)["comments"].([]any)
		if len(spam) != 3 || len(pending) != 2 {
			t.Fatalf("%d spam, %d pending", len(spam), len(pending))
		}
		for _, c := range pending {
			if c.(map[string]any)["post"] != "bulk-b" {
				t.Fatalf("bulk touched %v", c)
			}
		}
	})

	t.Run("two moderators see each other live", func(t *testing.T) {
		t.Parallel()
		ta := consoleApp(t, nil)
		ta.account(t, "bo", models.RoleModerator)
		first := idOf(t, ta.postJSON(t, comment("live", "text", "casino question one")))
		ada, bo := newSession(t, browser, ta), newSession(t, browser, ta)
		ada.login("ada")
		bo.login("bo")

		second := idOf(t, ta.postJSON(t, comment("live", "email", "x@example.org", "text", "casino question two")))
		bo.wait("the new comment", present(second))
		bo.wait("the pending count", countIs("pending", 2))
		ada.wait("the new comment", present(second))

		ada.do(chromedp.Click(chromedp.CSS(rowSel(second) + ` button[data-action="spam"]`)))
		ada.wait("the row to leave", absent(second))
		bo.wait("the row decided elsewhere to leave", absent(second))
		bo.wait("who decided", liveSays("ada decided"))
		bo.wait("the pending count", countIs("pending", 1))

		// A row someone else decided while this page missed the news: 409.
		bo.eval(fmt.Sprintf(`document.getElementById("c%d").dataset.status = "spam"; ""`, first))
		bo.do(chromedp.Click(chromedp.CSS(rowSel(first) + ` button[data-action="approve"]`)))
		bo.wait("the conflict notice", liveSays("Already decided by someone else"))
		bo.wait("the stale row to leave", absent(first))
		if got := ta.mod(t, "GET", "/queue?status=pending").json(t)["comments"].([]any); len(got) != 1 {
			t.Fatalf("the conflict changed something: %d pending", len(got))
		}
	})

	t.Run("logout ends the session", func(t *testing.T) {
		t.Parallel()
		ta := consoleApp(t, nil)
		s := newSession(t, browser, ta)
		s.login("ada")
		s.do(
			chromedp.Click(chromedp.CSS(`.who button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.ID("login-name")),
			chromedp.Navigate(s.base+"/console"),
			chromedp.WaitVisible(chromedp.ID("login-name")),
		)
		loc, err := chromedp.Run(s.ctx, chromedp.Location())
		if err != nil || !strings.HasSuffix(loc, "/console/login?next=%2Fconsole") {
			t.Fatalf("after logout /console went to %q (%v)", loc, err)
		}
	})

	t.Run("screenshots", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		if *screenshots {
			dir = filepath.Join("..", "..", "docs")
		}
		shootConsole(t, browser, dir)
	})
}

// shootConsole fills a console with a realistic queue and policy and takes
// pictures of the queue and policy pages.
func shootConsole(t *testing.T, browser context.Context, dir string) {
	ta := consoleApp(t, map[string]string{
		"COMMENTD_HAM_THRESHOLD": "0.15", "COMMENTD_SPAM_THRESHOLD": "0.999", "COMMENTD_MAX_LINKS": "1", "COMMENTD_HOLD_FIRST": "true",
		"COMMENTD_HELD_WORDS": "casino,crypto", "COMMENTD_BLOCKED_WORDS": "viagra",
	})
	seed := []map[string]any{
		comment("recipes/sourdough", "author", "Maria Keller", "email", "maria@example.org",
			"text", "Thanks for the recipe! I tried it with less sugar and it still worked well.\nHow long does the starter keep in the fridge?"),
		comment("recipes/sourdough", "author", "Tom", "email", "tom@example.net",
			"text", "My loaf came out flat again. Could the kitchen be too cold? It is about 17 °C in winter."),
		comment("recipes/sourdough", "author", "Best Deals 24", "email", "deals24@mailinator.example", "url", "https://deals.example/win",
			"text", "WIN BIG at our crypto casino!!! Free bonus for new players, click https://deals.example/win and https://deals.example/bonus now"),
		comment("travel/lisbon", "author", "Ana Sousa", "email", "ana@example.pt",
			"text", "If you go back, try the custard tarts in Belém early in the morning, before the queues."),
		comment("travel/lisbon", "author", "cheap-seo", "email", "seo@spam.example", "url", "https://seo.example",
			"text", "Nice post. Check my site for cheap SEO services and backlinks https://seo.example/links"),
	}
	var ids []int64
	for _, c := range seed {
		ids = append(ids, idOf(t, ta.postJSON(t, c)))
	}
	ta.mod(t, "POST", fmt.Sprintf("/comments/%d/approve", ids[0]))
	ta.mod(t, "POST", fmt.Sprintf("/comments/%d/approve", ids[3]))
	reply := comment("recipes/sourdough", "author", "Jonas", "email", "jonas@example.de",
		"text", "Same question here. Mine has kept two weeks without feeding, but it needed two feeds to wake up.")
	reply["parent"] = ids[0]
	idOf(t, ta.postJSON(t, reply))
	ctx := context.Background()
	admin := models.Principal{Name: "ada", Role: models.RoleAdmin}
	for _, w := range []struct {
		kind models.WordKind
		word string
	}{{models.WordBlocked, "replica watches"}, {models.WordBlocked, "payday loan"}, {models.WordHeld, "giveaway"}, {models.WordHeld, "telegram"}} {
		if _, err := ta.service.AddWord(ctx, admin, w.kind, w.word); err != nil {
			t.Fatal(err)
		}
	}
	week := time.Now().Add(7 * 24 * time.Hour)
	if _, err := ta.service.AddBan(ctx, admin, models.BanIP, "203.0.113.0/24", "comment flood in March", &week); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.service.AddBan(ctx, admin, models.BanEmail, "seo@spam.example", "SEO spam", nil); err != nil {
		t.Fatal(err)
	}

	s := newSession(t, browser, ta)
	s.do(chromedp.EmulateViewport(1280, 900))
	s.login("ada")
	s.do(chromedp.KeyEvent("j"), chromedp.KeyEvent("j"))
	s.wait("the second row to be current", `document.querySelectorAll("#rows > .row")[1]?.classList.contains("is-current")`)
	s.shoot(filepath.Join(dir, "console-queue.png"))
	s.do(chromedp.Navigate(s.base+"/console/policy"), chromedp.WaitVisible(chromedp.ID("bans-title")))
	s.shoot(filepath.Join(dir, "console-policy.png"))
}

func (s *session) shoot(path string) {
	s.t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		s.t.Fatal(err)
	}
	png, err := chromedp.Run(s.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// consoleLogin logs in with a plain HTTP form post and returns the session
// cookie and the CSRF token the console's pages carry.
func consoleLogin(t *testing.T, ta *testApp, name string) (cookie, csrf string) {
	t.Helper()
	form := url.Values{"name": {name}, "password": {consolePassword}}
	r := ta.do(t, "POST", "/console/login", "application/x-www-form-urlencoded", []byte(form.Encode()))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("login: %d %s", r.Status, r.Body)
	}
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "commentd_session" {
			cookie = c.Name + "=" + c.Value
		}
	}
	page := ta.do(t, "GET", "/console", "", nil, "Cookie", cookie)
	m := regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`).FindSubmatch(page.Body)
	if cookie == "" || m == nil {
		t.Fatalf("no session: %v %s", r.Header, page.Body)
	}
	return cookie, string(m[1])
}

// postPage posts a console form with the session cookie.
func (ta *testApp) postPage(t *testing.T, cookie, path string, form url.Values) response {
	t.Helper()
	return ta.do(t, "POST", path, "application/x-www-form-urlencoded", []byte(form.Encode()), "Cookie", cookie)
}

func statusOf(t *testing.T, ta *testApp, id int64) string {
	t.Helper()
	for _, st := range []string{"pending", "approved", "spam", "trash"} {
		for _, c := range ta.mod(t, "GET", "/queue?status="+st).json(t)["comments"].([]any) {
			if int64(c.(map[string]any)["id"].(float64)) == id {
				return st
			}
		}
	}
	return "gone"
}

// TestConsoleForms drives the console with plain HTTP, as a browser without
// JavaScript would.
func TestConsoleForms(t *testing.T) {
	ta := consoleApp(t, nil)
	cookie, csrf := consoleLogin(t, ta, "ada")
	id := idOf(t, ta.postJSON(t, comment("forms", "text", "casino night at the library?")))
	decide := url.Values{"id": {fmt.Sprint(id)}, "action": {"approve"}, "from": {"pending"}, "back": {"/console?status=pending"}}

	t.Run("wrong password gives no hint", func(t *testing.T) {
		var bodies []string
		for _, name := range []string{"ada", "nobody"} {
			r := ta.do(t, "POST", "/console/login", "application/x-www-form-urlencoded",
				[]byte(url.Values{"name": {name}, "password": {"wrong password!"}}.Encode()))
			if r.Status != http.StatusUnauthorized || !strings.Contains(string(r.Body), "Wrong name or password.") {
				t.Fatalf("%s: %d %s", name, r.Status, r.Body)
			}
			bodies = append(bodies, strings.Replace(string(r.Body), `value="`+name+`"`, "", 1))
		}
		if bodies[0] != bodies[1] {
			t.Fatal("a wrong password and an unknown name answer differently")
		}
	})

	t.Run("login goes only to console pages", func(t *testing.T) {
		for next, want := range map[string]string{
			"/console/audit?actor=ada": "/console/audit?actor=ada", "https://evil.example/console": "/console",
			"//evil.example/console": "/console", "/console/../api/v1/counts": "/console",
		} {
			form := url.Values{"name": {"ada"}, "password": {consolePassword}, "next": {next}}
			r := ta.do(t, "POST", "/console/login", "application/x-www-form-urlencoded", []byte(form.Encode()))
			if got := r.Header.Get("Location"); r.Status != http.StatusSeeOther || got != want {
				t.Errorf("next %q: %d to %q, want %q", next, r.Status, got, want)
			}
		}
	})

	t.Run("a decision without the CSRF token is refused", func(t *testing.T) {
		r := ta.postPage(t, cookie, "/console/decide", decide)
		if r.Status != http.StatusForbidden {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		if st := statusOf(t, ta, id); st != "pending" {
			t.Fatalf("status %s", st)
		}
	})

	t.Run("a decision without JavaScript", func(t *testing.T) {
		form := url.Values{"csrf": {csrf}}
		for k, v := range decide {
			form[k] = v
		}
		r := ta.postPage(t, cookie, "/console/decide", form)
		loc := r.Header.Get("Location")
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(loc, "/console?") || !strings.Contains(loc, "done=approve") {
			t.Fatalf("%d to %q", r.Status, loc)
		}
		if st := statusOf(t, ta, id); st != "approved" {
			t.Fatalf("status %s", st)
		}
		mustContain(t, string(ta.do(t, "GET", loc, "", nil, "Cookie", cookie).Body), "Approved: 1 comment.")

		r = ta.postPage(t, cookie, "/console/decide", form)
		if r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "Already decided by someone else") {
			t.Fatalf("again: %d %s", r.Status, r.Body)
		}
	})

	t.Run("back never leaves the console", func(t *testing.T) {
		form := url.Values{"csrf": {csrf}, "id": {fmt.Sprint(id)}, "action": {"trash"}, "back": {"https://evil.example/"}}
		r := ta.postPage(t, cookie, "/console/decide", form)
		if loc := r.Header.Get("Location"); r.Status != http.StatusSeeOther || !strings.HasPrefix(loc, "/console?") {
			t.Fatalf("%d to %q", r.Status, loc)
		}
	})

	t.Run("bulk without JavaScript", func(t *testing.T) {
		a := idOf(t, ta.postJSON(t, comment("forms-bulk", "text", "casino one")))
		b := idOf(t, ta.postJSON(t, comment("forms-bulk", "text", "casino two")))
		form := url.Values{"csrf": {csrf}, "action": {"spam"}, "ids": {fmt.Sprint(a), fmt.Sprint(b)}, "back": {"/console"}}
		if r := ta.postPage(t, cookie, "/console/bulk", form); r.Status != http.StatusSeeOther {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		if statusOf(t, ta, a) != "spam" || statusOf(t, ta, b) != "spam" {
			t.Fatal("not marked as spam")
		}
		form = url.Values{"csrf": {csrf}, "action": {"restore"}, "all": {"1"}, "f_status": {"spam"}, "f_post": {"forms-bulk"}}
		if r := ta.postPage(t, cookie, "/console/bulk", form); r.Status != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "n=2") {
			t.Fatalf("all matching: %d %s", r.Status, r.Header.Get("Location"))
		}
		if statusOf(t, ta, a) != "pending" || statusOf(t, ta, b) != "pending" {
			t.Fatal("not restored")
		}
	})

	t.Run("policy forms", func(t *testing.T) {
		steps := []struct {
			name, path string
			form       url.Values
			status     int
			want       string // on the policy page afterwards, or in the answer
		}{
			{"add a word", "/console/words", url.Values{"kind": {"held"}, "word": {"lottery"}}, 303, "lottery"},
			{"bad settings", "/console/settings", url.Values{"ham_threshold": {"2"}, "spam_threshold": {"0.9"}}, 400, "Ham threshold: out of range."},
			{"good settings", "/console/settings", url.Values{"ham_threshold": {"0.3"}, "spam_threshold": {"0.95"}, "hold_first": {"1"}}, 303, `value="0.95"`},
			{"add a ban", "/console/bans", url.Values{"kind": {"email"}, "value": {"troll@example.org"}, "reason": {"insults"}, "expires": {"24h"}}, 303, "troll@example.org"},
			{"bad ban expiry", "/console/bans", url.Values{"kind": {"ip"}, "value": {"192.0.2.1"}, "expires": {"-1h"}}, 400, "Expires: invalid."},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				st.form.Set("csrf", csrf)
				r := ta.postPage(t, cookie, st.path, st.form)
				if r.Status != st.status {
					t.Fatalf("%d %s", r.Status, r.Body)
				}
				body := string(r.Body)
				if r.Status == http.StatusSeeOther {
					body = string(ta.do(t, "GET", r.Header.Get("Location"), "", nil, "Cookie", cookie).Body)
				}
				mustContain(t, body, st.want)
			})
		}
		if s := ta.service.Settings(); s.SpamThreshold != 0.95 || !s.HoldFirst {
			t.Fatalf("settings %+v", s)
		}
	})

	t.Run("moderators see the policy read-only", func(t *testing.T) {
		ta.account(t, "bo", models.RoleModerator)
		bo, boCSRF := consoleLogin(t, ta, "bo")
		page := string(ta.do(t, "GET", "/console/policy", "", nil, "Cookie", bo).Body)
		mustContain(t, page, "<fieldset disabled>")
		if strings.Contains(page, `action="/console/words"`) {
			t.Fatal("a moderator gets the add-word form")
		}
		r := ta.postPage(t, bo, "/console/words", url.Values{"csrf": {boCSRF}, "kind": {"held"}, "word": {"x"}})
		if r.Status != http.StatusForbidden {
			t.Fatalf("moderator adds a word: %d", r.Status)
		}
		if r := ta.do(t, "GET", "/console/accounts", "", nil, "Cookie", bo); r.Status != http.StatusForbidden {
			t.Fatalf("moderator sees accounts: %d", r.Status)
		}
	})

	t.Run("an API token is shown once", func(t *testing.T) {
		r := ta.postPage(t, cookie, "/console/accounts/ada/tokens", url.Values{"csrf": {csrf}, "label": {"backup script"}})
		secret := regexp.MustCompile(`cmdt_[A-Za-z0-9_-]+`).FindString(string(r.Body))
		if r.Status != http.StatusOK || secret == "" {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		if got := ta.do(t, "GET", "/api/v1/moderation/me", "", nil, "Authorization", "Bearer "+secret); got.Status != http.StatusOK {
			t.Fatalf("the token does not work: %d", got.Status)
		}
		page := string(ta.do(t, "GET", "/console/accounts", "", nil, "Cookie", cookie).Body)
		mustContain(t, page, "backup script")
		if strings.Contains(page, secret) {
			t.Fatal("the token is shown again")
		}
	})

	t.Run("audit log", func(t *testing.T) {
		page := string(ta.do(t, "GET", "/console/audit?action=approve", "", nil, "Cookie", cookie).Body)
		mustContain(t, page, fmt.Sprintf(`#%d</a>`, id))
		mustContain(t, page, "pending → approved")
	})

	t.Run("assets are cached by version", func(t *testing.T) {
		page := string(ta.do(t, "GET", "/console", "", nil, "Cookie", cookie).Body)
		href := regexp.MustCompile(`href="(/console/static/console\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(page)
		if href == nil {
			t.Fatal("no stylesheet link")
		}
		r := ta.do(t, "GET", href[1], "", nil)
		if r.Status != 200 || r.Header.Get("Content-Type") != "text/css; charset=utf-8" || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
			t.Fatalf("%d %v", r.Status, r.Header)
		}
	})
}

// TestConsoleDeleteForeverChecksTheStatusSeen: "Delete forever" names the
// status its row showed, as every decision does; a comment another moderator
// moved on meanwhile is kept, and the answer is 409.
func TestConsoleDeleteForeverChecksTheStatusSeen(t *testing.T) {
	ta := consoleApp(t, nil)
	cookie, csrf := consoleLogin(t, ta, "ada")
	cases := []struct {
		name   string
		seen   string // the tab the moderator decided from; the comment is approved by then
		status int
		after  string
	}{
		{"moved on since it was seen", "spam", http.StatusConflict, "approved"},
		{"as it was seen", "approved", http.StatusSeeOther, "gone"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := idOf(t, ta.postJSON(t, comment("delete-"+tc.seen, "text", "Thanks, the second loaf came out much better.")))
			form := url.Values{"csrf": {csrf}, "id": {fmt.Sprint(id)}, "action": {"delete"}, "from": {tc.seen},
				"back": {"/console?status=" + tc.seen}}
			r := ta.postPage(t, cookie, "/console/decide", form)
			if r.Status != tc.status {
				t.Fatalf("%d %s, want %d", r.Status, r.Body, tc.status)
			}
			if tc.status == http.StatusConflict {
				mustContain(t, string(r.Body), "Already decided by someone else")
			}
			if st := statusOf(t, ta, id); st != tc.after {
				t.Fatalf("comment %d is %s, want %s", id, st, tc.after)
			}
		})
	}
}

// TestConsoleLoginOddNames: a name no account can have is a wrong name, on
// either engine, not a failure of the service.
func TestConsoleLoginOddNames(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			var extra map[string]string
			if engine == "postgres" {
				extra = map[string]string{"COMMENTD_DATABASE_URL": postgresURL(t)}
			}
			ta := consoleApp(t, extra)
			for _, name := range []string{"ada\x00", "ad\x00a", "\xffada", "ada\x1b"} {
				form := url.Values{"name": {name}, "password": {consolePassword}}
				r := ta.do(t, "POST", "/console/login", "application/x-www-form-urlencoded", []byte(form.Encode()))
				if r.Status != http.StatusUnauthorized || !strings.Contains(string(r.Body), "Wrong name or password.") {
					t.Errorf("name %q: %d %s", name, r.Status, r.Body)
				}
			}
		})
	}
}

func TestConsoleLoginRateLimit(t *testing.T) {
	ta := consoleApp(t, map[string]string{"COMMENTD_LOGIN_BURST": "2", "COMMENTD_LOGIN_RATE": "2", "COMMENTD_LOGIN_PERIOD": "1h"})
	var r response
	for range 3 {
		r = ta.do(t, "POST", "/console/login", "application/x-www-form-urlencoded",
			[]byte(url.Values{"name": {"ada"}, "password": {"not the password"}}.Encode()))
	}
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || !strings.Contains(string(r.Body), "Try again in") {
		t.Fatalf("%d %v %s", r.Status, r.Header, r.Body)
	}
}
