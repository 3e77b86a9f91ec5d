package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/encoding/charmap"

	"github.com/commentd/commentd/internal/moderation"
	"github.com/commentd/commentd/models"
)

// The Akismet-compatible API (https://akismet.com/developers/): other sites
// send their comments here instead of to rest.akismet.com. Requests are forms
// (JSON objects too); answers are plain text, and request errors answer 200
// with an explanation in X-akismet-debug-help, as Akismet does.

// AkismetService is what the Akismet-compatible endpoints call.
type AkismetService interface {
	Check(ctx context.Context, r moderation.CheckRequest) (moderation.CheckResult, error)
	Report(ctx context.Context, r moderation.Report) error
}

// SiteKeyService resolves and manages the sites' API keys.
type SiteKeyService interface {
	// SiteKey resolves a key sent from the client address ip: models.ErrUnauthorized for a bad
	// key, models.ErrForbidden when blog is another site, a *models.RateLimitError while ip has
	// sent too many bad keys.
	SiteKey(ctx context.Context, key, blog, ip string) (models.APIKey, error)
	CreateAPIKey(ctx context.Context, actor, site string) (string, models.APIKey, error)
	APIKeys(ctx context.Context) ([]models.APIKey, error)
	// RevokeAPIKey: models.ErrNotFound, models.ErrConflict when revoked already.
	RevokeAPIKey(ctx context.Context, actor string, id int64) error
}

// akismetMaxBody caps an Akismet request. It is larger than max_body_bytes:
// WordPress sends the comment twice (comment_content and POST_comment) and its
// server variables.
const akismetMaxBody = 1 << 20

// akismetThanks is the answer to a report.
const akismetThanks = "Thanks for making the web a better place."

func (h *handler) akismetVerifyKey(c *gin.Context) {
	if _, _, err := h.akismetKey(c, "key", "api_key"); err != nil {
		h.akismetFail(c, err)
		return
	}
	c.String(http.StatusOK, "valid")
}

// akismetCheck answers comment-check; every answer counts once in the metrics.
func (h *handler) akismetCheck(c *gin.Context) {
	res, err := h.check(c)
	if err != nil {
		h.countCheck("error")
		h.akismetFail(c, err)
		return
	}
	switch {
	case res.Spam:
		h.countCheck("spam")
	case res.Status == models.StatusPending:
		h.countCheck("held")
	default:
		h.countCheck("ham")
	}
	c.Header("X-akismet-guid", res.GUID)
	c.Header("X-commentd-status", string(res.Status))
	c.Header("X-commentd-score", strconv.FormatFloat(res.Score, 'f', 4, 64))
	if res.Discard {
		c.Header("X-akismet-pro-tip", "discard")
	}
	c.String(http.StatusOK, strconv.FormatBool(res.Spam))
}

// check reads a comment-check request and judges its comment.
func (h *handler) check(c *gin.Context) (moderation.CheckResult, error) {
	f, k, err := h.akismetKey(c, "api_key", "key")
	if err == nil {
		err = required(f, "blog", "user_ip")
	}
	if err != nil {
		return moderation.CheckResult{}, err
	}
	return h.Akismet.Check(c.Request.Context(), moderation.CheckRequest{
		KeyID: k.ID, Comment: akismetComment(f), Role: f.Get("user_role"), Test: isTrue(f.Get("is_test")),
	})
}

func (h *handler) countCheck(result string) {
	if h.Metrics != nil {
		h.Metrics.AkismetChecked(result)
	}
}

// akismetReport answers submit-spam and submit-ham.
func (h *handler) akismetReport(class models.Class) gin.HandlerFunc {
	return func(c *gin.Context) {
		f, k, err := h.akismetKey(c, "api_key", "key")
		if err == nil {
			err = required(f, "blog")
		}
		if err == nil {
			err = h.Akismet.Report(c.Request.Context(), moderation.Report{
				KeyID: k.ID, GUID: f.Get("guid"), Comment: akismetComment(f), Class: class, Test: isTrue(f.Get("is_test")),
			})
		}
		if err != nil {
			h.akismetFail(c, err)
			return
		}
		if h.Metrics != nil {
			h.Metrics.AkismetReported(string(class))
		}
		c.String(http.StatusOK, akismetThanks)
	}
}

// akismetKey reads the request and resolves its key: the first of the fields
// named that is set, else the first label of the Host (KEY.rest.example.org),
// for the site named by blog. verify-key looks at key first: the WordPress
// plugin sends the key to verify as key and its current one as api_key.
func (h *handler) akismetKey(c *gin.Context, fields ...string) (url.Values, models.APIKey, error) {
	f, err := akismetForm(c)
	if err != nil {
		return nil, models.APIKey{}, err
	}
	var key string
	for _, name := range fields {
		if key = f.Get(name); key != "" {
			break
		}
	}
	if key == "" {
		key = hostKey(c.Request.Host)
	}
	if key == "" {
		return nil, models.APIKey{}, fmt.Errorf("no api_key: %w", models.ErrUnauthorized)
	}
	k, err := h.SiteKeys.SiteKey(c.Request.Context(), key, f.Get("blog"), c.ClientIP())
	return f, k, err
}

