package httpapi

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/commentd/commentd/internal/web"
	"github.com/commentd/commentd/models"
)

// maxLoginBody caps the login form: a name, a password and a local URL.
const maxLoginBody = 8 << 10

// loginPage shows the login form, or goes straight on when already logged in.
func (h *handler) loginPage(c *gin.Context) {
	consoleHeaders(c)
	next := localConsoleURL(c.Query("next"))
	if c.GetHeader("Authorization") == "" { // a session only: the console takes no bearer token
		if _, err := h.authenticate(c); err == nil {
			c.Redirect(http.StatusSeeOther, orQueue(next))
			return
		}
	}
	h.render(c, http.StatusOK, "login", web.Login{Page: web.Page{Title: "Log in"}, Next: next})
}

// login checks the name and password and starts a session. Wrong credentials
// get one answer whether or not the account exists; too many attempts get 429
// with when to try again.
func (h *handler) login(c *gin.Context) {
	consoleHeaders(c)
	if !sameOrigin(c) {
		h.pageError(c, http.StatusForbidden, "This login form was sent from another site.")
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxLoginBody)
	if err := c.Request.ParseForm(); err != nil {
		h.pageError(c, http.StatusBadRequest, "The login form could not be read.")
		return
	}
	name, next := strings.TrimSpace(c.PostForm("name")), localConsoleURL(c.PostForm("next"))
	data := web.Login{Page: web.Page{Title: "Log in"}, Name: name, Next: next}
	cookie, _, _, err := h.Accounts.Login(c.Request.Context(), name, c.PostForm("password"), c.ClientIP())
	var rl *models.RateLimitError
	switch {
	case err == nil:
		h.setSessionCookie(c, cookie, int(h.Options.SessionMax.Seconds()))
		c.Redirect(http.StatusSeeOther, orQueue(next))
		return
	case errors.As(err, &rl):
		retry := setRateLimitHeaders(c, rl)
		at := time.Now().Add(time.Duration(retry) * time.Second).UTC().Format("15:04:05 UTC")
		data.Errors = []string{"Too many login attempts. Try again in " + seconds(retry) + " (at " + at + ")."}
		h.render(c, http.StatusTooManyRequests, "login", data)
	case errors.Is(err, models.ErrUnauthorized):
		data.Errors = []string{"Wrong name or password."}
		h.render(c, http.StatusUnauthorized, "login", data)
	default:
		status, _ := h.classify(c, err)
		data.Errors = []string{"Logging in is not possible right now. Please try again shortly."}
		h.render(c, status, "login", data)
	}
}

// logout ends the session and clears its cookie.
func (h *handler) logout(c *gin.Context) {
	if cookie, err := c.Cookie(sessionCookie); err == nil {
		if err := h.Accounts.Logout(c.Request.Context(), cookie); err != nil {
			h.Logger.WarnContext(c.Request.Context(), "logout failed", slog.Any("err", err))
		}
	}
	h.setSessionCookie(c, "", -1)
	c.Redirect(http.StatusSeeOther, "/console/login")
}

// sameOrigin refuses a cross-site form post (login CSRF). Browsers say where a
// request comes from in Sec-Fetch-Site, older ones in Origin; a client that
// sends neither is no browser.
func sameOrigin(c *gin.Context) bool {
	if s := c.GetHeader("Sec-Fetch-Site"); s != "" {
		return s == "same-origin" || s == "none"
	}
	origin := c.GetHeader("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, c.Request.Host)
}

func orQueue(next string) string {
	if next == "" {
		return "/console"
	}
	return next
}

// seconds words a wait: "1 second", "40 seconds", "3 minutes".
func seconds(n int) string {
	switch {
	case n == 1:
		return "1 second"
	case n < 120:
		return strconv.Itoa(n) + " seconds"
	}
	return strconv.Itoa((n+59)/60) + " minutes"
}
