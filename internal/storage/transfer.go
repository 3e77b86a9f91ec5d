package storage

import "github.com/commentd/commentd/models"

// ExportBatch is how many rows of one kind Export hands over at a time.
const ExportBatch = 1000

// Batch is a slice of a store's data as Export hands it over and Import takes
// it: rows with the IDs and times they were stored with. Import stores the
// moderators before their tokens and sessions; the other kinds stand alone.
type Batch struct {
	Moderators []models.Moderator
	Tokens     []models.APIToken
	Sessions   []models.Session
	Settings   *models.Settings
	Words      []models.Word
	Bans       []models.Ban
	Comments   []models.Comment
	Sources    []models.CommentSource // where imported comments came from
	Events     []models.TrainingEvent
	Audit      []models.AuditEntry
	Snapshot   *models.ModelSnapshot // the newest only
	// LastIDs is the highest id each table has given, by table name, deleted
	// rows included, so that an import does not give a deleted row's id again:
	// training events and audit entries still name deleted comments.
	LastIDs map[string]int64
}

// Tables are the tables whose ids LastIDs carries; both engines name them alike.
var Tables = []string{"moderators", "api_tokens", "words", "bans", "comments", "training_events", "audit_log", "model_snapshots"}

// Len is the number of rows in b, LastIDs counting as one.
func (b Batch) Len() int {
	n := len(b.Moderators) + len(b.Tokens) + len(b.Sessions) + len(b.Words) + len(b.Bans) +
		len(b.Comments) + len(b.Sources) + len(b.Events) + len(b.Audit)
	if b.Settings != nil {
		n++
	}
	if b.Snapshot != nil {
		n++
	}
	if b.LastIDs != nil {
		n++
	}
	return n
}

// Counts is how many rows of each kind a store holds.
type Counts struct {
	Moderators, Tokens, Sessions, Settings, Words, Bans int64
	Comments, Events, Audit, Snapshots                  int64
	Sources                                             int64 // comment sources
}
