package storage

import (
	"strings"

	"github.com/commentd/commentd/models"
)

// AuditOrderBy is the order of ListAudit, newest first; AuditWhere's cursor
// condition continues in it.
const AuditOrderBy = "at DESC, id DESC"

// AuditWhere returns the conditions, in d, of the audit entries f selects from
// its cursor on. f.Action matches exactly, or as a prefix when it ends in ".".
// Error: *models.ValidationError (field "cursor") for a malformed cursor.
func AuditWhere(d Dialect, f models.AuditFilter) (*Where, error) {
	w := NewWhere(d)
	if f.Actor != "" {
		w.Add("actor = ?", f.Actor)
	}
	switch {
	case strings.HasSuffix(f.Action, "."):
		// Every action starting with the prefix: '/' is the byte after '.'.
		w.Add("action >= ? AND action < ?", f.Action, strings.TrimSuffix(f.Action, ".")+"/")
	case f.Action != "":
		w.Add("action = ?", f.Action)
	}
	if f.CommentID != 0 {
		w.Add("comment_id = ?", f.CommentID)
	}
	if !f.Since.IsZero() {
		w.Add("at >= ?", ClampNanos(f.Since))
	}
	if !f.Until.IsZero() {
		w.Add("at < ?", ClampNanos(f.Until))
	}
	if f.Cursor != "" {
		k, ok := DecodeKeyset(CursorAudit, f.Cursor)
		if !ok {
			return nil, Invalid("cursor", "invalid")
		}
		w.Add("(at, id) < (?, ?)", int64(k.Key), k.ID)
	}
	return w, nil
}

// AuditNext is the cursor of the page after the one that ends with last.
func AuditNext(last models.AuditEntry) string {
	return EncodeKeyset(CursorAudit, Keyset{Key: uint64(last.At.UnixNano()), ID: last.ID})
}
