package models

import "time"

// TrainingEvent is one entry in the append-only log the filter learns from:
// Delta +1 teaches Tokens as Class, -1 takes that back. The model of every
// instance is the starter model plus these events replayed in ID order.
type TrainingEvent struct {
	ID        int64     `json:"id"`
	CommentID int64     `json:"comment_id"` // 0 when not from a comment (a corpus, an import)
	Class     Class     `json:"class"`
	Delta     int       `json:"delta"`
	Tokens    []string  `json:"tokens"`
	CreatedAt time.Time `json:"created_at"`
}

// Decision is a moderator's change of a comment's status, applied atomically with
// the training events it causes. It applies only while the comment still has
// status From and TrainedFrom; otherwise the store answers ErrConflict.
type Decision struct {
	CommentID   int64
	From        Status
	To          Status
	TrainedFrom Class
	TrainedTo   Class
	Events      []TrainingEvent // appended in order; IDs and times are set by the store
	At          time.Time
	Audit       *AuditEntry // recorded in the same transaction when set
}

// ModelSnapshot is a serialised model and the last training event it includes.
type ModelSnapshot struct {
	ID             int64
	LastEventID    int64
	StarterVersion string // which starter corpus the model was built from
	Data           []byte
	CreatedAt      time.Time
}
