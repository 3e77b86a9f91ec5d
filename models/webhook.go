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
	ID        int64     // receivers deduplicate by it
	Type      string    // one of the Event* constants
	CommentID int64     //
	From      Status    // the status before a decision or deletion
	Actor     string    // the moderator of a decision or deletion, when known
	Comment   *Comment  // the comment after the change; nil on comment.deleted
	CreatedAt time.Time // when the change happened

	Attempts      int        // deliveries tried so far
	NextAttemptAt time.Time  // not claimed before
	Delivered     []string   // the endpoints that have it
	LastError     string     // why the last attempt failed
	Lease         string     // the claim that holds the event, while one does
	DoneAt        *time.Time // delivered everywhere, or given up
	Failed        bool       // given up
}
