package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/commentd/commentd/internal/web"
)

// auditPage lists the audit log, newest first, filtered, a page at a time.
func (h *handler) auditPage(c *gin.Context) {
	data := web.Audit{
		Page:   h.page(c, "audit", "Audit log"),
		Form:   web.AuditForm{Actor: c.Query("actor"), Action: c.Query("action"), Comment: c.Query("comment"), Since: c.Query("since"), Until: c.Query("until")},
		Cursor: c.Query("cursor"),
	}
	status := http.StatusOK
	f, err := auditFilter(c.Query)
	if err == nil {
		data.Entries, data.Next, err = h.Moderation.Audit(c.Request.Context(), f)
	}
	if err != nil {
		var ok bool
		if status, data.Errors, ok = h.formErrors(c, err, ""); !ok {
			h.failPage(c, err, "", "")
			return
		}
	}
	h.render(c, status, "audit", data)
}
