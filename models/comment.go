// Package models holds commentd's public domain types and sentinel errors.
// It imports only the standard library.
package models

import (
	"time"
)

// Status is where a comment stands in moderation.
type Status string

// The statuses a comment can have.
const (
	StatusApproved Status = "approved" // published
	StatusPending  Status = "pending"  // in the review queue
	StatusSpam     Status = "spam"     // kept, hidden, reviewable
	StatusTrash    Status = "trash"    // hidden, not spam, recoverable
)

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusApproved, StatusPending, StatusSpam, StatusTrash:
		return true
	}
	return false
}

// Class is what the filter learns a comment as.
type Class string

// The classes the filter knows; ClassNone means "not trained".
const (
	ClassNone Class = ""
	ClassHam  Class = "ham"
	ClassSpam Class = "spam"
)

// TokenWeight is one token's pull on a verdict: positive toward spam, negative toward ham
// (the log-likelihood ratio log P(token|spam) - log P(token|ham)).
type TokenWeight struct {
	Token  string  `json:"token"`
	Weight float64 `json:"weight"`
}

// Reasons says why a comment got its status: the rules it hit and the tokens
// that weighed most.
type Reasons struct {
	Rules  []string      `json:"rules"`
	Tokens []TokenWeight `json:"tokens"`
}

// Verdict is the outcome of classifying a comment.
type Verdict struct {
	Status  Status  `json:"status"`
	Score   float64 `json:"score"` // spam probability, 0..1
	Reasons Reasons `json:"reasons"`
}

// Comment is a stored comment with everything moderators see. The public view
// (without email, IP and user agent) is built by the HTTP layer.
type Comment struct {
	ID        int64     `json:"id"`
	Post      string    `json:"post"`
	Parent    int64     `json:"parent,omitempty"` // 0: top level
	Author    string    `json:"author"`
	Email     string    `json:"email"`
	URL       string    `json:"url,omitempty"`
	Text      string    `json:"text"`
	IP        string    `json:"ip"`
	UserAgent string    `json:"user_agent"`
	Status    Status    `json:"status"`
	Score     float64   `json:"score"`
	Reasons   Reasons   `json:"reasons"`
	TrainedAs Class     `json:"trained_as,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// NewComment is what a visitor submits, before the server adds id, time,
// client data and verdict.
type NewComment struct {
	Post      string
	Parent    int64
	Author    string
	Email     string
	URL       string
	Text      string
	Honeypot  string // the hidden field that must stay empty
	IP        string // set by the server
	UserAgent string // set by the server
}

// Page is one page of a keyset-paginated listing. NextCursor is empty on the last page.
type Page struct {
	Comments   []Comment
	NextCursor string
}
