package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// healthz says the process is up.
func (h *handler) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz checks the database and reports Redis' state; 503 when not ready.
func (h *handler) readyz(c *gin.Context) {
	checks, err := h.Ready(c.Request.Context())
	c.Header("Cache-Control", "no-store")
	if err != nil {
		h.Logger.WarnContext(c.Request.Context(), "not ready", "err", err)
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "checks": checks})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok", "checks": checks})
}
