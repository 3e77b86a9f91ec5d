package httpapi

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/commentd/commentd/models"
)

// requestLog writes one line per request (method, route, status, duration, client IP)
// and counts it in the metrics by route pattern, never by raw path.
func (h *handler) requestLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	took := time.Since(start)
	if h.Metrics != nil {
		h.Metrics.ObserveRequest(c.Request.Method, route, c.Writer.Status(), took)
	}
	h.Logger.LogAttrs(c.Request.Context(), slog.LevelInfo, "request",
		slog.String("method", c.Request.Method), slog.String("route", route),
		slog.Int("status", c.Writer.Status()), slog.Duration("duration", took),
		slog.String("client_ip", c.ClientIP()), slog.Int("bytes", c.Writer.Size()))
}

// recover turns a panic into a logged 500 that says only "internal error".
func (h *handler) recover(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			h.fail(c, fmt.Errorf("panic: %v", r))
		}
	}()
	c.Next()
}

// cors allows the configured origins to call the public API from a browser.
func (h *handler) cors(c *gin.Context) {
	origin := c.GetHeader("Origin")
	c.Writer.Header().Add("Vary", "Origin")
	if origin != "" && h.origins[normalizeOrigin(origin)] {
		c.Header("Access-Control-Allow-Origin", origin)
		c.Header("Access-Control-Expose-Headers", "ETag, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset")
	}
	c.Next()
}

// preflight answers CORS preflight requests.
func (h *handler) preflight(c *gin.Context) {
	if c.Writer.Header().Get("Access-Control-Allow-Origin") != "" {
		c.Header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		c.Header("Access-Control-Allow-Headers", "Content-Type, If-None-Match")
		c.Header("Access-Control-Max-Age", "600")
	}
	c.Status(http.StatusNoContent)
}

// readLimit applies the read rate limit per client IP.
func (h *handler) readLimit(c *gin.Context) {
	if err := h.ReadLimiter.Allow(c.Request.Context(), "read:ip:"+models.ClientKey(c.ClientIP())); err != nil {
		h.fail(c, err)
		return
	}
	c.Next()
}

func (h *handler) notFound(c *gin.Context) {
	h.fail(c, fmt.Errorf("no route %s: %w", c.Request.URL.Path, models.ErrNotFound))
}

func (h *handler) methodNotAllowed(c *gin.Context) {
	c.AbortWithStatusJSON(http.StatusMethodNotAllowed, errorBody{Error: "method_not_allowed", Message: "method not allowed"})
}
