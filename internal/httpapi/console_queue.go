package httpapi

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/commentd/commentd/internal/moderation"
	"github.com/commentd/commentd/internal/web"
	"github.com/commentd/commentd/models"
)

// conflictDecided is what a 409 on a decision means to a moderator.
const conflictDecided = "Already decided by someone else: the comment moved on since you saw it."

// queuePage lists one tab of the moderation queue, filtered, with a decide
// form on every row and a bulk bar; all of it works without JavaScript.
func (h *handler) queuePage(c *gin.Context) {
	ctx := c.Request.Context()
	data := web.Queue{
		Page: h.page(c, "queue", ""), Status: models.StatusPending, Cursor: c.Query("cursor"),
		Form: web.QueueForm{
			Post: c.Query("post"), Author: c.Query("author"), Email: c.Query("email"), IP: c.Query("ip"),
			Text: c.Query("text"), MinScore: c.Query("min_score"), MaxScore: c.Query("max_score"),
			Since: c.Query("since"), Until: c.Query("until"), Sort: c.Query("sort"),
		},
		Settings: h.Moderation.Settings(),
	}
	counts, err := h.Moderation.QueueCounts(ctx)
	if err != nil {
		h.failPage(c, err, "", "")
		return
	}
	data.Counts = counts
	status := http.StatusOK
	f, err := queueFilter(c.Query)
	if f.Status.Valid() {
		data.Status = f.Status
	}
	if err == nil {
		var page moderation.QueuePage
		if page, err = h.Moderation.Queue(ctx, f); err == nil {
			data.Next = page.NextCursor
			data.Rows = make([]web.Row, len(page.Items))
			for i, it := range page.Items {
				data.Rows[i] = web.Row{Comment: it.Comment, History: it.History, Parent: it.ParentC}
			}
		}
	}
	if err != nil {
		var ok bool
		if status, data.Errors, ok = h.formErrors(c, err, ""); !ok {
			h.failPage(c, err, "", "")
			return
		}
	}
	data.Title = web.StatusLabel(data.Status) + " (" + strconv.Itoa(counts[data.Status]) + ")"
	data.Notice = decisionNotice(c.Query("done"), c.Query("n"), c.Query("conflicts"))
	h.render(c, status, "queue", data)
}

// consoleDecide applies one decision from a row's form, then goes back.
func (h *handler) consoleDecide(c *gin.Context) {
	back := backTo(c)
	id, err := strconv.ParseInt(c.PostForm("id"), 10, 64)
	if err != nil || id < 1 {
		h.errorPage(c, http.StatusBadRequest, "No comment was named.", back)
		return
	}
	act, err := moderation.ParseAction(c.PostForm("action"))
	if err != nil {
		h.errorPage(c, http.StatusBadRequest, "Unknown decision.", back)
		return
	}
	if _, err := h.Moderation.Decide(c.Request.Context(), principal(c), id, act, models.Status(c.PostForm("from"))); err != nil {
		h.failPage(c, err, conflictDecided, back)
		return
	}
	c.Redirect(http.StatusSeeOther, withOutcome(back, act, 1, 0))
}

// consoleBulk applies one decision to the ticked rows, or to every comment
// matching the filter (the bulk bar's "all" box; the filter comes as f_* fields).
func (h *handler) consoleBulk(c *gin.Context) {
	back := backTo(c)
	act, err := moderation.ParseAction(c.PostForm("action"))
	if err != nil {
		h.errorPage(c, http.StatusBadRequest, "Unknown decision.", back)
		return
	}
	ctx, actor := c.Request.Context(), principal(c)
	var res moderation.BulkResult
	if c.PostForm("all") != "" {
		f, ferr := queueFilter(func(k string) string { return c.PostForm("f_" + k) })
		if ferr != nil {
			h.failPage(c, ferr, "", back)
			return
		}
		res, err = h.Moderation.BulkMatching(ctx, actor, act, f)
	} else {
		var ids []int64
		for _, s := range c.PostFormArray("ids") {
			id, perr := strconv.ParseInt(s, 10, 64)
			if perr != nil || id < 1 {
				h.errorPage(c, http.StatusBadRequest, "A selected comment has no valid id.", back)
				return
			}
			ids = append(ids, id)
		}
		if len(ids) == 0 {
			h.errorPage(c, http.StatusBadRequest, "Select at least one comment, or tick “All”.", back)
			return
		}
		res, err = h.Moderation.Bulk(ctx, actor, act, ids, models.Status(c.PostForm("f_status"))) // the tab the rows were ticked on
	}
	if err != nil {
		h.failPage(c, err, conflictDecided, back)
		return
	}
	c.Redirect(http.StatusSeeOther, withOutcome(back, act, len(res.Done), len(res.Conflicted)))
}

// withOutcome adds what was done to the page address, for the notice it shows.
func withOutcome(back string, act moderation.Action, done, conflicts int) string {
	u, err := url.Parse(back)
	if err != nil {
		return "/console"
	}
	q := u.Query()
	q.Set("done", string(act))
	q.Set("n", strconv.Itoa(done))
	q.Del("conflicts")
	if conflicts > 0 {
		q.Set("conflicts", strconv.Itoa(conflicts))
	}
	u.RawQuery = q.Encode()
	return u.RequestURI()
}

// decisionNotice words the outcome named in the URL. Only known actions and
// numbers are shown, so a crafted link cannot put words on the page.
func decisionNotice(done, n, conflicts string) string {
	verbs := map[string]string{
		"approve": "Approved", "spam": "Marked as spam", "trash": "Moved to trash",
		"restore": "Restored", "delete": "Deleted",
	}
	verb, ok := verbs[done]
	count, err := strconv.Atoi(n)
	if !ok || err != nil || count < 0 {
		return ""
	}
	msg := verb + ": " + plural(count, "comment") + "."
	if k, err := strconv.Atoi(conflicts); err == nil && k > 0 {
		msg += " " + plural(k, "comment") + " had already been decided by someone else."
	}
	return msg
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
