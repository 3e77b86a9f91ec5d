package web

import "github.com/commentd/commentd/models"

// APIKeys is the admins' page of the sites' keys to the Akismet-compatible API.
type APIKeys struct {
	Page
	Keys     []models.APIKey
	Issued   *IssuedKey // a key just created, shown this once
	Site     string     // the create form as typed
	Endpoint string     // where Akismet clients send their calls, e.g. https://comments.example.org/1.1/
}

// IssuedKey is a new site key in clear, shown once.
type IssuedKey struct{ Site, Key string }
