package models

import "time"

// SpamCheck is a comment another site asked about through the Akismet-compatible
// API. The comment itself is not kept: only what the filter saw, so that a later
// report on it (submit-spam, submit-ham) teaches the filter exactly those tokens,
// once.
type SpamCheck struct {
	ID          int64     `json:"id"`
	GUID        string    `json:"guid"`                 // the X-akismet-guid answered, unique
	KeyID       int64     `json:"key_id"`               // the site's API key
	ContentHash []byte    `json:"content_hash"`         // SHA-256 of author, email, url and text, to find the check of a report without a guid
	Status      Status    `json:"status"`               // the verdict: approved, pending or spam
	Score       float64   `json:"score"`                // the filter's spam probability
	Tokens      []string  `json:"tokens"`               // the features the filter scored
	TrainedAs   Class     `json:"trained_as,omitempty"` // what reports have taught so far
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Lesson is a report on a spam check, applied atomically: while the check is
// trained as From it becomes To, and Events (comment id 0) are appended.
type Lesson struct {
	CheckID int64
	From    Class
	To      Class
	Events  []TrainingEvent
	At      time.Time
}
