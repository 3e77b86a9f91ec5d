package httpapi

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/commentd/commentd/models"
)

// TestUnavailableIsA503WithRetryAfter: a database outage (a dropped
// connection, a server out of reach) tells clients to come back, never
// "internal error".
func TestUnavailableIsA503WithRetryAfter(t *testing.T) {
	gin.SetMode(gin.TestMode)
	h := &handler{Deps: Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}}
	rec := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(rec)
	c.Request = httptest.NewRequest("POST", "/api/v1/comments", nil)
	h.fail(c, fmt.Errorf("moderation: submit: postgres: create comment: %w: terminating connection", models.ErrUnavailable))
	var body errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 503 || rec.Header().Get("Retry-After") != "1" || body.Error != "unavailable" || body.Retry != 1 {
		t.Fatalf("%d, Retry-After %q, %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
}
