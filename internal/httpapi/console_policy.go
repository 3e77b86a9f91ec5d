package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/commentd/commentd/internal/web"
	"github.com/commentd/commentd/models"
)

// policyNotices word what a policy form just did (?done=), from a fixed list.
var policyNotices = map[string]string{
	"settings": "Settings saved. They apply to new comments from now on.",
	"word":     "Word added.", "word-deleted": "Word deleted.",
	"ban": "Ban added.", "ban-deleted": "Ban lifted.",
}

// policyPage shows the settings, the word lists and the bans; read-only for moderators.
func (h *handler) policyPage(c *gin.Context) {
	data, err := h.policyData(c)
	if err != nil {
		h.failPage(c, err, "", "")
		return
	}
	data.Notice = policyNotices[c.Query("done")]
	h.render(c, http.StatusOK, "policy", data)
}

func (h *handler) policyData(c *gin.Context) (web.Policy, error) {
	bans, err := h.Moderation.Bans(c.Request.Context())
	if err != nil {
		return web.Policy{}, err
	}
	data := web.Policy{Page: h.page(c, "policy", "Policy"), Settings: h.Moderation.Settings(), Bans: bans,
		Ban: web.BanForm{Kind: string(models.BanEmail)}}
	for _, w := range h.Moderation.Words() {
		if w.Kind == models.WordBlocked {
			data.Blocked = append(data.Blocked, w)
		} else {
			data.Held = append(data.Held, w)
		}
	}
	return data, nil
}

// policyDone goes back to the policy page after a change, saying what changed.
func policyDone(c *gin.Context, done string) {
	c.Redirect(http.StatusSeeOther, "/console/policy?done="+done)
}

// policyFailed shows the policy page again with what to fix; keep puts the
// submitted values back into the form.
func (h *handler) policyFailed(c *gin.Context, err error, conflict string, keep func(*web.Policy)) {
	status, msgs, ok := h.formErrors(c, err, conflict)
	data, derr := h.policyData(c)
	if !ok || derr != nil {
		h.failPage(c, err, conflict, "/console/policy")
		return
	}
	data.Errors = msgs
	if keep != nil {
		keep(&data)
	}
	h.render(c, status, "policy", data)
}

// consoleSettings saves the settings form. Fields left out keep their value.
func (h *handler) consoleSettings(c *gin.Context) {
	st := h.Moderation.Settings()
	v := &models.ValidationError{}
	for _, p := range []struct {
		name string
		dst  *float64
	}{{"ham_threshold", &st.HamThreshold}, {"spam_threshold", &st.SpamThreshold}, {"discard_above", &st.DiscardAbove}} {
		if s := strings.TrimSpace(c.PostForm(p.name)); s != "" {
			x, err := strconv.ParseFloat(s, 64)
			if err != nil {
				v.Add(p.name, "not_a_number")
				continue
			}
			*p.dst = x
		}
	}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"max_links", &st.MaxLinks}, {"trust_after", &st.TrustAfter}} {
		if s := strings.TrimSpace(c.PostForm(p.name)); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				v.Add(p.name, "not_a_whole_number")
				continue
			}
			*p.dst = n
		}
	}
	st.HoldFirst, st.RefuseBanned = c.PostForm("hold_first") != "", c.PostForm("refuse_banned") != ""
	keep := func(p *web.Policy) { p.Settings = st }
	if err := v.Err(); err != nil {
		h.policyFailed(c, err, "", keep)
		return
	}
	if _, err := h.Moderation.UpdateSettings(c.Request.Context(), principal(c), st); err != nil {
		h.policyFailed(c, err, "Someone changed the settings meanwhile; check them and save again.", keep)
		return
	}
	policyDone(c, "settings")
}

func (h *handler) consoleAddWord(c *gin.Context) {
	kind, word := models.WordKind(c.PostForm("kind")), c.PostForm("word")
	if _, err := h.Moderation.AddWord(c.Request.Context(), principal(c), kind, word); err != nil {
		h.policyFailed(c, err, "That word is already on the list.", nil)
		return
	}
	policyDone(c, "word")
}

func (h *handler) consoleDeleteWord(c *gin.Context) {
	id, err := idParam(c)
	if err == nil {
		err = h.Moderation.DeleteWord(c.Request.Context(), principal(c), id)
	}
	if err != nil {
		h.policyFailed(c, err, "That word is already gone.", nil)
		return
	}
	policyDone(c, "word-deleted")
}

// consoleAddBan adds a ban; its expiry is a duration from now (a select of
// common ones), or none.
func (h *handler) consoleAddBan(c *gin.Context) {
	form := web.BanForm{Kind: c.PostForm("kind"), Value: c.PostForm("value"), Reason: c.PostForm("reason"), Expires: c.PostForm("expires")}
	keep := func(p *web.Policy) { p.Ban = form }
	var expires *time.Time
	if form.Expires != "" {
		d, err := time.ParseDuration(form.Expires)
		if err != nil || d <= 0 {
			v := &models.ValidationError{}
			v.Add("expires", "invalid")
			h.policyFailed(c, v, "", keep)
			return
		}
		t := time.Now().Add(d).UTC()
		expires = &t
	}
	if _, err := h.Moderation.AddBan(c.Request.Context(), principal(c), models.BanKind(form.Kind), form.Value, form.Reason, expires); err != nil {
		h.policyFailed(c, err, "That ban already exists.", keep)
		return
	}
	policyDone(c, "ban")
}

func (h *handler) consoleDeleteBan(c *gin.Context) {
	id, err := idParam(c)
	if err == nil {
		err = h.Moderation.DeleteBan(c.Request.Context(), principal(c), id)
	}
	if err != nil {
		h.policyFailed(c, err, "That ban is already lifted.", nil)
		return
	}
	policyDone(c, "ban-deleted")
}
