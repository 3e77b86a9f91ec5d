package httpapi

import (
	"github.com/gin-gonic/gin"

	"github.com/commentd/commentd/models"
)

// routes registers every route: the API's table of contents.
func (h *handler) routes(e *gin.Engine) {
	e.NoRoute(h.notFound)
	e.NoMethod(h.methodNotAllowed)

	e.GET("/healthz", h.healthz)
	e.HEAD("/healthz", h.healthz) // load balancers' probes
	e.GET("/readyz", h.readyz)
	e.HEAD("/readyz", h.readyz)
	e.GET("/posted", h.postedPage) // result page of the no-JavaScript form flow

	// The contract (api/openapi.yaml describes every route here) and the metrics.
	e.GET("/openapi.yaml", h.openAPI)
	if h.MetricsHandler != nil {
		e.GET("/metrics", gin.WrapH(h.MetricsHandler)) // Prometheus; absent when metrics_addr is set
	}

	v1 := e.Group("/api/v1")
	pub := v1.Group("", h.cors)
	pub.OPTIONS("/comments", h.preflight)
	pub.OPTIONS("/counts", h.preflight)
	pub.POST("/comments", h.createComment)
	pub.GET("/comments", h.readLimit, h.listComments)
	pub.GET("/counts", h.readLimit, h.counts)

	// Moderation API: a bearer token, or the console's session (plus CSRF token).
	mod := v1.Group("/moderation", h.requireModerator)
	mod.GET("/me", h.me)
	mod.GET("/queue", h.queue)
	mod.GET("/counts", h.queueCounts)
	mod.GET("/events", h.events)
	mod.POST("/comments/:id/:action", h.decide) // approve, spam, trash, restore
	mod.DELETE("/comments/:id", h.deleteComment)
	mod.POST("/bulk", h.bulk)
	mod.GET("/settings", h.getSettings)
	mod.GET("/words", h.listWords)
	mod.GET("/bans", h.listBans)
	mod.GET("/audit", h.audit)
	admin := mod.Group("", h.requireAdmin)
	admin.PUT("/settings", h.putSettings)
	admin.POST("/words", h.addWord)
	admin.DELETE("/words/:id", h.deleteWord)
	admin.POST("/bans", h.addBan)
	admin.DELETE("/bans/:id", h.deleteBan)
	admin.GET("/moderators", h.listModerators)
	admin.POST("/moderators", h.addModerator)
	admin.DELETE("/moderators/:name", h.deleteModerator)
	admin.POST("/moderators/:name/tokens", h.issueToken)
	admin.GET("/tokens", h.listTokens)
	admin.DELETE("/tokens/:id", h.revokeToken)
	admin.GET("/apikeys", h.listAPIKeys) // the sites' keys to the Akismet-compatible API
	admin.POST("/apikeys", h.createAPIKey)
	admin.DELETE("/apikeys/:id", h.revokeAPIKey)

	// Akismet-compatible API for other sites (akismet.go): the site's API key as
	// api_key or key, or as the first label of the Host; plain-text answers.
	ak := e.Group("/1.1")
	ak.POST("/verify-key", h.akismetVerifyKey)
	ak.POST("/comment-check", h.akismetCheck)
	ak.POST("/submit-spam", h.akismetReport(models.ClassSpam))
	ak.POST("/submit-ham", h.akismetReport(models.ClassHam))

	// Embeddable widget (widget_handlers.go): the script sites include, the same
	// comments rendered on the server for iframes and no JavaScript (/embed?post=
	// for ids with a slash), and a demo article when the demo option is on.
	widget := h.newWidgetHandler()
	e.GET("/embed.js", widget.script)
	e.GET("/embed", widget.page)
	e.GET("/embed/:post", widget.page)
	if h.Options.Demo {
		e.GET("/demo", widget.demo)
	}

	// Moderator console: HTML pages and plain forms that work without JavaScript.
	e.GET("/console/static/*file", h.consoleStatic)
	e.GET("/console/login", h.loginPage)
	e.POST("/console/login", h.login)
	con := e.Group("/console", h.requireConsole)
	con.POST("/logout", h.logout)
	con.GET("", h.queuePage)
	con.POST("/decide", h.consoleDecide)
	con.POST("/bulk", h.consoleBulk)
	con.GET("/policy", h.policyPage)
	con.GET("/audit", h.auditPage)
	conAdmin := con.Group("", h.requireAdminPage)
	conAdmin.POST("/settings", h.consoleSettings)
	conAdmin.POST("/words", h.consoleAddWord)
	conAdmin.POST("/words/:id/delete", h.consoleDeleteWord)
	conAdmin.POST("/bans", h.consoleAddBan)
	conAdmin.POST("/bans/:id/delete", h.consoleDeleteBan)
	conAdmin.GET("/accounts", h.accountsPage)
	conAdmin.POST("/accounts", h.consoleAddAccount)
	conAdmin.POST("/accounts/:name/delete", h.consoleDeleteAccount)
	conAdmin.POST("/accounts/:name/tokens", h.consoleIssueToken)
	conAdmin.POST("/tokens/:id/revoke", h.consoleRevokeToken)
	conAdmin.GET("/apikeys", h.apiKeysPage)
	conAdmin.POST("/apikeys", h.consoleCreateAPIKey)
	conAdmin.POST("/apikeys/:id/revoke", h.consoleRevokeAPIKey)
}
