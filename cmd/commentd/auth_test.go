package main

import (
	"strings"
	"testing"

	"github.com/commentd/commentd/models"
)

// TestModerationForbiddenSaysWhy: a session request without its CSRF token is
// told that, with its own code, not that the role lacks the right.
func TestModerationForbiddenSaysWhy(t *testing.T) {
	ta := consoleApp(t, nil)
	ta.account(t, "mo", models.RoleModerator)
	admin, adminCSRF := consoleLogin(t, ta, "ada")
	mod, modCSRF := consoleLogin(t, ta, "mo")
	cases := []struct {
		name    string
		cookie  string
		csrf    string // "": no X-CSRF-Token header
		path    string
		code    string
		message string // a part of it
	}{
		{"no CSRF token", admin, "", "/api/v1/moderation/bulk", "csrf", "CSRF token"},
		{"a wrong CSRF token", admin, "x" + adminCSRF, "/api/v1/moderation/bulk", "csrf", "CSRF token"},
		{"another session's CSRF token", admin, modCSRF, "/api/v1/moderation/bulk", "csrf", "CSRF token"},
		{"a moderator on an admin route", mod, modCSRF, "/api/v1/moderation/words", "forbidden", "role"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			headers := []string{"Cookie", tc.cookie}
			if tc.csrf != "" {
				headers = append(headers, "X-CSRF-Token", tc.csrf)
			}
			r := ta.do(t, "POST", tc.path, "application/json", []byte(`{"action":"approve","ids":[1]}`), headers...)
			body := r.json(t)
			if r.Status != 403 || body["error"] != tc.code || !strings.Contains(body["message"].(string), tc.message) {
				t.Fatalf("%d %s, want 403 %s with a message about %q", r.Status, r.Body, tc.code, tc.message)
			}
		})
	}
}
