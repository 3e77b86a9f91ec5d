package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/commentd/commentd/models"
)

// maxCountPosts caps how many posts one counts request may ask for.
const maxCountPosts = 100

// createComment takes a visitor's comment as JSON (201 with the public view and
// status) or as a form (303 back to the page, the no-JavaScript flow).
func (h *handler) createComment(c *gin.Context) {
	f, err := h.decodeComment(c)
	if err == nil {
		f.IP = c.ClientIP()
		f.UserAgent = truncate(strings.ToValidUTF8(c.GetHeader("User-Agent"), "\uFFFD"), 512)
		var stored models.Comment
		stored, err = h.Comments.Submit(c.Request.Context(), f.NewComment)
		if err == nil {
			if stored.Status == models.StatusApproved && h.lists != nil {
				h.lists.invalidate(stored.Post) // before the 201: the poster's next read shows it
			}
			if f.IsForm && !wantsJSON(c) {
				h.formPosted(c, f, stored)
				return
			}
			c.JSON(http.StatusCreated, postedComment{publicComment: toPublic(stored), Status: stored.Status})
			return
		}
	}
	if f.IsForm && !wantsJSON(c) {
		h.formFailed(c, f, err)
		return
	}
	h.fail(c, err)
}

// listComments returns a post's approved comments, oldest first, with an ETag.
// First pages come from the list cache (list_cache.go).
func (h *handler) listComments(c *gin.Context) {
	post := c.Query("post")
	if err := checkPostParam(post); err != nil {
		h.fail(c, err)
		return
	}
	limit, err := limitParam(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	cursor := c.Query("cursor")
	load := func(ctx context.Context) (*listPage, error) { return h.loadList(ctx, post, cursor, limit) }
	var p *listPage
	if cursor == "" && h.lists != nil {
		cached := func(ctx context.Context) (*listPage, error) {
			p, err := load(ctx)
			if err != nil {
				return nil, err
			}
			return p.compress(), nil
		}
		p, err = h.lists.fetch(c.Request.Context(), listKey{post: post, limit: limit}, cached)
	} else {
		p, err = load(c.Request.Context())
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	writePage(c, p)
}

// loadList reads and encodes one page of a post's approved comments.
func (h *handler) loadList(ctx context.Context, post, cursor string, limit int) (*listPage, error) {
	page, err := h.Comments.ListApproved(ctx, post, cursor, limit)
	if err != nil {
		return nil, err
	}
	out := struct {
		Post       string          `json:"post"`
		Comments   []publicComment `json:"comments"`
		NextCursor string          `json:"next_cursor,omitempty"`
	}{Post: post, Comments: make([]publicComment, len(page.Comments)), NextCursor: page.NextCursor}
	for i, cm := range page.Comments {
		out.Comments[i] = toPublic(cm)
	}
	body, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return newListPage(body), nil
}

// counts returns approved counts for each ?post=.
func (h *handler) counts(c *gin.Context) {
	posts := c.QueryArray("post")
	v := &models.ValidationError{}
	switch {
	case len(posts) == 0:
		v.Add("post", "required")
	case len(posts) > maxCountPosts:
		v.Add("post", "too_many")
	}
	for _, p := range posts {
		if err := checkPostParam(p); err != nil {
			h.fail(c, err)
			return
		}
	}
	if err := v.Err(); err != nil {
		h.fail(c, err)
		return
	}
	m, err := h.Comments.Counts(c.Request.Context(), posts)
	if err != nil {
		h.fail(c, err)
		return
	}
	h.cacheableJSON(c, gin.H{"counts": m})
}

// cacheableJSON writes v with a strong ETag and answers 304 when If-None-Match matches.
func (h *handler) cacheableJSON(c *gin.Context, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		h.fail(c, fmt.Errorf("encode: %w", err))
		return
	}
	writePage(c, newListPage(body))
}

// writePage writes p with its ETag, or 304 when If-None-Match matches it;
// gzipped to a client that accepts it when p has a gzipped body. The gzipped
// body is another representation, so it has its own strong ETag (gzETag), as
// HTTP asks of content codings.
func writePage(c *gin.Context, p *listPage) {
	h := c.Writer.Header()
	body, etag := p.body, p.etag
	if p.gz != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(c.GetHeader("Accept-Encoding")) {
			body, etag = p.gz, p.gzETag
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", etag)
	h.Set("Cache-Control", "public, max-age=0, must-revalidate")
	if etagMatches(c.GetHeader("If-None-Match"), etag) {
		h.Del("Content-Encoding")
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", body)
}

// etagMatches implements If-None-Match's weak comparison over a list of tags.
func etagMatches(header, etag string) bool {
	for header != "" {
		var t string
		t, header, _ = strings.Cut(header, ",")
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// checkPostParam holds a ?post= to the rules of a comment's post field. Every
// public read runs it, so it checks that one field alone.
func checkPostParam(post string) error {
	var v models.ValidationError
	models.CheckLine(&v, "post", post, models.DefaultLimits.Post, true)
	return v.Err()
}

func limitParam(c *gin.Context) (int, error) {
	s := c.Query("limit")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		v := &models.ValidationError{}
		v.Add("limit", "invalid")
		return 0, v
	}
	return n, nil
}

// wantsJSON reports a form post from a script that asked for JSON.
func wantsJSON(c *gin.Context) bool {
	a := c.GetHeader("Accept")
	return strings.Contains(a, "application/json") && !strings.Contains(a, "text/html")
}

func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	s = s[:max]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
