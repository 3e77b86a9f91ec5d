package httpapi

import "github.com/gin-gonic/gin"

// routes registers every route: the API's table of contents.
func (h *handler) routes(e *gin.Engine) {
	e.NoRoute(h.notFound)
	e.NoMethod(h.methodNotAllowed)

	e.GET("/healthz", h.healthz)
	e.GET("/readyz", h.readyz)
	e.GET("/posted", h.postedPage) // result page of the no-JavaScript form flow

	v1 := e.Group("/api/v1")
	pub := v1.Group("", h.cors)
	pub.OPTIONS("/comments", h.preflight)
	pub.OPTIONS("/counts", h.preflight)
	pub.POST("/comments", h.createComment)
	pub.GET("/comments", h.readLimit, h.listComments)
	pub.GET("/counts", h.readLimit, h.counts)

	mod := v1.Group("/moderation", h.requireModerator)
	mod.GET("/queue", h.queue)
	mod.GET("/counts", h.queueCounts)
	mod.POST("/comments/:id/approve", h.approve)
	mod.POST("/comments/:id/spam", h.markSpam)
	mod.POST("/comments/:id/trash", h.trash)
	mod.DELETE("/comments/:id", h.deleteComment)
}
