package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/commentd/commentd/models"
)

// The sites' API keys to the Akismet-compatible API, for admins.

func (h *handler) listAPIKeys(c *gin.Context) {
	ks, err := h.SiteKeys.APIKeys(c.Request.Context())
	if err != nil {
		h.fail(c, err)
		return
	}
	if ks == nil {
		ks = []models.APIKey{}
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"apikeys": ks})
}

// createAPIKey answers the new key in clear, the only time it is shown.
func (h *handler) createAPIKey(c *gin.Context) {
	var req struct {
		Site string `json:"site"`
	}
	if err := decodeJSONBody(c, h.Options.MaxBodyBytes, &req); err != nil {
		h.fail(c, err)
		return
	}
	key, k, err := h.SiteKeys.CreateAPIKey(c.Request.Context(), principal(c).Name, req.Site)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, gin.H{"key": key, "id": k.ID, "site": k.Site, "created_by": k.CreatedBy, "created_at": k.CreatedAt})
}

func (h *handler) revokeAPIKey(c *gin.Context) {
	id, err := idParam(c)
	if err == nil {
		err = h.SiteKeys.RevokeAPIKey(c.Request.Context(), principal(c).Name, id)
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
