package models

// Event tells live views (the console's queue, other instances) that a comment changed.
type Event struct {
	Type      string `json:"type"` // comment.created, comment.decided, comment.deleted, policy.changed
	CommentID int64  `json:"comment_id,omitempty"`
	Post      string `json:"post,omitempty"`   // the comment's post, so that caches of its list can be dropped
	Status    Status `json:"status,omitempty"` // the status now
	From      Status `json:"from,omitempty"`   // the status before, on decisions
	Actor     string `json:"actor,omitempty"`
}
