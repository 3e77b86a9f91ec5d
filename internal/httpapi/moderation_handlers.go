package httpapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/commentd/commentd/models"
)

// queue lists comments of one status (default pending), newest first, with every field.
func (h *handler) queue(c *gin.Context) {
	status := models.Status(c.DefaultQuery("status", string(models.StatusPending)))
	limit, err := limitParam(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	page, err := h.Moderation.Queue(c.Request.Context(), status, c.Query("cursor"), limit)
	if err != nil {
		h.fail(c, err)
		return
	}
	out := struct {
		Status     models.Status      `json:"status"`
		Comments   []moderatedComment `json:"comments"`
		NextCursor string             `json:"next_cursor,omitempty"`
	}{Status: status, Comments: make([]moderatedComment, len(page.Comments)), NextCursor: page.NextCursor}
	for i, cm := range page.Comments {
		out.Comments[i] = toModerated(cm)
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
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

func (h *handler) approve(c *gin.Context)  { h.decide(c, h.Moderation.Approve) }
func (h *handler) markSpam(c *gin.Context) { h.decide(c, h.Moderation.MarkSpam) }
func (h *handler) trash(c *gin.Context)    { h.decide(c, h.Moderation.Trash) }

// decide runs one decision on the comment named in the path. ?from=STATUS names the
// status the moderator saw; if the comment has moved on since, the answer is 409.
func (h *handler) decide(c *gin.Context, do func(context.Context, int64, models.Status) (models.Comment, error)) {
	id, err := idParam(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	cm, err := do(c.Request.Context(), id, models.Status(c.Query("from")))
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toModerated(cm))
}

// deleteComment removes a comment for good.
func (h *handler) deleteComment(c *gin.Context) {
	id, err := idParam(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	if err := h.Moderation.Delete(c.Request.Context(), id); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// idParam reads the :id path segment; a non-number is simply not found.
func idParam(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, models.ErrNotFound
	}
	return id, nil
}
