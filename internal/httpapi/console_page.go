package httpapi

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/commentd/commentd/internal/web"
	"github.com/commentd/commentd/models"
)

// site is the console's parsed templates and fingerprinted assets; immutable once built.
var site = mustSite()

func mustSite() *web.Site {
	s, err := web.New()
	if err != nil {
		panic(err) // the templates are embedded: a parse error is a build error
	}
	return s
}

// consoleHeaders sets the console's security headers on pages outside
// requireConsole (login); requireConsole sets the same.
func consoleHeaders(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Header("X-Frame-Options", "DENY")
	c.Header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	c.Header("Referrer-Policy", "same-origin")
	c.Header("X-Content-Type-Options", "nosniff")
}

// consoleStatic serves the console's CSS, script and icon. A request for the
// current version (?v=) may be cached for a year; anything else revalidates.
func (h *handler) consoleStatic(c *gin.Context) {
	a, ok := site.Asset(strings.TrimPrefix(c.Param("file"), "/"))
	if !ok {
		h.fail(c, fmt.Errorf("no console asset %q: %w", c.Param("file"), models.ErrNotFound))
		return
	}
	etag := `"` + a.Version + `"`
	c.Header("ETag", etag)
	c.Header("X-Content-Type-Options", "nosniff")
	if c.Query("v") == a.Version {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Header("Cache-Control", "no-cache")
	}
	if c.GetHeader("If-None-Match") == etag {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, a.ContentType, a.Body)
}

// page is the chrome every console page shares: who is logged in, the CSRF token.
func (h *handler) page(c *gin.Context, nav, title string) web.Page {
	p := principal(c)
	return web.Page{Title: title, Nav: nav, User: p.Name, Role: p.Role, CSRF: csrfToken(c)}
}

// render writes a console page. The template renders into a buffer first, so a
// failure still answers a clean 500.
func (h *handler) render(c *gin.Context, status int, name string, data any) {
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(status)
	if err := site.Render(c.Writer, name, data); err != nil {
		h.Logger.ErrorContext(c.Request.Context(), "internal error", slog.String("method", c.Request.Method),
			slog.String("route", c.FullPath()), slog.String("client_ip", c.ClientIP()), slog.Any("err", err))
		c.String(http.StatusInternalServerError, "internal error")
	}
}

// pageError answers an HTML error page and stops the handler chain.
func (h *handler) pageError(c *gin.Context, status int, msg string) {
	h.errorPage(c, status, msg, "")
}

// errorPage is pageError with a local page to go back to.
func (h *handler) errorPage(c *gin.Context, status int, msg, back string) {
	title := http.StatusText(status)
	h.render(c, status, "error", web.Error{Page: h.page(c, "", title), Status: status, Message: msg, Back: back})
	c.Abort()
}

// formErrors turns a service error into the status and sentences a form page
// shows. conflict words a 409 for the form at hand. ok is false for errors a
// form cannot fix (5xx), which the caller shows as an error page.
func (h *handler) formErrors(c *gin.Context, err error, conflict string) (status int, msgs []string, ok bool) {
	status, body := h.classify(c, err)
	switch status {
	case http.StatusBadRequest:
		for _, f := range body.Fields {
			msgs = append(msgs, fieldSentence(f))
		}
		if len(msgs) == 0 {
			msgs = []string{capitalize(body.Message) + "."}
		}
	case http.StatusForbidden:
		msgs = []string{"Only admins can do this."}
	case http.StatusNotFound:
		msgs = []string{"It no longer exists: someone may have removed it. Reload the page."}
	case http.StatusConflict:
		msgs = []string{conflict}
	case http.StatusTooManyRequests:
		msgs = []string{capitalize(body.Message) + "."}
	default:
		return status, nil, false
	}
	return status, msgs, true
}

// failPage shows err as an error page with a way back.
func (h *handler) failPage(c *gin.Context, err error, conflict, back string) {
	status, msgs, ok := h.formErrors(c, err, conflict)
	if !ok {
		h.errorPage(c, status, "Something went wrong on our side (internal error). Please try again.", back)
		return
	}
	h.errorPage(c, status, strings.Join(msgs, " "), back)
}

// fieldSentence words a validation error: "spam_threshold out_of_range" ->
// "Spam threshold: out of range."
func fieldSentence(f models.FieldError) string {
	return capitalize(strings.ReplaceAll(f.Field, "_", " ")) + ": " + strings.ReplaceAll(f.Reason, "_", " ") + "."
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// localConsoleURL returns s as a path and query under /console on this site,
// or "" when it points anywhere else: only such URLs are redirected to.
func localConsoleURL(s string) string {
	if s == "" || strings.ContainsAny(s, "\\\x00\r\n\t") {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	if u.Path != "/console" && !strings.HasPrefix(u.Path, "/console/") || path.Clean(u.Path) != u.Path {
		return ""
	}
	return u.RequestURI()
}

// backTo is the local page a form names in its back field, else the queue.
func backTo(c *gin.Context) string {
	if b := localConsoleURL(c.PostForm("back")); b != "" {
		return b
	}
	return "/console"
}
