package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/commentd/commentd/models"
)

// me says who is logged in, with the CSRF token a script needs for session requests.
func (h *handler) me(c *gin.Context) {
	p := principal(c)
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"name": p.Name, "role": p.Role, "via": p.Via, "csrf_token": csrfToken(c)})
}

func (h *handler) getSettings(c *gin.Context) {
	c.JSON(http.StatusOK, h.Moderation.Settings())
}

func (h *handler) putSettings(c *gin.Context) {
	st := h.Moderation.Settings() // absent fields keep their value
	if err := decodeJSONBody(c, h.Options.MaxBodyBytes, &st); err != nil {
		h.fail(c, err)
		return
	}
	out, err := h.Moderation.UpdateSettings(c.Request.Context(), principal(c), st)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (h *handler) listWords(c *gin.Context) {
	words := h.Moderation.Words()
	if words == nil {
		words = []models.Word{}
	}
	c.JSON(http.StatusOK, gin.H{"words": words})
}

func (h *handler) addWord(c *gin.Context) {
	var req struct {
		Kind models.WordKind `json:"kind"`
		Word string          `json:"word"`
	}
	if err := decodeJSONBody(c, h.Options.MaxBodyBytes, &req); err != nil {
		h.fail(c, err)
		return
	}
	w, err := h.Moderation.AddWord(c.Request.Context(), principal(c), req.Kind, req.Word)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, w)
}

func (h *handler) deleteWord(c *gin.Context) {
	id, err := idParam(c)
	if err == nil {
		err = h.Moderation.DeleteWord(c.Request.Context(), principal(c), id)
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *handler) listBans(c *gin.Context) {
	bans, err := h.Moderation.Bans(c.Request.Context())
	if err != nil {
		h.fail(c, err)
		return
	}
	if bans == nil {
		bans = []models.Ban{}
	}
	c.JSON(http.StatusOK, gin.H{"bans": bans})
}

func (h *handler) addBan(c *gin.Context) {
	var req struct {
		Kind      models.BanKind `json:"kind"`
		Value     string         `json:"value"`
		Reason    string         `json:"reason"`
		ExpiresAt *time.Time     `json:"expires_at"`
	}
	if err := decodeJSONBody(c, h.Options.MaxBodyBytes, &req); err != nil {
		h.fail(c, err)
		return
	}
	b, err := h.Moderation.AddBan(c.Request.Context(), principal(c), req.Kind, req.Value, req.Reason, req.ExpiresAt)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, b)
}

func (h *handler) deleteBan(c *gin.Context) {
	id, err := idParam(c)
	if err == nil {
		err = h.Moderation.DeleteBan(c.Request.Context(), principal(c), id)
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// auditFilter reads the audit log's filter parameters.
func auditFilter(get func(string) string) (models.AuditFilter, error) {
	v := &models.ValidationError{}
	f := models.AuditFilter{Actor: get("actor"), Action: get("action"), Cursor: get("cursor")}
	if s := get("comment"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id < 1 {
			v.Add("comment", "invalid")
		}
		f.CommentID = id
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if s := get(p.name); s != "" {
			t, err := parseTime(s)
			if err != nil {
				v.Add(p.name, "invalid")
			}
			*p.dst = t
		}
	}
	if s := get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			v.Add("limit", "invalid")
		}
		f.Limit = n
	}
	return f, v.Err()
}

func (h *handler) audit(c *gin.Context) {
	f, err := auditFilter(c.Query)
	if err != nil {
		h.fail(c, err)
		return
	}
	es, next, err := h.Moderation.Audit(c.Request.Context(), f)
	if err != nil {
		h.fail(c, err)
		return
	}
	if es == nil {
		es = []models.AuditEntry{}
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"entries": es, "next_cursor": next})
}

func (h *handler) listModerators(c *gin.Context) {
	ms, err := h.Accounts.List(c.Request.Context())
	if err != nil {
		h.fail(c, err)
		return
	}
	if ms == nil {
		ms = []models.Moderator{} // [] rather than null, as api/openapi.yaml says
	}
	c.JSON(http.StatusOK, gin.H{"moderators": ms})
}

func (h *handler) addModerator(c *gin.Context) {
	var req struct {
		Name     string      `json:"name"`
		Role     models.Role `json:"role"`
		Password string      `json:"password"`
	}
	if err := decodeJSONBody(c, h.Options.MaxBodyBytes, &req); err != nil {
		h.fail(c, err)
		return
	}
	m, err := h.Accounts.CreateModerator(c.Request.Context(), principal(c).Name, req.Name, req.Role, req.Password)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, m)
}

func (h *handler) deleteModerator(c *gin.Context) {
	if err := h.Accounts.Delete(c.Request.Context(), principal(c).Name, c.Param("name")); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *handler) issueToken(c *gin.Context) {
	var req struct {
		Name string `json:"name"`
	}
	if err := decodeJSONBody(c, h.Options.MaxBodyBytes, &req); err != nil {
		h.fail(c, err)
		return
	}
	secret, t, err := h.Accounts.IssueToken(c.Request.Context(), principal(c).Name, c.Param("name"), req.Name)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, gin.H{"token": secret, "id": t.ID, "name": t.Name, "created_at": t.CreatedAt})
}

func (h *handler) listTokens(c *gin.Context) {
	ts, err := h.Accounts.Tokens(c.Request.Context(), 0)
	if err != nil {
		h.fail(c, err)
		return
	}
	if ts == nil {
		ts = []models.APIToken{}
	}
	c.JSON(http.StatusOK, gin.H{"tokens": ts})
}

func (h *handler) revokeToken(c *gin.Context) {
	id, err := idParam(c)
	if err == nil {
		err = h.Accounts.RevokeToken(c.Request.Context(), principal(c).Name, id)
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
