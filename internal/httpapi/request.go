package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/commentd/commentd/models"
)

// commentForm is a decoded POST /api/v1/comments body, JSON or form.
type commentForm struct {
	models.NewComment
	Redirect string // form flow: where to send the browser back to
	IsForm   bool
}

// bodyKind tells JSON from form bodies, or ErrUnsupportedMediaType.
func bodyKind(r *http.Request) (form bool, err error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return false, fmt.Errorf("content type %q: %w", r.Header.Get("Content-Type"), models.ErrUnsupportedMediaType)
	}
	switch mt {
	case "application/json":
		return false, nil
	case "application/x-www-form-urlencoded", "multipart/form-data":
		return true, nil
	}
	return false, fmt.Errorf("content type %q: %w", mt, models.ErrUnsupportedMediaType)
}

// decodeComment reads the request body (capped) into a commentForm.
func (h *handler) decodeComment(c *gin.Context) (commentForm, error) {
	r := c.Request
	isForm, err := bodyKind(r)
	if err != nil {
		return commentForm{}, err
	}
	r.Body = http.MaxBytesReader(c.Writer, r.Body, h.Options.MaxBodyBytes)
	if isForm {
		f, err := h.decodeForm(r)
		f.IsForm = true
		return f, err
	}
	return h.decodeJSON(r)
}

func (h *handler) decodeForm(r *http.Request) (commentForm, error) {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		err = r.ParseMultipartForm(h.Options.MaxBodyBytes)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		return commentForm{}, bodyError(err, "invalid_form")
	}
	get := r.PostForm.Get
	f := commentForm{Redirect: get("redirect")}
	f.Post, f.Author, f.Email, f.URL, f.Text = get("post"), get("author"), get("email"), get("url"), get("text")
	f.Honeypot = get(h.Options.HoneypotField)
	v := &models.ValidationError{}
	f.Parent = parseParent(v, get("parent"))
	return f, v.Err()
}

func (h *handler) decodeJSON(r *http.Request) (commentForm, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return commentForm{}, bodyError(err, "unreadable_body")
	}
	v := &models.ValidationError{}
	if !utf8.Valid(body) {
		v.Add("body", "invalid_utf8")
		return commentForm{}, v
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		v.Add("body", "invalid_json")
		return commentForm{}, v
	}
	str := func(key string) string {
		m, ok := raw[key]
		if !ok || string(m) == "null" {
			return ""
		}
		var s string
		if err := json.Unmarshal(m, &s); err != nil {
			v.Add(key, "invalid_type")
		}
		return s
	}
	var f commentForm
	f.Post, f.Author, f.Email, f.URL, f.Text = str("post"), str("author"), str("email"), str("url"), str("text")
	f.Honeypot = str(h.Options.HoneypotField)
	if m, ok := raw["parent"]; ok && string(m) != "null" {
		var n json.Number
		var s string
		switch {
		case json.Unmarshal(m, &n) == nil:
			f.Parent = parseParent(v, n.String())
		case json.Unmarshal(m, &s) == nil:
			f.Parent = parseParent(v, s)
		default:
			v.Add("parent", "invalid_type")
		}
	}
	return f, v.Err()
}

// parseParent reads an optional positive comment id.
func parseParent(v *models.ValidationError, s string) int64 {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		v.Add("parent", "invalid")
		return 0
	}
	return n
}

// bodyError maps a body-reading error to ErrTooLarge or a validation error.
func bodyError(err error, reason string) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return fmt.Errorf("body over %d bytes: %w", mbe.Limit, models.ErrTooLarge)
	}
	v := &models.ValidationError{}
	v.Add("body", reason)
	return v
}
