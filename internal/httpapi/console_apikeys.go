package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/commentd/commentd/internal/web"
)

// apiKeyNotices word what an API keys form just did (?done=), from a fixed list.
var apiKeyNotices = map[string]string{"revoked": "Key revoked: the site's calls are refused from now on."}

// apiKeysPage lists the sites' API keys (admins only).
func (h *handler) apiKeysPage(c *gin.Context) {
	data, err := h.apiKeysData(c)
	if err != nil {
		h.failPage(c, err, "", "")
		return
	}
	data.Notice = apiKeyNotices[c.Query("done")]
	h.render(c, http.StatusOK, "apikeys", data)
}

func (h *handler) apiKeysData(c *gin.Context) (web.APIKeys, error) {
	ks, err := h.SiteKeys.APIKeys(c.Request.Context())
	if err != nil {
		return web.APIKeys{}, err
	}
	scheme := "http"
	if c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return web.APIKeys{Page: h.page(c, "apikeys", "API keys"), Keys: ks, Endpoint: scheme + "://" + c.Request.Host + "/1.1/"}, nil
}

// consoleCreateAPIKey creates a key and shows it on the page it answers with,
// the only time it is ever shown; no redirect, so it is in no URL or history.
func (h *handler) consoleCreateAPIKey(c *gin.Context) {
	site := c.PostForm("site")
	key, k, err := h.SiteKeys.CreateAPIKey(c.Request.Context(), principal(c).Name, site)
	data, derr := h.apiKeysData(c)
	if derr != nil {
		h.failPage(c, derr, "", "/console/apikeys")
		return
	}
	if err != nil {
		status, msgs, ok := h.formErrors(c, err, "")
		if !ok {
			h.failPage(c, err, "", "/console/apikeys")
			return
		}
		data.Errors, data.Site = msgs, site
		h.render(c, status, "apikeys", data)
		return
	}
	data.Issued = &web.IssuedKey{Site: k.Site, Key: key}
	h.render(c, http.StatusOK, "apikeys", data)
}

func (h *handler) consoleRevokeAPIKey(c *gin.Context) {
	id, err := idParam(c)
	if err == nil {
		err = h.SiteKeys.RevokeAPIKey(c.Request.Context(), principal(c).Name, id)
	}
	if err != nil {
		h.failPage(c, err, "That key is already revoked.", "/console/apikeys")
		return
	}
	c.Redirect(http.StatusSeeOther, "/console/apikeys?done=revoked")
}
