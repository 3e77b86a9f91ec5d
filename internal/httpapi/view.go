package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/commentd/commentd/internal/render"
	"github.com/commentd/commentd/models"
)

// publicComment is what anyone may see of an approved comment: never email, IP or user agent.
type publicComment struct {
	ID        int64     `json:"id"`
	Post      string    `json:"post"`
	Parent    *int64    `json:"parent"`
	Author    string    `json:"author"`
	Avatar    string    `json:"avatar"`        // SHA-256 of the trimmed, lowercased email (Gravatar's hash)
	URL       string    `json:"url,omitempty"` // http or https only
	Text      string    `json:"text"`
	HTML      string    `json:"html"`
	CreatedAt time.Time `json:"created_at"`
}

// postedComment answers a POST: the public view plus the verdict.
type postedComment struct {
	publicComment
	Status models.Status `json:"status"`
}

// moderatedComment is the moderators' view: every stored field plus the rendered HTML.
type moderatedComment struct {
	models.Comment
	HTML string `json:"html"`
}

// toPublic is the public view of c; its URL only when it is a web address.
func toPublic(c models.Comment) publicComment {
	p := publicComment{
		ID: c.ID, Post: c.Post, Author: c.Author, Avatar: avatarHash(c.Email), URL: models.WebURL(c.URL),
		Text: c.Text, HTML: render.CommentHTML(c.Text), CreatedAt: c.CreatedAt,
	}
	if c.Parent != 0 {
		parent := c.Parent
		p.Parent = &parent
	}
	return p
}

func toModerated(c models.Comment) moderatedComment {
	if c.Reasons.Rules == nil {
		c.Reasons.Rules = []string{}
	}
	if c.Reasons.Tokens == nil {
		c.Reasons.Tokens = []models.TokenWeight{}
	}
	return moderatedComment{Comment: c, HTML: render.CommentHTML(c.Text)}
}

func avatarHash(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:])
}
