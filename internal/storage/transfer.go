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
	Events     []models.TrainingEvent
	Audit      []models.AuditEntry
	Snapshot   *models.ModelSnapshot // the newest only
}

// Len is the number of rows in b.
func (b Batch) Len() int {
	n := len(b.Moderators) + len(b.Tokens) + len(b.Sessions) + len(b.Words) + len(b.Bans) +
		len(b.Comments) + len(b.Events) + len(b.Audit)
	if b.Settings != nil {
		n++
	}
	if b.Snapshot != nil {
		n++
	}
	return n
}

// Counts is how many rows of each kind a store holds.
type Counts struct {
	Moderators, Tokens, Sessions, Settings, Words, Bans int64
	Comments, Events, Audit, Snapshots                  int64
}
