package httpapi

import (
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/commentd/commentd/internal/web/embed"
	"github.com/commentd/commentd/models"
)

// The embeddable widget: GET /embed.js (the script sites include), GET
// /embed/:post and /embed?post= (the same comments and form rendered on the
// server, for iframes, server-side includes and browsers without JavaScript),
// and GET /demo (an article with the widget, when the demo option is on).

// widgetHandler serves the widget built for this server's options.
type widgetHandler struct {
	*handler
	widget *embed.Widget
	frames string // frame-ancestors of the comment page: commentd itself and the allowed origins
}

// newWidgetHandler builds the widget; its templates are embedded, so an error
// is a build error.
func (h *handler) newWidgetHandler() *widgetHandler {
	w, err := embed.New(embed.Options{HoneypotField: h.Options.HoneypotField})
	if err != nil {
		panic(err)
	}
	var frames []string
	for o := range h.origins {
		if o != "" {
			frames = append(frames, o)
		}
	}
	slices.Sort(frames)
	return &widgetHandler{handler: h, widget: w, frames: strings.Join(append([]string{"'self'"}, frames...), " ")}
}

// script serves embed.js. Its URL is fixed in the sites that embed it, so the
// plain URL is cached for an hour and then revalidated with the ETag; the
// versioned URL (?v=, as the demo uses) is immutable.
func (w *widgetHandler) script(c *gin.Context) {
	s := w.widget.Script()
	etag := `"` + s.Version + `"`
	c.Header("ETag", etag)
	c.Header("Vary", "Accept-Encoding")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Cross-Origin-Resource-Policy", "cross-origin")
	if c.Query("v") == s.Version {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Header("Cache-Control", "public, max-age=3600")
	}
	if etagMatches(c.GetHeader("If-None-Match"), etag) {
		c.Status(http.StatusNotModified)
		return
	}
	body := s.Body
	if acceptsGzip(c.GetHeader("Accept-Encoding")) {
		c.Header("Content-Encoding", "gzip")
		body = s.Gzip
	}
	c.Data(http.StatusOK, "text/javascript; charset=utf-8", body)
}

// acceptsGzip reads Accept-Encoding: gzip listed, and not with q=0.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		q, ok := strings.CutPrefix(strings.TrimSpace(params), "q=")
		if !ok {
			return true
		}
		f, err := strconv.ParseFloat(q, 64)
		return err == nil && f > 0
	}
	return false
}

// page renders one page of a post's approved comments, threaded, with a plain
// form that posts to the API and comes back here (the form flow). Reading is
// rate limited like the API, but failures answer HTML, for an iframe.
func (w *widgetHandler) page(c *gin.Context) {
	post := c.Param("post")
	if post == "" {
		post = c.Query("post")
	}
	ctx := c.Request.Context()
	err := w.ReadLimiter.Allow(ctx, "read:ip:"+models.ClientKey(c.ClientIP()))
	if err == nil {
		err = checkPostParam(post)
	}
	var p embed.Page
	if err == nil {
		p, err = w.loadPage(c, post)
	}
	w.pageHeaders(c)
	if err != nil {
		status, body := w.classify(c, err)
		msg := "The comments could not be shown: " + body.Message + "."
		if body.Retry > 0 {
			msg = "Too many requests; please try again in " + strconv.Itoa(body.Retry) + " seconds."
		}
		w.html(c, status, func() error { return w.widget.RenderError(c.Writer, msg) })
		return
	}
	w.html(c, http.StatusOK, func() error { return w.widget.RenderPage(c.Writer, p) })
}

// loadPage reads the page of comments starting at ?cursor= and the post's count.
func (w *widgetHandler) loadPage(c *gin.Context, post string) (embed.Page, error) {
	limit, err := limitParam(c)
	if err != nil {
		return embed.Page{}, err
	}
	ctx := c.Request.Context()
	page, err := w.Comments.ListApproved(ctx, post, c.Query("cursor"), limit)
	if err != nil {
		return embed.Page{}, err
	}
	counts, err := w.Comments.Counts(ctx, []string{post})
	if err != nil {
		return embed.Page{}, err
	}
	p := embed.Page{Post: post, Count: counts[post], Cursor: c.Query("cursor"), Limit: limit, Next: page.NextCursor,
		Comments: make([]embed.Comment, len(page.Comments))}
	p.ReplyTo, _ = strconv.ParseInt(c.Query("reply"), 10, 64)
	if s := c.Query("commentd_status"); s == "approved" || s == "awaiting_moderation" {
		p.Notice = s
	}
	for i, cm := range page.Comments {
		pc := toPublic(cm)
		p.Comments[i] = embed.Comment{ID: pc.ID, Parent: cm.Parent, Author: pc.Author, URL: pc.URL,
			Avatar: pc.Avatar, HTML: template.HTML(pc.HTML), CreatedAt: pc.CreatedAt} // pc.HTML: escaped by render
	}
	return p, nil
}

// pageHeaders lets the comment page be framed by commentd and the allowed
// origins only, run no script, and post its form only to commentd.
func (w *widgetHandler) pageHeaders(c *gin.Context) {
	c.Header("Cache-Control", "no-cache")
	c.Header("Content-Security-Policy", "default-src 'none'; style-src "+w.widget.PageStyle()+
		"; form-action 'self'; base-uri 'none'; frame-ancestors "+w.frames)
	c.Header("Referrer-Policy", "same-origin")
	c.Header("X-Content-Type-Options", "nosniff")
}

// demo serves an article page with the widget, on commentd's own origin.
func (w *widgetHandler) demo(c *gin.Context) {
	d := embed.Demo{Post: "demo", Script: "/embed.js?v=" + w.widget.Script().Version, NoScript: embed.Path("demo", nil)}
	c.Header("Cache-Control", "no-cache")
	c.Header("Content-Security-Policy", "default-src 'self'; style-src "+w.widget.DemoStyle()+
		"; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	c.Header("X-Content-Type-Options", "nosniff")
	w.html(c, http.StatusOK, func() error { return w.widget.RenderDemo(c.Writer, d) })
}

// html writes an HTML page; a template failure is logged and answers a plain 500.
func (w *widgetHandler) html(c *gin.Context, status int, write func() error) {
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(status)
	if err := write(); err != nil {
		w.Logger.ErrorContext(c.Request.Context(), "internal error", slog.String("method", c.Request.Method),
			slog.String("route", c.FullPath()), slog.String("client_ip", c.ClientIP()), slog.Any("err", fmt.Errorf("widget: %w", err)))
		c.String(http.StatusInternalServerError, "internal error")
	}
}
