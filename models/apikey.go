package models

import "time"

// APIKey is a site's key to the Akismet-compatible API. The key itself is shown
// once when it is created; only its hash is stored.
type APIKey struct {
	ID        int64      `json:"id"`
	Site      string     `json:"site"` // the site's front page, e.g. https://blog.example.org
	Hash      []byte     `json:"-"`    // SHA-256 of the key
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}
