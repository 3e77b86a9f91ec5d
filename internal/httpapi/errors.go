package httpapi

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/commentd/commentd/models"
)

// errorStatus is the one table from domain errors to HTTP: status and machine-readable code.
var errorStatus = []struct {
	err    error
	status int
	code   string
}{
	{models.ErrInvalid, http.StatusBadRequest, "invalid_input"},
	{models.ErrUnauthorized, http.StatusUnauthorized, "unauthorized"},
	{models.ErrBanned, http.StatusForbidden, "banned"},
	{models.ErrCSRF, http.StatusForbidden, "csrf"},
	{models.ErrRejected, http.StatusUnprocessableEntity, "rejected"},
	{models.ErrForbidden, http.StatusForbidden, "forbidden"},
	{models.ErrNotFound, http.StatusNotFound, "not_found"},
	{models.ErrDuplicate, http.StatusConflict, "duplicate"},
	{models.ErrConflict, http.StatusConflict, "conflict"},
	{models.ErrTooLarge, http.StatusRequestEntityTooLarge, "too_large"},
	{models.ErrUnsupportedMediaType, http.StatusUnsupportedMediaType, "unsupported_media_type"},
	{models.ErrRateLimited, http.StatusTooManyRequests, "rate_limited"},
	{models.ErrUnavailable, http.StatusServiceUnavailable, "unavailable"},
}

// errorBody is the JSON shape of every error.
type errorBody struct {
	Error   string              `json:"error"`
	Message string              `json:"message"`
	Fields  []models.FieldError `json:"fields,omitempty"`
	Retry   int                 `json:"retry_after,omitempty"` // seconds, on 429 and 503
}

// unavailableRetry is the Retry-After, in seconds, of a 503: the database
// dropped a connection or is out of reach, which is usually over at once.
const unavailableRetry = 1

// classify maps err to its status and body, setting rate-limit, retry and auth headers.
// Anything unknown is a 500 that says only "internal error", logged with its detail.
func (h *handler) classify(c *gin.Context, err error) (int, errorBody) {
	for _, e := range errorStatus {
		if !errors.Is(err, e.err) {
			continue
		}
		body := errorBody{Error: e.code, Message: messageFor(e.code)}
		var v *models.ValidationError
		if errors.As(err, &v) {
			body.Fields = v.Fields
		}
		var rl *models.RateLimitError
		if errors.As(err, &rl) {
			body.Retry = setRateLimitHeaders(c, rl)
			body.Message = "too many requests; try again in " + strconv.Itoa(body.Retry) + " seconds"
			if rl.Scope == "auth" {
				body.Message = "too many wrong bearer tokens came from this address: no token it sends is checked " +
					"until it may try again, in " + strconv.Itoa(body.Retry) + " seconds"
			}
		}
		if e.status == http.StatusServiceUnavailable {
			body.Retry = unavailableRetry
			c.Header("Retry-After", strconv.Itoa(unavailableRetry))
		}
		if e.status == http.StatusUnauthorized {
			c.Header("WWW-Authenticate", `Bearer realm="commentd"`)
		}
		if e.status == http.StatusConflict && e.code == "conflict" {
			body.Message = "the comment was already decided; reload it"
		}
		return e.status, body
	}
	h.Logger.ErrorContext(c.Request.Context(), "internal error", slog.String("method", c.Request.Method),
		slog.String("route", c.FullPath()), slog.String("client_ip", c.ClientIP()), slog.Any("err", err))
	return http.StatusInternalServerError, errorBody{Error: "internal_error", Message: "internal error"}
}

// fail answers err as JSON and stops the handler chain.
func (h *handler) fail(c *gin.Context, err error) {
	status, body := h.classify(c, err)
	c.AbortWithStatusJSON(status, body)
}

func messageFor(code string) string {
	switch code {
	case "invalid_input":
		return "some fields are not valid"
	case "unauthorized":
		return "a valid moderator token is required"
	case "forbidden":
		return "your role does not allow this"
	case "csrf":
		return "missing or wrong CSRF token: a change made with a session needs its token in X-CSRF-Token " +
			"(GET /api/v1/moderation/me gives it); reload the page and try again"
	case "not_found":
		return "no such comment or route"
	case "duplicate":
		return "you already posted this comment"
	case "too_large":
		return "the request body is too large"
	case "unsupported_media_type":
		return "send application/json or a form (application/x-www-form-urlencoded or multipart/form-data)"
	case "banned":
		return "comments from you are not accepted"
	case "rejected":
		return "the comment was rejected as spam"
	case "unavailable":
		return "the service is temporarily unavailable"
	}
	return code
}

// setRateLimitHeaders writes Retry-After and the RateLimit-* headers and returns
// the whole seconds to wait (at least 1).
func setRateLimitHeaders(c *gin.Context, rl *models.RateLimitError) int {
	retry := ceilSeconds(rl.RetryAfter)
	c.Header("Retry-After", strconv.Itoa(retry))
	c.Header("RateLimit-Limit", strconv.Itoa(rl.Limit))
	c.Header("RateLimit-Remaining", strconv.Itoa(rl.Remaining))
	c.Header("RateLimit-Reset", strconv.Itoa(ceilSeconds(rl.ResetAfter)))
	return retry
}

func ceilSeconds(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	if s < 1 {
		s = 1
	}
	return s
}
