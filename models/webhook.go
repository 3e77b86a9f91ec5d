package models

import "time"

// The webhook event types. A new comment is comment.created followed by the
// event of its status; a decision is the event of the new status.
const (
	EventCreated  = "comment.created"
	EventApproved = "comment.approved"
	EventQueued   = "comment.queued" // entered the review queue (pending)
	EventSpam     = "comment.spam"
	EventTrashed  = "comment.trashed"
	EventDeleted  = "comment.deleted"
)

// StatusEvent is the webhook event of a comment entering status s.
func StatusEvent(s Status) string {
	switch s {
	case StatusApproved:
		return EventApproved
	case StatusPending:
		return EventQueued
	case StatusSpam:
		return EventSpam
	}
	return EventTrashed
}

// WebhookEvent is a change of a comment in the outbox: written in the
// transaction of the change, it waits there until every webhook endpoint has it.
type WebhookEvent struct {
	ID        int64     `json:"id"`                // receivers deduplicate by it
	Type      string    `json:"type"`              // one of the Event* constants
	CommentID int64     `json:"comment_id"`        //
	From      Status    `json:"from,omitempty"`    // the status before a decision or deletion
	Actor     string    `json:"actor,omitempty"`   // the moderator of a decision or deletion, when known
	Comment   *Comment  `json:"comment,omitempty"` // the comment after the change; nil on comment.deleted
	CreatedAt time.Time `json:"created_at"`        // when the change happened

	Attempts      int        `json:"attempts"`             // deliveries tried so far
	NextAttemptAt time.Time  `json:"next_attempt_at"`      // not claimed before
	Delivered     []string   `json:"delivered"`            // the endpoints that have it
	LastError     string     `json:"last_error,omitempty"` // why the last attempt failed
	Lease         string     `json:"-"`                    // the claim that holds the event, while one does; an instance's, never exported
	DoneAt        *time.Time `json:"done_at,omitempty"`    // delivered everywhere, or given up
	Failed        bool       `json:"failed,omitempty"`     // given up
}
