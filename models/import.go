package models

// CommentSource ties a stored comment to the comment it was imported from, by
// a key that stays the same each time the same export is imported, such as
// "wordpress:blog.example.org:42".
type CommentSource struct {
	Key       string `json:"key"`
	CommentID int64  `json:"comment_id"`
	ParentKey string `json:"parent_key,omitempty"` // the key of the comment it replies to
}

// ImportedComment is one comment read from another system's export.
type ImportedComment struct {
	Source  CommentSource // the store sets CommentID
	Comment Comment       // the store sets ID and Parent; TrainedAs says what it teaches the filter
	Tokens  []string      // what it teaches, when TrainedAs is ham or spam
}

// ImportResult counts what an import of comments stored.
type ImportResult struct {
	Imported int `json:"imported"` // comments stored
	Skipped  int `json:"skipped"`  // comments whose key an earlier import stored already
	Ham      int `json:"ham"`      // training events written, by class
	Spam     int `json:"spam"`
	Replies  int `json:"replies"` // stored comments threaded under their parent
	Orphans  int `json:"orphans"` // stored replies whose parent is not there; they stand at the top level
}
