package storage

import (
	"encoding/json"
	"math"
	"time"

	"github.com/commentd/commentd/models"
)

// ValidClass reports whether c is a class a comment can be trained as.
func ValidClass(c models.Class) bool {
	return c == models.ClassNone || c == models.ClassHam || c == models.ClassSpam
}

// CommentRow is a comment checked by CheckComment, in its stored form.
type CommentRow struct {
	Reasons          string // JSON models.Reasons
	Created, Updated int64  // unix nanoseconds
	EmailNorm        string
	IPKey            []byte
}

// CheckComment checks c for CreateComment: a zero CreatedAt becomes now and
// a zero UpdatedAt becomes CreatedAt. Error: *models.ValidationError for an
// unknown status or class, a non-finite score, a negative parent or a time
// outside 1678..2262.
func CheckComment(c *models.Comment) (CommentRow, error) {
	createdAt, updatedAt := c.CreatedAt, c.UpdatedAt
	if createdAt.IsZero() {
		createdAt = time.Now()
	}
	if updatedAt.IsZero() {
		updatedAt = createdAt
	}
	var v models.ValidationError
	if !c.Status.Valid() {
		v.Add("status", "invalid")
	}
	if !ValidClass(c.TrainedAs) {
		v.Add("trained_as", "invalid")
	}
	if math.IsNaN(c.Score) || math.IsInf(c.Score, 0) {
		v.Add("score", "invalid")
	}
	if c.Parent < 0 {
		v.Add("parent", "invalid")
	}
	created, ok := ToNanos(createdAt)
	if !ok {
		v.Add("created_at", "out_of_range")
	}
	updated, ok := ToNanos(updatedAt)
	if !ok {
		v.Add("updated_at", "out_of_range")
	}
	reasons, err := json.Marshal(c.Reasons)
	if err != nil {
		v.Add("reasons", "invalid")
	}
	return CommentRow{Reasons: string(reasons), Created: created, Updated: updated,
		EmailNorm: NormEmail(c.Email), IPKey: IPKey(c.IP)}, v.Err()
}

// CheckEvents adds to v what is wrong with evs.
func CheckEvents(v *models.ValidationError, evs []models.TrainingEvent) {
	for _, e := range evs {
		if e.Class != models.ClassHam && e.Class != models.ClassSpam {
			v.Add("events", "invalid_class")
			return
		}
		if e.Delta != 1 && e.Delta != -1 {
			v.Add("events", "invalid_delta")
			return
		}
		if e.CommentID < 0 {
			v.Add("events", "invalid_comment")
			return
		}
	}
}

// AuditOf checks e, when not nil, adding what is wrong to v with field names
// starting with prefix, and returns the copy to record, its zero At set to at.
func AuditOf(v *models.ValidationError, prefix string, e *models.AuditEntry, at time.Time) *models.AuditEntry {
	if e == nil {
		return nil
	}
	rec := *e
	if rec.At.IsZero() {
		rec.At = at
	}
	if _, ok := ToNanos(rec.At); !ok {
		v.Add(prefix+"at", "out_of_range")
	}
	if rec.Action == "" {
		v.Add(prefix+"action", "required")
	}
	if rec.CommentID < 0 {
		v.Add(prefix+"comment_id", "invalid")
	}
	if rec.FromStatus != "" && !rec.FromStatus.Valid() {
		v.Add(prefix+"from_status", "invalid")
	}
	if rec.ToStatus != "" && !rec.ToStatus.Valid() {
		v.Add(prefix+"to_status", "invalid")
	}
	if rec.Score != nil && (math.IsNaN(*rec.Score) || math.IsInf(*rec.Score, 0)) {
		v.Add(prefix+"score", "invalid")
	}
	return &rec
}

// FillAudit sets the fields of a comment's audit entry that its caller left
// zero from what the store knows: the comment, its statuses and its score.
func FillAudit(rec *models.AuditEntry, c models.Comment, from, to models.Status) {
	if rec.CommentID == 0 {
		rec.CommentID = c.ID
	}
	if rec.FromStatus == "" {
		rec.FromStatus = from
	}
	if rec.ToStatus == "" {
		rec.ToStatus = to
	}
	if rec.Score == nil {
		score := c.Score
		rec.Score = &score
	}
}

// Publish copies the recorded entry back to the caller's, once committed.
func Publish(dst, rec *models.AuditEntry) {
	if dst != nil && rec != nil {
		*dst = *rec
	}
}

// Decision is a models.Decision checked by CheckDecision: its time, its
// events with their CommentID set, and the audit entry to record, if any.
type Decision struct {
	models.Decision
	At     int64
	Events []models.TrainingEvent
	Audit  *models.AuditEntry
}

// CheckDecision validates d; a zero d.At becomes now.
func CheckDecision(d models.Decision, now time.Time) (Decision, error) {
	if d.At.IsZero() {
		d.At = now
	}
	var v models.ValidationError
	if !d.From.Valid() {
		v.Add("from", "invalid")
	}
	if !d.To.Valid() {
		v.Add("to", "invalid")
	}
	if !ValidClass(d.TrainedFrom) {
		v.Add("trained_from", "invalid")
	}
	if !ValidClass(d.TrainedTo) {
		v.Add("trained_to", "invalid")
	}
	at, ok := ToNanos(d.At)
	if !ok {
		v.Add("at", "out_of_range")
	}
	evs := make([]models.TrainingEvent, len(d.Events))
	for i, e := range d.Events {
		switch e.CommentID {
		case 0:
			e.CommentID = d.CommentID
		case d.CommentID:
		default:
			v.Add("events", "comment_mismatch")
		}
		evs[i] = e
	}
	CheckEvents(&v, evs)
	audit := AuditOf(&v, "audit.", d.Audit, FromNanos(at))
	if audit != nil && audit.CommentID != 0 && audit.CommentID != d.CommentID {
		v.Add("audit.comment_id", "comment_mismatch")
	}
	return Decision{Decision: d, At: at, Events: evs, Audit: audit}, v.Err()
}

