package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/commentd/commentd/api"
)

// Metrics records every answered request by method, route pattern and status,
// and what the Akismet-compatible API answered. Its methods must not block.
type Metrics interface {
	ObserveRequest(method, route string, status int, d time.Duration)
	// AkismetChecked counts one comment-check answer by result: "spam", "ham",
	// "held" (false, but commentd would hold it: X-commentd-status pending) or
	// "error" (no verdict: a bad key or request, a refusal, an internal error).
	AkismetChecked(result string)
	// AkismetReported counts one accepted submit-spam or submit-ham by class: "spam" or "ham".
	AkismetReported(class string)
}

// openAPI serves the API's OpenAPI 3.1 description.
func (h *handler) openAPI(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=300")
	c.Header("Access-Control-Allow-Origin", "*") // a public document, for browser-based API tools
	c.Data(http.StatusOK, "application/yaml; charset=utf-8", []byte(api.Spec))
}
