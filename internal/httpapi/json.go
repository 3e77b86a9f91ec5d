package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/commentd/commentd/models"
)

// decodeJSONBody reads a capped JSON body into v, mapping every failure to a 4xx error.
func decodeJSONBody(c *gin.Context, max int64, v any) error {
	if form, err := bodyKind(c.Request); err != nil || form {
		return fmt.Errorf("expected application/json: %w", models.ErrUnsupportedMediaType)
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, max))
	if err != nil {
		return bodyError(err, "unreadable_body")
	}
	ve := &models.ValidationError{}
	if !utf8.Valid(body) {
		ve.Add("body", "invalid_utf8")
		return ve
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			ve.Add(te.Field, "invalid_type")
		} else {
			ve.Add("body", "invalid_json")
		}
		return ve
	}
	return nil
}
