package httpapi

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/commentd/commentd/models"
)

// requireConsole lets in a logged-in session only (no bearer tokens in the
// browser console). A page request without one goes to the login page; a form
// post without the session's CSRF token is refused with 403.
func (h *handler) requireConsole(c *gin.Context) {
	consoleHeaders(c)
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, h.Options.MaxBodyBytes)
	if c.GetHeader("Authorization") != "" {
		h.fail(c, fmt.Errorf("the console takes a login session: %w", models.ErrUnauthorized))
		return
	}
	if _, err := h.authenticate(c); err != nil {
		if c.Request.Method == http.MethodGet {
			c.Redirect(http.StatusSeeOther, "/console/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
			c.Abort()
			return
		}
		h.pageError(c, http.StatusUnauthorized, "Your session has ended. Please log in again.")
		return
	}
	if !h.csrfOK(c) {
		h.pageError(c, http.StatusForbidden, "This form has expired (missing or wrong CSRF token). Go back, reload the page and try again.")
		return
	}
	c.Next()
}

// requireAdminPage lets in admins only (after requireConsole).
func (h *handler) requireAdminPage(c *gin.Context) {
	if !principal(c).IsAdmin() {
		h.pageError(c, http.StatusForbidden, "Only admins can do this.")
		return
	}
	c.Next()
}
