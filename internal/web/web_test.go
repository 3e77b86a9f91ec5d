package web

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/commentd/commentd/models"
)

func TestPagesRender(t *testing.T) {
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 3, 4, 14, 5, 0, 0, time.UTC)
	evil := `<script>alert(1)</script>`
	admin := Page{Title: "T", Nav: "queue", User: "ada", Role: models.RoleAdmin, CSRF: "tok&en"}
	parent := models.Comment{ID: 1, Author: "Bob", Text: "First"}
	queue := Queue{
		Page: admin, Status: models.StatusPending, Counts: map[models.Status]int{models.StatusPending: 2},
		Form: QueueForm{Post: "p1"}, Next: "CUR",
		Settings: models.Settings{HamThreshold: 0.4, SpamThreshold: 0.9},
		Rows: []Row{{
			Comment: models.Comment{ID: 7, Post: "p1", Parent: 1, Author: evil, Email: "e@example.org", URL: "javascript:alert(1)",
				Text: evil, IP: "192.0.2.1", Status: models.StatusPending, Score: 0.93, CreatedAt: at,
				Reasons: models.Reasons{Rules: []string{"blocked_word:casino"}, Tokens: []models.TokenWeight{{Token: "cheap", Weight: 2.5}, {Token: "recipe", Weight: -1.25}}}},
			History: models.AuthorHistory{Approved: 3, Spam: 1}, Parent: &parent,
		}},
	}
	cases := []struct {
		page string
		data any
		want []string
	}{
		{"queue", queue, []string{
			`<html lang="en">`, `<meta name="csrf-token" content="tok&amp;en">`,
			`&lt;script&gt;alert(1)&lt;/script&gt;`, `blocked word: casino`, `cheap <b>&#43;2.5</b>`, `recipe <b>−1.2</b>`,
			`<b>3</b> approved · <b>1</b> spam`, `in reply to <strong dir="auto">Bob</strong>`,
			`action="/console/decide"`, `name="action" value="approve"`, `name="from" value="pending"`,
			`name="back" value="/console?post=p1&amp;status=pending"`, `name="f_post" value="p1"`,
			`href="/console?cursor=CUR&amp;post=p1&amp;status=pending"`, `93%`, `#ZgotmplZ`,
		}},
		{"policy", Policy{Page: admin, Blocked: []models.Word{{ID: 3, Word: evil}}, Bans: []models.Ban{{ID: 4, Kind: models.BanIP, Value: "198.51.100.0/24", CreatedAt: at}}}, []string{
			`action="/console/words/3/delete"`, `action="/console/bans/4/delete"`, `&lt;script&gt;`, `Save settings`,
		}},
		{"audit", Audit{Page: admin, Entries: []models.AuditEntry{{At: at, Actor: "ada", Action: "spam", CommentID: 7, FromStatus: "pending", ToStatus: "spam"}}, Next: "X"}, []string{
			`pending → spam`, `href="/console/audit?comment=7"`, `href="/console/audit?cursor=X"`,
		}},
		{"accounts", Accounts{Page: admin, Moderators: []models.Moderator{{ID: 1, Name: "a/b", Role: models.RoleModerator}}, Issued: &IssuedToken{Owner: "a/b", Secret: "cmdt_SECRET"}}, []string{
			`action="/console/accounts/a%2Fb/tokens"`, `value="cmdt_SECRET"`,
		}},
		{"login", Login{Page: Page{Title: "Log in", Errors: []string{"Wrong name or password."}}, Next: "/console?x=1"}, []string{
			`Wrong name or password.`, `name="next" value="/console?x=1"`,
		}},
		{"error", Error{Page: admin, Status: 409, Message: evil}, []string{`<h1>&lt;script&gt;`}},
	}
	for _, tc := range cases {
		t.Run(tc.page, func(t *testing.T) {
			var b bytes.Buffer
			if err := s.Render(&b, tc.page, tc.data); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("missing %q in\n%s", w, out)
				}
			}
			if strings.Contains(out, evil) {
				t.Error("unescaped markup from data")
			}
		})
	}
}

func TestPolicyReadOnlyForModerators(t *testing.T) {
	s, _ := New()
	var b bytes.Buffer
	err := s.Render(&b, "policy", Policy{Page: Page{User: "mo", Role: models.RoleModerator}, Blocked: []models.Word{{ID: 1, Word: "x"}}})
	if err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, banned := range []string{`action="/console/words"`, `/delete"`, `Save settings`, `action="/console/bans"`} {
		if strings.Contains(out, banned) {
			t.Errorf("moderator sees %q", banned)
		}
	}
	if !strings.Contains(out, "<fieldset disabled>") {
		t.Error("settings are not read-only")
	}
}

func TestAssets(t *testing.T) {
	s, _ := New()
	for _, name := range []string{"console.css", "console.js", "favicon.svg"} {
		a, ok := s.Asset(name)
		if !ok || len(a.Body) == 0 || a.ContentType == "" || len(a.Version) != 12 {
			t.Errorf("%s: %+v", name, a.ContentType)
		}
		u, _ := url.Parse(s.AssetURL(name))
		if u.Query().Get("v") != a.Version {
			t.Errorf("%s: url %s", name, u)
		}
	}
}

// TestFilterKeptAsQueried: the links and hidden fields of a filtered page
// (next page, tabs, the bulk bar's "all matching") carry the filter exactly as
// the page was queried with it, so that "all matching this filter" decides
// the comments the page lists and no others.
func TestFilterKeptAsQueried(t *testing.T) {
	tests := []struct {
		name       string
		form       QueueForm
		key, value string
	}{
		{"text with a trailing space", QueueForm{Text: "casino "}, "text", "casino "},
		{"author with a leading space", QueueForm{Author: " Bob"}, "author", " Bob"},
		{"email pasted with a space", QueueForm{Email: "bob@example.org "}, "email", "bob@example.org "},
		{"post id with spaces", QueueForm{Post: " 2026/bread "}, "post", " 2026/bread "},
		{"blank text", QueueForm{Text: "  "}, "text", "  "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := Queue{Status: models.StatusSpam, Form: tt.form, Cursor: "C", Next: "N"}
			fields := map[string]string{}
			for _, f := range q.FilterFields() {
				fields[f.Name] = f.Value
			}
			if got, ok := fields[tt.key]; !ok || got != tt.value {
				t.Errorf("bulk field %s = %q (present %v), want %q", tt.key, got, ok, tt.value)
			}
			links := map[string]string{"page": q.URL(), "next page": q.NextURL(), "first page": q.FirstURL(), "tab": q.Tabs()[0].URL}
			for what, link := range links {
				u, err := url.Parse(link)
				if err != nil {
					t.Fatal(err)
				}
				if got := u.Query(); !got.Has(tt.key) || got.Get(tt.key) != tt.value {
					t.Errorf("%s link %s: %s = %q, want %q", what, link, tt.key, got.Get(tt.key), tt.value)
				}
			}
			if !q.Filtered() {
				t.Error("the page does not say it is filtered")
			}
		})
	}
	a := Audit{Form: AuditForm{Actor: "ada "}, Cursor: "C", Next: "N"}
	for what, link := range map[string]string{"next page": a.NextURL(), "first page": a.FirstURL()} {
		u, _ := url.Parse(link)
		if got := u.Query().Get("actor"); got != "ada " {
			t.Errorf("audit %s link %s: actor %q, want %q", what, link, got, "ada ")
		}
	}
}
