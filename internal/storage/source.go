package storage

import (
	"fmt"

	"github.com/commentd/commentd/models"
)

// CheckImported checks an imported comment for ImportComments: a source key
// is required, the comment is checked as CheckComment does, and a parent key
// naming the comment itself is dropped.
func CheckImported(it *models.ImportedComment) (CommentRow, error) {
	if it.Source.Key == "" {
		return CommentRow{}, Invalid("source.key", "required")
	}
	if it.Source.ParentKey == it.Source.Key {
		it.Source.ParentKey = ""
	}
	it.Comment.ID, it.Comment.Parent = 0, 0
	return CheckComment(&it.Comment)
}

// ImportDetail is the detail of an import's audit entry: the caller's, then
// what the import stored.
func ImportDetail(detail string, r models.ImportResult) string {
	s := fmt.Sprintf("imported %d, skipped %d, trained %d ham and %d spam, %d replies threaded, %d orphans",
		r.Imported, r.Skipped, r.Ham, r.Spam, r.Replies, r.Orphans)
	if detail == "" {
		return s
	}
	return detail + ": " + s
}

// CountImported adds a comment ImportComments stored to r.
func CountImported(r *models.ImportResult, c models.Comment) {
	r.Imported++
	switch c.TrainedAs {
	case models.ClassHam:
		r.Ham++
	case models.ClassSpam:
		r.Spam++
	}
	if c.Parent != 0 {
		r.Replies++
	}
}
