package httpapi

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/commentd/commentd/models"
)

// The form flow, for a plain <form method="post"> with JavaScript off: success
// redirects (303) back to the page like WordPress does, with the outcome and id in
// the URL; errors render a small page that says what to fix.

// formPosted redirects to the page the comment came from, or to /posted.
func (h *handler) formPosted(c *gin.Context, f commentForm, cm models.Comment) {
	outcome := "approved"
	if cm.Status != models.StatusApproved {
		outcome = "awaiting_moderation" // spam is not announced as such
	}
	target, ok := h.redirectTarget(c, f.Redirect)
	if !ok {
		q := url.Values{"status": {outcome}, "id": {strconv.FormatInt(cm.ID, 10)}}
		c.Redirect(http.StatusSeeOther, "/posted?"+q.Encode())
		return
	}
	q := target.Query()
	q.Set("commentd_status", outcome)
	q.Set("commentd_id", strconv.FormatInt(cm.ID, 10))
	target.RawQuery = q.Encode()
	target.Fragment = "comment-" + strconv.FormatInt(cm.ID, 10)
	if outcome != "approved" {
		target.Fragment = "comment-awaiting-moderation"
	}
	c.Redirect(http.StatusSeeOther, target.String())
}

// formFailed renders the error as a page, with the same status the API would use.
func (h *handler) formFailed(c *gin.Context, f commentForm, err error) {
	status, body := h.classify(c, err)
	back := ""
	if target, ok := h.redirectTarget(c, f.Redirect); ok {
		back = target.String()
	}
	c.Status(status)
	c.Header("Content-Type", "text/html; charset=utf-8")
	_ = pages.ExecuteTemplate(c.Writer, "failed", gin.H{"Body": body, "Back": back})
	c.Abort()
}

// postedPage is the small result page when no page to return to is known.
func (h *handler) postedPage(c *gin.Context) {
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(http.StatusOK)
	_ = pages.ExecuteTemplate(c.Writer, "posted", gin.H{"Approved": c.Query("status") == "approved"})
}

// redirectTarget picks the redirect field, else the Referer, when its origin is
// allowed or it is on commentd itself (such as the /embed page).
func (h *handler) redirectTarget(c *gin.Context, redirect string) (*url.URL, bool) {
	for _, candidate := range []string{redirect, c.GetHeader("Referer")} {
		if candidate == "" {
			continue
		}
		u, err := url.Parse(candidate)
		if err != nil || !(h.origins[normalizeOrigin(u.Scheme+"://"+u.Host)] || sameHost(c, u, candidate)) {
			continue
		}
		return u, true
	}
	return nil, false
}

// sameHost reports a target on commentd itself: a path such as /embed/post, or
// an http(s) URL with the request's host. Protocol-relative (//host) and
// backslash forms, which browsers read as another host, are not.
func sameHost(c *gin.Context, u *url.URL, raw string) bool {
	if strings.Contains(raw, `\`) {
		return false
	}
	if u.Scheme == "" && u.Host == "" {
		return strings.HasPrefix(raw, "/") && !strings.HasPrefix(raw, "//")
	}
	return (u.Scheme == "http" || u.Scheme == "https") && strings.EqualFold(u.Host, c.Request.Host)
}

// fieldLabels name the form's fields as its reader knows them.
var fieldLabels = map[string]string{
	"text": "Comment", "author": "Name", "email": "Email", "url": "Website", "post": "Page", "parent": "Reply",
}

// reasonTexts say what to fix for each machine-readable reason of a field
// (the widget words them alike).
var reasonTexts = map[string]string{
	"required":          "Please fill this in.",
	"too_long":          "This is too long.",
	"invalid_email":     "Please enter an email address such as you@example.org.",
	"invalid_url":       "Please enter a web address starting with https://, or leave it empty.",
	"control_character": "Please remove the invisible control characters.",
	"invalid_utf8":      "This contains characters that could not be read.",
	"not_found":         "The comment you replied to no longer exists.",
	"other_post":        "The comment you replied to is on another page.",
	"not_approved":      "The comment you replied to is not published.",
}

// humanText is what a form page shows for a field's label or reason: its
// wording when there is one, else the code with spaces.
func humanText(words map[string]string) func(string) string {
	return func(code string) string {
		if w, ok := words[code]; ok {
			return w
		}
		return strings.ReplaceAll(code, "_", " ")
	}
}

// pages are the form flow's HTML pages; html/template escapes every value.
var pages = template.Must(template.New("pages").Funcs(template.FuncMap{
	"label": humanText(fieldLabels), "reason": humanText(reasonTexts),
}).Parse(`
{{define "head"}}<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}li{margin:.2rem 0}</style></head><body>{{end}}
{{define "posted"}}{{template "head" "Comment received"}}
{{if .Approved}}<h1>Thank you, your comment is published.</h1>{{else}}<h1>Thank you, your comment is awaiting moderation.</h1><p>It will appear once a moderator has approved it.</p>{{end}}
<p>Use your browser's Back button to return to the page.</p></body></html>{{end}}
{{define "failed"}}{{template "head" "Your comment was not posted"}}
<h1>Your comment was not posted</h1><p>{{.Body.Message}}.</p>
{{with .Body.Fields}}<ul>{{range .}}<li><strong>{{label .Field}}</strong>: {{reason .Reason}}</li>{{end}}</ul>{{end}}
{{with .Body.Retry}}<p>Please wait {{.}} seconds and try again.</p>{{end}}
{{if .Back}}<p><a href="{{.Back}}">Back to the page</a></p>{{else}}<p>Use your browser's Back button to return to the page; your text is still there.</p>{{end}}
</body></html>{{end}}`))
