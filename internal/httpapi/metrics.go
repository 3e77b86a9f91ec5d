package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/commentd/commentd/api"
)

// Metrics records every answered request by method, route pattern and status.
type Metrics interface {
	ObserveRequest(method, route string, status int, d time.Duration)
}

// openAPI serves the API's OpenAPI 3.1 description.
func (h *handler) openAPI(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=300")
	c.Header("Access-Control-Allow-Origin", "*") // a public document, for browser-based API tools
	c.Data(http.StatusOK, "application/yaml; charset=utf-8", []byte(api.Spec))
}
