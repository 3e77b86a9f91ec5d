package httpapi

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/commentd/commentd/models"
)

const (
	sessionCookie = "commentd_session"
	principalKey  = "commentd.principal"
	sessionKey    = "commentd.session"
	csrfHeader    = "X-CSRF-Token"
	csrfField     = "csrf"
)

// authenticate resolves a bearer token or the session cookie into a
// principal. A session-authenticated request that changes state must carry
// the session's CSRF token (header or form field); bearer tokens are not sent
// by browsers on their own, so they need none. Errors: a *models.RateLimitError
// while the client's address is over its budget of wrong bearer tokens (the
// token is not checked), models.ErrUnavailable when the database could not be
// asked (503: the credentials may be right), else models.ErrUnauthorized.
func (h *handler) authenticate(c *gin.Context) (models.Principal, error) {
	ctx := c.Request.Context()
	if auth := c.GetHeader("Authorization"); auth != "" {
		token, ok := bearerToken(auth)
		if !ok {
			return models.Principal{}, fmt.Errorf("not a bearer token: %w", models.ErrUnauthorized)
		}
		p, err := h.Accounts.BearerPrincipal(ctx, token, c.ClientIP())
		if errors.Is(err, models.ErrRateLimited) || errors.Is(err, models.ErrUnavailable) {
			return models.Principal{}, err
		}
		if err != nil {
			return models.Principal{}, fmt.Errorf("bearer token: %w", models.ErrUnauthorized)
		}
		c.Set(principalKey, p)
		return p, nil
	}
	cookie, err := c.Cookie(sessionCookie)
	if err != nil || cookie == "" {
		return models.Principal{}, fmt.Errorf("no token or session: %w", models.ErrUnauthorized)
	}
	sess, p, err := h.Accounts.Session(ctx, cookie)
	if errors.Is(err, models.ErrUnavailable) {
		return models.Principal{}, err
	}
	if err != nil {
		return models.Principal{}, fmt.Errorf("session: %w", models.ErrUnauthorized)
	}
	c.Set(principalKey, p)
	c.Set(sessionKey, sess)
	return p, nil
}

// bearerToken returns the credentials of an Authorization header of the
// Bearer scheme, whose name is case-insensitive (RFC 9110, section 11.1).
func bearerToken(header string) (string, bool) {
	scheme, token, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimLeft(token, " "), true
}

// requireModerator lets in a valid bearer token or session; 401 otherwise, 429
// from an address that sent too many wrong bearer tokens, and 403 when a
// session's state-changing request lacks its CSRF token.
func (h *handler) requireModerator(c *gin.Context) {
	if _, err := h.authenticate(c); err != nil {
		h.fail(c, err)
		return
	}
	if !h.csrfOK(c) {
		h.fail(c, fmt.Errorf("moderation API: %w", models.ErrCSRF))
		return
	}
	c.Next()
}

// requireAdmin lets in admins only (after requireModerator).
func (h *handler) requireAdmin(c *gin.Context) {
	if !principal(c).IsAdmin() {
		h.fail(c, fmt.Errorf("admins only: %w", models.ErrForbidden))
		return
	}
	c.Next()
}

// csrfOK checks the CSRF token of session-authenticated, state-changing requests.
func (h *handler) csrfOK(c *gin.Context) bool {
	v, ok := c.Get(sessionKey)
	if !ok {
		return true // bearer token
	}
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	want := v.(models.Session).CSRFToken
	got := c.GetHeader(csrfHeader)
	if got == "" {
		got = c.PostForm(csrfField)
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// principal returns who is making the request (after requireModerator).
func principal(c *gin.Context) models.Principal {
	v, _ := c.Get(principalKey)
	p, _ := v.(models.Principal)
	return p
}

// csrfToken returns the session's CSRF token for forms ("" for bearer requests).
func csrfToken(c *gin.Context) string {
	v, ok := c.Get(sessionKey)
	if !ok {
		return ""
	}
	return v.(models.Session).CSRFToken
}

// setSessionCookie hands the browser its session: HttpOnly, SameSite=Lax, Secure when configured.
func (h *handler) setSessionCookie(c *gin.Context, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: h.Options.CookieSecure, SameSite: http.SameSiteLaxMode,
	})
}
