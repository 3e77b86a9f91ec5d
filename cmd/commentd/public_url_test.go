package main

import (
	"context"
	"encoding/json"
	"html"
	"strings"
	"testing"

	"github.com/commentd/commentd/models"
)

// TestPublicAuthorURLs: whatever an author's URL holds in the database
// (comments imported or restored by older versions kept any), the public API
// and the embed page carry only http and https addresses; moderators still
// see what is stored.
func TestPublicAuthorURLs(t *testing.T) {
	ta := startApp(t, testEnv(t, mechanical))
	cases := []struct {
		name, stored, public string
	}{
		{"https", "https://ada.example.org/about?x=1&y=2", "https://ada.example.org/about?x=1&y=2"},
		{"http in capitals", "HTTP://ada.example.org", "HTTP://ada.example.org"},
		{"javascript", "javascript:alert(document.cookie)", ""},
		{"javascript in mixed case", "JavaScript:alert(1)", ""},
		{"javascript behind a space", " javascript:alert(1)", ""},
		{"data", "data:text/html,<script>alert(1)</script>", ""},
		{"vbscript", "vbscript:msgbox(1)", ""},
		{"ftp", "ftp://files.example.org/", ""},
		{"no scheme", "www.example.org", ""},
		{"scheme-relative", "//evil.example/", ""},
		{"no host", "https://", ""},
		{"credentials", "https://user:pw@example.org/", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			post := "url-" + strings.ReplaceAll(tc.name, " ", "-")
			c := &models.Comment{Post: post, Author: "Ada", Email: "ada@example.org", URL: tc.stored,
				Text: "a comment imported long ago", Status: models.StatusApproved, Reasons: models.Reasons{Rules: []string{"imported"}}}
			if err := ta.store.CreateComment(context.Background(), c); err != nil {
				t.Fatal(err)
			}
			var list struct{ Comments []map[string]any }
			if err := json.Unmarshal(ta.do(t, "GET", "/api/v1/comments?post="+post, "", nil).Body, &list); err != nil || len(list.Comments) != 1 {
				t.Fatalf("list: %v %+v", err, list)
			}
			if got, _ := list.Comments[0]["url"].(string); got != tc.public {
				t.Errorf("API url %q, want %q", got, tc.public)
			}
			page := string(ta.do(t, "GET", "/embed/"+post, "", nil).Body)
			if tc.public == "" && strings.Contains(page, `class="author" id="comment-`+itoa(c.ID)+`-by" href=`) {
				t.Errorf("the embed page links the author:\n%s", page)
			}
			if tc.public != "" {
				mustContain(t, page, `href="`+html.EscapeString(tc.public)+`"`)
			}
			if s := strings.ToLower(page); strings.Contains(s, "javascript:") || strings.Contains(s, "vbscript:") || strings.Contains(s, "data:text") {
				t.Errorf("the embed page carries the stored URL:\n%s", page)
			}
			var queue struct{ Comments []map[string]any }
			if err := json.Unmarshal(ta.mod(t, "GET", "/queue?status=approved&post="+post).Body, &queue); err != nil || len(queue.Comments) != 1 {
				t.Fatalf("queue: %v %+v", err, queue)
			}
			if got := queue.Comments[0]["url"]; got != tc.stored {
				t.Errorf("the moderators' view shows url %q, want what is stored, %q", got, tc.stored)
			}
		})
	}
}
