package httpapi

import (
	"errors"
	"strings"
	"testing"

	"github.com/commentd/commentd/models"
)

// TestCheckPostParam: a ?post= passes or fails exactly as a comment's post
// field does, with the same reason.
func TestCheckPostParam(t *testing.T) {
	long := strings.Repeat("p", models.DefaultLimits.Post)
	for _, tc := range []struct {
		name, post, reason string
	}{
		{"slug", "2026/sourdough", ""},
		{"url", "https://blog.example.org/2026/bread?x=1&y=\"q\"", ""},
		{"longest", long, ""},
		{"zero-width space kept", "bread\u200b", ""},
		{"empty", "", "required"},
		{"blank", "  \u00a0 ", "required"},
		{"tab", "a\tb", "control_character"},
		{"zero-width only", "\u200b", "required"},
		{"del", "a\x7fb", "control_character"},
		{"too long", long + "p", "too_long"},
		{"nul", "a\x00b", "control_character"},
		{"newline", "a\nb", "control_character"},
		{"c1 control", "a\u0085b", "control_character"},
		{"bad utf-8", "a\xffb", "invalid_utf8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkPostParam(tc.post)
			asComment := (&models.NewComment{Post: tc.post, Author: "a", Email: "a@example.org", Text: "x"}).Validate(models.DefaultLimits)
			if got, want := reasonOf(err), reasonOf(asComment); got != tc.reason || got != want {
				t.Fatalf("checkPostParam(%q): %q; want %q, as a comment's post gets %q", tc.post, got, tc.reason, want)
			}
		})
	}
}

// reasonOf returns the reason of the post field's error in err, "" for none.
func reasonOf(err error) string {
	var v *models.ValidationError
	if !errors.As(err, &v) {
		return ""
	}
	for _, f := range v.Fields {
		if f.Field == "post" {
			return f.Reason
		}
	}
	return ""
}
