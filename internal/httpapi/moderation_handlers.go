package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/commentd/commentd/internal/moderation"
	"github.com/commentd/commentd/models"
)

// queueItemView is a queue row as the API shows it.
type queueItemView struct {
	moderatedComment
	History models.AuthorHistory `json:"history"`
	ParentC *moderatedComment    `json:"parent_comment,omitempty"`
}

func toQueueItem(it moderation.QueueItem) queueItemView {
	v := queueItemView{moderatedComment: toModerated(it.Comment), History: it.History}
	if it.ParentC != nil {
		p := toModerated(*it.ParentC)
		v.ParentC = &p
	}
	return v
}

// queue lists comments matching the filter (default: pending, newest first), with every field.
func (h *handler) queue(c *gin.Context) {
	f, err := queueFilter(c.Query)
	if err != nil {
		h.fail(c, err)
		return
	}
	page, err := h.Moderation.Queue(c.Request.Context(), f)
	if err != nil {
		h.fail(c, err)
		return
	}
	out := struct {
		Status     models.Status   `json:"status"`
		Comments   []queueItemView `json:"comments"`
		NextCursor string          `json:"next_cursor,omitempty"`
	}{Status: f.Status, Comments: make([]queueItemView, len(page.Items)), NextCursor: page.NextCursor}
	if out.Status == "" {
		out.Status = models.StatusPending
	}
	for i, it := range page.Items {
		out.Comments[i] = toQueueItem(it)
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
}

// queueFilter reads the queue's filter parameters from get (a query or a form).
func queueFilter(get func(string) string) (models.QueueFilter, error) {
	v := &models.ValidationError{}
	f := models.QueueFilter{
		Status: models.Status(get("status")), Post: get("post"), Author: get("author"), Email: get("email"),
		IP: get("ip"), Text: get("text"), Sort: models.QueueSort(get("sort")), Cursor: get("cursor"),
	}
	if f.Status == "" {
		f.Status = models.StatusPending
	}
	if !f.Status.Valid() {
		v.Add("status", "invalid")
	}
	switch f.Sort {
	case "":
		f.Sort = models.SortNewest
	case models.SortNewest, models.SortOldest, models.SortScore:
	default:
		v.Add("sort", "invalid")
	}
	for _, p := range []struct {
		name string
		dst  **float64
	}{{"min_score", &f.MinScore}, {"max_score", &f.MaxScore}} {
		if s := get(p.name); s != "" {
			x, err := strconv.ParseFloat(s, 64)
			if err != nil || x < 0 || x > 1 {
				v.Add(p.name, "invalid")
				continue
			}
			*p.dst = &x
		}
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if s := get(p.name); s != "" {
			t, err := parseTime(s)
			if err != nil {
				v.Add(p.name, "invalid")
				continue
			}
			*p.dst = t
		}
	}
	if s := get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			v.Add("limit", "invalid")
		}
		f.Limit = n
	}
	return f, v.Err()
}

// parseTime accepts RFC 3339 or a date (YYYY-MM-DD, UTC).
func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02", s)
}

// queueCounts returns how many comments have each status.
func (h *handler) queueCounts(c *gin.Context) {
	m, err := h.Moderation.QueueCounts(c.Request.Context())
	if err != nil {
		h.fail(c, err)
		return
	}
	out := map[models.Status]int{}
	for _, s := range []models.Status{models.StatusPending, models.StatusSpam, models.StatusApproved, models.StatusTrash} {
		out[s] = m[s]
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"counts": out})
}

// decide runs one decision (the :action path segment) on the comment :id.
// ?from=STATUS names the status the moderator saw; if the comment has moved on
// since, the answer is 409.
func (h *handler) decide(c *gin.Context) {
	id, err := idParam(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	act, err := moderation.ParseAction(c.Param("action"))
	if err != nil || act == moderation.ActDelete {
		h.fail(c, models.ErrNotFound)
		return
	}
	cm, err := h.Moderation.Decide(c.Request.Context(), principal(c), id, act, models.Status(c.Query("from")))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toModerated(cm))
}

// deleteComment removes a comment for good; ?from= as for decide.
func (h *handler) deleteComment(c *gin.Context) {
	id, err := idParam(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	if _, err := h.Moderation.Decide(c.Request.Context(), principal(c), id, moderation.ActDelete, models.Status(c.Query("from"))); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// bulkRequest is the body of POST /moderation/bulk: ids (with the status they
// were seen in, from), or a filter for "all matching".
type bulkRequest struct {
	Action string            `json:"action"`
	IDs    []int64           `json:"ids"`
	From   models.Status     `json:"from"`
	Filter map[string]string `json:"filter"`
}

// bulk applies one decision to many comments in one transaction.
func (h *handler) bulk(c *gin.Context) {
	var req bulkRequest
	if err := decodeJSONBody(c, h.Options.MaxBodyBytes, &req); err != nil {
		h.fail(c, err)
		return
	}
	act, err := moderation.ParseAction(req.Action)
	if err != nil {
		h.fail(c, err)
		return
	}
	var res moderation.BulkResult
	switch {
	case req.Filter != nil && len(req.IDs) == 0:
		f, ferr := queueFilter(func(k string) string { return req.Filter[k] })
		if ferr != nil {
			h.fail(c, ferr)
			return
		}
		res, err = h.Moderation.BulkMatching(c.Request.Context(), principal(c), act, f)
	case len(req.IDs) > 0 && req.Filter == nil:
		res, err = h.Moderation.Bulk(c.Request.Context(), principal(c), act, req.IDs, req.From)
	default:
		v := &models.ValidationError{}
		v.Add("ids", "give ids or a filter")
		err = v
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

// idParam reads the :id path segment; a non-number is simply not found.
func idParam(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, models.ErrNotFound
	}
	return id, nil
}

// wantsHTML reports a browser navigation rather than a script.
func wantsHTML(c *gin.Context) bool {
	return strings.Contains(c.GetHeader("Accept"), "text/html")
}