// hostKey is the first label of a host with at least three, such as
// 0123456789ab.rest.example.org, the way older clients send the key.
func hostKey(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	label, rest, _ := strings.Cut(host, ".")
	if strings.Count(rest, ".") < 1 || net.ParseIP(host) != nil {
		return ""
	}
	return label
}

// akismetForm reads the body, capped: a form (with the URL's query) or a JSON
// object whose strings, numbers and booleans become fields. Text that is not
// UTF-8 is read as blog_charset says (ISO-8859-1 or Windows-1252), else repaired.
func akismetForm(c *gin.Context) (url.Values, error) {
	r := c.Request
	isForm, err := bodyKind(r)
	if err != nil {
		return nil, err
	}
	r.Body = http.MaxBytesReader(c.Writer, r.Body, akismetMaxBody)
	var f url.Values
	if isForm {
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
			err = r.ParseMultipartForm(akismetMaxBody)
		} else {
			err = r.ParseForm()
		}
		if err != nil {
			return nil, bodyError(err, "invalid_form")
		}
		f = r.Form
	} else if f, err = jsonFields(r.Body); err != nil {
		return nil, err
	}
	decodeCharset(f)
	return f, nil
}

// jsonFields reads a JSON object of scalars into fields; arrays and objects
// (such as comment_context) are skipped.
func jsonFields(body io.Reader) (url.Values, error) {
	b, err := io.ReadAll(body)
	if err != nil {
		return nil, bodyError(err, "unreadable_body")
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var raw map[string]any
	if err := d.Decode(&raw); err != nil || raw == nil {
		v := &models.ValidationError{}
		v.Add("body", "invalid_json")
		return nil, v
	}
	f := url.Values{}
	for k, v := range raw {
		switch x := v.(type) {
		case string:
			f.Set(k, x)
		case json.Number:
			f.Set(k, x.String())
		case bool:
			f.Set(k, strconv.FormatBool(x))
		}
	}
	return f, nil
}

// decodeCharset makes every value valid UTF-8.
func decodeCharset(f url.Values) {
	latin := false
	switch strings.ToLower(strings.TrimSpace(f.Get("blog_charset"))) {
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "windows-1252", "cp1252":
		latin = true
	}
	for k, vs := range f {
		for i, v := range vs {
			if utf8.ValidString(v) {
				continue
			}
			if latin {
				if s, err := charmap.Windows1252.NewDecoder().String(v); err == nil {
					vs[i] = s
					continue
				}
			}
			vs[i] = strings.ToValidUTF8(v, "\uFFFD")
		}
		f[k] = vs
	}
}

// akismetComment maps the Akismet fields onto a comment. The honeypot is the
// field honeypot_field_name names, or the WordPress plugin's own
// (POST_ak_hp_textarea). Unknown fields are ignored.
func akismetComment(f url.Values) models.NewComment {
	n := models.NewComment{
		Post: f.Get("permalink"), Author: f.Get("comment_author"), Email: f.Get("comment_author_email"),
		URL: f.Get("comment_author_url"), Text: f.Get("comment_content"),
		IP: strings.TrimSpace(f.Get("user_ip")), UserAgent: f.Get("user_agent"),
	}
	if n.Post == "" {
		n.Post = f.Get("blog")
	}
	if name := f.Get("honeypot_field_name"); name != "" {
		n.Honeypot = f.Get(name)
	}
	if n.Honeypot == "" {
		n.Honeypot = f.Get("POST_ak_hp_textarea")
	}
	return n
}

// required reports the first missing field as Akismet words it.
func required(f url.Values, names ...string) error {
	for _, n := range names {
		if strings.TrimSpace(f.Get(n)) == "" {
			return &missingField{n}
		}
	}
	return nil
}

// missingField is a required Akismet field the request lacks.
type missingField struct{ name string }

func (m *missingField) Error() string { return "Missing required field: " + m.name + "." }

func isTrue(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	return s == "1" || s == "true" || s == "yes"
}

// akismetFail answers an error the Akismet way: "invalid" for a key problem
// and the missing field's sentence, both with status 200; anything else with
// its status from errors.go, its message as the body: 429 with Retry-After for
// an address that sent too many wrong keys. The explanation goes in
// X-akismet-debug-help.
func (h *handler) akismetFail(c *gin.Context, err error) {
	var missing *missingField
	status, body, help := http.StatusOK, "invalid", ""
	switch {
	case errors.As(err, &missing):
		body, help = missing.Error(), missing.Error()
	case errors.Is(err, models.ErrUnauthorized):
		help = "The API key is missing, unknown or revoked. Create one with: commentd apikey create --site URL"
	case errors.Is(err, models.ErrForbidden):
		help = "This API key was created for another site: send that site's front page as blog."
	default:
		var e errorBody
		status, e = h.classify(c, err)
		body, help = e.Message, e.Message
		switch e.Error {
		case "internal_error":
			help = "commentd could not answer (internal error); try again later."
		case "rate_limited":
			help = "Too many requests with a wrong API key came from this address: no key it sends is checked " +
				"until it may try again, in " + strconv.Itoa(e.Retry) + " seconds (Retry-After)."
		}
	}
	c.Header("X-akismet-debug-help", help)
	c.String(status, body)
}