// CheckDeletion checks the audit entry of a deletion of id, when not nil,
// and returns the entry to record, its zero At set to now. Error:
// *models.ValidationError for a bad entry or one of another comment.
func CheckDeletion(id int64, audit *models.AuditEntry, now time.Time) (*models.AuditEntry, error) {
	var v models.ValidationError
	rec := AuditOf(&v, "audit.", audit, now)
	if rec != nil && rec.CommentID != 0 && rec.CommentID != id {
		v.Add("audit.comment_id", "comment_mismatch")
	}
	return rec, v.Err()
}

// CheckDeletions checks the audit entries of a deletion of ids: nil, or one
// entry per id. It returns the entries to record, nil ones when audits is nil.
func CheckDeletions(ids []int64, audits []models.AuditEntry, now time.Time) ([]*models.AuditEntry, error) {
	var v models.ValidationError
	if audits != nil && len(audits) != len(ids) {
		v.Add("audits", "length_mismatch")
		return nil, v.Err()
	}
	recs := make([]*models.AuditEntry, len(ids))
	for i := range audits {
		recs[i] = AuditOf(&v, "audits.", &audits[i], now)
		if recs[i].CommentID != 0 && recs[i].CommentID != ids[i] {
			v.Add("audits.comment_id", "comment_mismatch")
		}
	}
	return recs, v.Err()
}

// CheckSettings adds to v what is wrong with set: a non-finite threshold.
func CheckSettings(v *models.ValidationError, set models.Settings) {
	for _, f := range []struct {
		name  string
		value float64
	}{{"ham_threshold", set.HamThreshold}, {"spam_threshold", set.SpamThreshold}, {"discard_above", set.DiscardAbove}} {
		if math.IsNaN(f.value) || math.IsInf(f.value, 0) {
			v.Add(f.name, "invalid")
		}
	}
}

// CheckWord adds to v what is wrong with w: an unknown kind or an empty word.
func CheckWord(v *models.ValidationError, w *models.Word) {
	if w.Kind != models.WordBlocked && w.Kind != models.WordHeld {
		v.Add("kind", "invalid")
	}
	if w.Word == "" {
		v.Add("word", "required")
	}
}

// CheckBan adds to v what is wrong with b and returns its expiry in unix
// nanoseconds, nil for never: an unknown kind, an empty value, an IP ban that
// is neither an address nor a CIDR range, or an expiry out of range.
func CheckBan(v *models.ValidationError, b *models.Ban) *int64 {
	switch {
	case b.Kind != models.BanEmail && b.Kind != models.BanIP && b.Kind != models.BanAuthor:
		v.Add("kind", "invalid")
	case b.Value == "":
		v.Add("value", "required")
	case b.Kind == models.BanIP:
		if _, _, ok := IPRange(b.Value); !ok {
			v.Add("value", "invalid_ip")
		}
	}
	if b.ExpiresAt == nil {
		return nil
	}
	n, ok := ToNanos(*b.ExpiresAt)
	if !ok {
		v.Add("expires_at", "out_of_range")
	}
	return &n
}

// CheckModerator adds to v what is wrong with m: an empty name or an unknown role.
func CheckModerator(v *models.ValidationError, m *models.Moderator) {
	if m.Name == "" {
		v.Add("name", "required")
	}
	if !m.Role.Valid() {
		v.Add("role", "invalid")
	}
}

// SessionTimes checks sess for CreateSession and returns its times in unix
// nanoseconds: a zero CreatedAt becomes now, a zero LastSeenAt CreatedAt.
func SessionTimes(sess models.Session, now time.Time) (created, seen int64, err error) {
	if sess.CreatedAt.IsZero() {
		sess.CreatedAt = now
	}
	if sess.LastSeenAt.IsZero() {
		sess.LastSeenAt = sess.CreatedAt
	}
	var v models.ValidationError
	if len(sess.ID) == 0 {
		v.Add("id", "required")
	}
	created, ok := ToNanos(sess.CreatedAt)
	if !ok {
		v.Add("created_at", "out_of_range")
	}
	seen, ok = ToNanos(sess.LastSeenAt)
	if !ok {
		v.Add("last_seen_at", "out_of_range")
	}
	return created, seen, v.Err()
}

// CheckSnapshot checks snap for SaveSnapshot and returns its creation time in
// unix nanoseconds, a zero CreatedAt being now, and its data, never nil.
// Error: *models.ValidationError for a time outside 1678..2262 or a negative
// LastEventID.
func CheckSnapshot(snap models.ModelSnapshot, now time.Time) (created int64, data []byte, err error) {
	if snap.CreatedAt.IsZero() {
		snap.CreatedAt = now
	}
	created, ok := ToNanos(snap.CreatedAt)
	if !ok {
		return 0, nil, Invalid("created_at", "out_of_range")
	}
	if snap.LastEventID < 0 {
		return 0, nil, Invalid("last_event_id", "invalid")
	}
	if snap.Data == nil {
		return created, []byte{}, nil
	}
	return created, snap.Data, nil
}
