package httpapi

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/commentd/commentd/internal/web"
	"github.com/commentd/commentd/models"
)

// accountNotices word what an accounts form just did (?done=), from a fixed list.
var accountNotices = map[string]string{
	"added": "Account added.", "deleted": "Account deleted; its sessions and tokens have ended.",
	"revoked": "Token revoked.",
}

// accountsPage lists the moderator accounts and API tokens (admins only).
func (h *handler) accountsPage(c *gin.Context) {
	data, err := h.accountsData(c)
	if err != nil {
		h.failPage(c, err, "", "")
		return
	}
	data.Notice = accountNotices[c.Query("done")]
	h.render(c, http.StatusOK, "accounts", data)
}

func (h *handler) accountsData(c *gin.Context) (web.Accounts, error) {
	ctx := c.Request.Context()
	ms, err := h.Accounts.List(ctx)
	if err != nil {
		return web.Accounts{}, err
	}
	ts, err := h.Accounts.Tokens(ctx, 0)
	if err != nil {
		return web.Accounts{}, err
	}
	names := make(map[int64]string, len(ms))
	for _, m := range ms {
		names[m.ID] = m.Name
	}
	data := web.Accounts{Page: h.page(c, "accounts", "Accounts"), Moderators: ms, Add: web.AccountForm{Role: "moderator"}}
	for _, t := range ts {
		data.Tokens = append(data.Tokens, web.Token{APIToken: t, Owner: names[t.ModeratorID]})
	}
	return data, nil
}

// accountsFailed shows the accounts page again with what to fix.
func (h *handler) accountsFailed(c *gin.Context, err error, conflict string, keep func(*web.Accounts)) {
	status, msgs, ok := h.formErrors(c, err, conflict)
	data, derr := h.accountsData(c)
	if !ok || derr != nil {
		h.failPage(c, err, conflict, "/console/accounts")
		return
	}
	data.Errors = msgs
	if keep != nil {
		keep(&data)
	}
	h.render(c, status, "accounts", data)
}

func accountsDone(c *gin.Context, done string) {
	c.Redirect(http.StatusSeeOther, "/console/accounts?done="+done)
}

func (h *handler) consoleAddAccount(c *gin.Context) {
	form := web.AccountForm{Name: c.PostForm("name"), Role: c.PostForm("role")}
	_, err := h.Accounts.CreateModerator(c.Request.Context(), principal(c).Name, form.Name, models.Role(form.Role), c.PostForm("password"))
	if err != nil {
		h.accountsFailed(c, err, "That name is taken.", func(a *web.Accounts) { a.Add = form })
		return
	}
	accountsDone(c, "added")
}

func (h *handler) consoleDeleteAccount(c *gin.Context) {
	if err := h.Accounts.Delete(c.Request.Context(), principal(c).Name, c.Param("name")); err != nil {
		h.accountsFailed(c, err, "That account cannot be deleted now.", nil)
		return
	}
	accountsDone(c, "deleted")
}

// consoleIssueToken issues an API token and shows it on the page it answers
// with, the only time it is ever shown; no redirect, so it is in no URL or history.
func (h *handler) consoleIssueToken(c *gin.Context) {
	owner, label := c.Param("name"), c.PostForm("label")
	secret, _, err := h.Accounts.IssueToken(c.Request.Context(), principal(c).Name, owner, label)
	var invalid *models.ValidationError
	if errors.As(err, &invalid) {
		for i := range invalid.Fields { // the API's "name" is this form's "label"
			invalid.Fields[i].Field = "label"
		}
	}
	if err != nil {
		h.accountsFailed(c, err, "A token with that label exists already.", nil)
		return
	}
	data, err := h.accountsData(c)
	if err != nil {
		h.failPage(c, err, "", "/console/accounts")
		return
	}
	data.Issued = &web.IssuedToken{Owner: owner, Label: label, Secret: secret}
	h.render(c, http.StatusOK, "accounts", data)
}

func (h *handler) consoleRevokeToken(c *gin.Context) {
	id, err := idParam(c)
	if err == nil {
		err = h.Accounts.RevokeToken(c.Request.Context(), principal(c).Name, id)
	}
	if err != nil {
		h.accountsFailed(c, err, "That token is already revoked.", nil)
		return
	}
	accountsDone(c, "revoked")
}
