package dump

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"slices"
	"time"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// maxLine caps a line, so that a file without line breaks cannot take all memory.
const maxLine = 64 << 20

// Reader reads a dump a line at a time.
type Reader struct {
	Header Header
	r      *bufio.Reader
	line   int
	counts map[string]int64 // rows read, by record type
}

// NewReader reads the header of the dump r. Error: an *Error when r does not
// start with the header of a dump this version reads.
func NewReader(r io.Reader) (*Reader, error) {
	d := &Reader{r: bufio.NewReaderSize(r, 64<<10), counts: map[string]int64{}}
	line, err := d.next()
	if errors.Is(err, io.EOF) {
		return nil, d.fail("empty file: not a commentd export")
	}
	if err != nil {
		return nil, err
	}
	if err := strict(line, &d.Header); err != nil || d.Header.Type != "header" || d.Header.Format != Format {
		return nil, d.fail("not a commentd export: the first line is not its header")
	}
	if d.Header.Version < MinVersion || d.Header.Version > Version {
		return nil, d.fail("export version %d; this commentd reads versions %d to %d", d.Header.Version, MinVersion, Version)
	}
	return d, nil
}

// Batches yields the rows, checked, as storage batches of up to
// storage.ExportBatch rows of one kind, and then, when a line is malformed or
// holds a bad row, or the end record is missing or counts other rows than
// there were, an *Error naming the line.
func (d *Reader) Batches() iter.Seq2[storage.Batch, error] {
	return func(yield func(storage.Batch, error) bool) {
		var (
			b    storage.Batch
			kind string // the record type of b's rows
		)
		flush := func() bool {
			if b.Len() == 0 {
				return true
			}
			ok := yield(b, nil)
			b, kind = storage.Batch{}, ""
			return ok
		}
		for {
			line, err := d.next()
			if errors.Is(err, io.EOF) {
				yield(storage.Batch{}, d.fail("the file ends without its end record: it was cut off"))
				return
			}
			if err != nil {
				yield(storage.Batch{}, err)
				return
			}
			var rec record
			if err := strict(line, &rec); err != nil {
				yield(storage.Batch{}, d.fail("not a record: %v", err))
				return
			}
			if rec.Type == typeEnd {
				if err := d.end(rec.Counts); err != nil {
					yield(storage.Batch{}, err)
				} else {
					flush()
				}
				return
			}
			if kind != "" && kind != rec.Type || b.Len() >= storage.ExportBatch {
				if !flush() {
					return
				}
			}
			if err := d.add(&b, rec); err != nil {
				yield(storage.Batch{}, err)
				return
			}
			kind = rec.Type
			d.counts[rec.Type]++
		}
	}
}

// Counts is how many rows of each record type were read.
func (d *Reader) Counts() map[string]int64 { return d.counts }

// end checks the end record's counts and that nothing follows it.
func (d *Reader) end(counts map[string]int64) error {
	maps.DeleteFunc(counts, func(_ string, n int64) bool { return n == 0 })
	if !maps.Equal(counts, d.counts) {
		return d.fail("the end record counts %v rows, the file holds %v", sorted(counts), sorted(d.counts))
	}
	for {
		line, err := d.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(line)) > 0 {
			return d.fail("a line after the end record")
		}
	}
}

// add checks rec's row and adds it to b.
func (d *Reader) add(b *storage.Batch, rec record) error {
	var (
		v   models.ValidationError
		err error // of decoding a row by addRow
	)
	switch rec.Type {
	case typeModerator:
		var m moderatorRow
		if err := d.row(rec, &m); err != nil {
			return err
		}
		mod := models.Moderator{ID: m.ID, Name: m.Name, Role: m.Role, PasswordHash: m.PasswordHash, CreatedAt: m.CreatedAt}
		storage.CheckModerator(&v, &mod)
		checkID(&v, m.ID)
		checkTime(&v, "created_at", m.CreatedAt)
		b.Moderators = append(b.Moderators, mod)
	case typeToken:
		var t tokenRow
		if err := d.row(rec, &t); err != nil {
			return err
		}
		checkID(&v, t.ID)
		if t.ModeratorID <= 0 {
			v.Add("moderator_id", "invalid")
		}
		if len(t.Hash) == 0 {
			v.Add("hash", "required")
		}
		checkTime(&v, "created_at", t.CreatedAt)
		b.Tokens = append(b.Tokens, models.APIToken{ID: t.ID, ModeratorID: t.ModeratorID, Name: t.Name, Hash: t.Hash,
			CreatedAt: t.CreatedAt, RevokedAt: t.RevokedAt})
	case typeSettings:
		var set models.Settings
		if err := d.row(rec, &set); err != nil {
			return err
		}
		storage.CheckSettings(&v, set)
		b.Settings = &set
	case typeLastIDs:
		ids := map[string]int64{}
		if err := d.row(rec, &ids); err != nil {
			return err
		}
		for table, id := range ids {
			if !slices.Contains(storage.Tables, table) || id < 0 {
				v.Add(table, "invalid")
			}
		}
		b.LastIDs = ids
	case typeWord:
		var w models.Word
		if err := d.row(rec, &w); err != nil {
			return err
		}
		storage.CheckWord(&v, &w)
		checkID(&v, w.ID)
		checkTime(&v, "created_at", w.CreatedAt)
		b.Words = append(b.Words, w)
	case typeBan:
		var ban models.Ban
		if err := d.row(rec, &ban); err != nil {
			return err
		}
		storage.CheckBan(&v, &ban)
		checkID(&v, ban.ID)
		checkTime(&v, "created_at", ban.CreatedAt)
		b.Bans = append(b.Bans, ban)
	case typeComment:
		var c models.Comment
		if err := d.row(rec, &c); err != nil {
			return err
		}
		if _, err := storage.CheckComment(&c); err != nil {
			return d.fail("comment %d: %v", c.ID, err)
		}
		checkID(&v, c.ID)
		checkTime(&v, "created_at", c.CreatedAt)
		b.Comments = append(b.Comments, c)
	case typeSource:
		var src models.CommentSource
		if err := d.row(rec, &src); err != nil {
			return err
		}
		if src.Key == "" {
			v.Add("key", "required")
		}
		checkID(&v, src.CommentID)
		b.Sources = append(b.Sources, src)
	case typeEvent:
		var e models.TrainingEvent
		if err := d.row(rec, &e); err != nil {
			return err
		}
		checkID(&v, e.ID)
		storage.CheckEvents(&v, []models.TrainingEvent{e})
		checkTime(&v, "created_at", e.CreatedAt)
		b.Events = append(b.Events, e)
	case typeAudit:
		var e models.AuditEntry
		if err := d.row(rec, &e); err != nil {
			return err
		}
		checkID(&v, e.ID)
		checkTime(&v, "at", e.At)
		storage.AuditOf(&v, "", &e, e.At)
		b.Audit = append(b.Audit, e)
	case typeAPIKey:
		err = addRow(d, rec, &v, &b.APIKeys, checkAPIKey)
	case typeSpamCheck:
		err = addRow(d, rec, &v, &b.SpamChecks, checkSpamCheck)
	case typeWebhook:
		err = addRow(d, rec, &v, &b.Webhooks, checkWebhook)
	default:
		return d.fail("unknown record type %q", rec.Type)
	}
	if err != nil {
		return err
	}
	if err := v.Err(); err != nil {
		return d.fail("%s: %v", rec.Type, err)
	}
	return nil
}

// row decodes rec's row into v, refusing unknown fields.
func (d *Reader) row(rec record, v any) error {
	if len(rec.Row) == 0 {
		return d.fail("%s: no row", rec.Type)
	}
	if err := strict(rec.Row, v); err != nil {
		return d.fail("%s: %v", rec.Type, err)
	}
	return nil
}

// next returns the next line, without its line break, and io.EOF after the last.
func (d *Reader) next() ([]byte, error) {
	var line []byte
	for {
		part, err := d.r.ReadSlice('\n')
		line = append(line, part...)
		if len(line) > maxLine {
			return nil, d.fail("a line longer than %d MiB", maxLine>>20)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) && len(line) > 0 {
			err = nil
		}
		if err != nil {
			return nil, err
		}
		d.line++
		return bytes.TrimRight(line, "\r\n"), nil
	}
}

// fail returns an *Error on the line read last.
func (d *Reader) fail(format string, args ...any) error {
	return &Error{Line: max(d.line, 1), Msg: fmt.Sprintf(format, args...)}
}

// strict decodes one JSON value, refusing unknown fields and anything after it.
func strict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one JSON value")
	}
	return nil
}

func checkID(v *models.ValidationError, id int64) {
	if id <= 0 {
		v.Add("id", "invalid")
	}
}

func checkTime(v *models.ValidationError, field string, t time.Time) {
	if _, ok := storage.ToNanos(t); !ok || t.IsZero() {
		v.Add(field, "out_of_range")
	}
}

func checkOptionalTime(v *models.ValidationError, field string, t *time.Time) {
	if t != nil {
		checkTime(v, field, *t)
	}
}

// addRow decodes rec's row as an R and appends it to rows as check returns
// it, check adding to v what is wrong with it.
func addRow[R, T any](d *Reader, rec record, v *models.ValidationError, rows *[]T, check func(*models.ValidationError, R) T) error {
	var r R
	if err := d.row(rec, &r); err != nil {
		return err
	}
	*rows = append(*rows, check(v, r))
	return nil
}

// checkAPIKey adds to v what is wrong with a site's API key.
func checkAPIKey(v *models.ValidationError, r apiKeyRow) models.APIKey {
	k := r.APIKey
	k.Hash = r.Hash
	if _, err := storage.CheckAPIKey(&k, k.CreatedAt); err != nil {
		addFields(v, err)
	}
	checkID(v, k.ID)
	checkTime(v, "created_at", k.CreatedAt)
	checkOptionalTime(v, "revoked_at", k.RevokedAt)
	return k
}

// checkSpamCheck adds to v what is wrong with a spam check, also the key it names.
func checkSpamCheck(v *models.ValidationError, c models.SpamCheck) models.SpamCheck {
	if _, err := storage.CheckSpamCheck(&c, c.CreatedAt); err != nil {
		addFields(v, err)
	}
	checkID(v, c.ID)
	checkRef(v, "key_id", c.KeyID)
	checkTime(v, "created_at", c.CreatedAt)
	checkTime(v, "updated_at", c.UpdatedAt)
	return c
}

// eventTypes are the webhook event types an outbox holds.
var eventTypes = []string{models.EventCreated, models.EventApproved, models.EventQueued, models.EventSpam,
	models.EventTrashed, models.EventDeleted}

// checkWebhook adds to v what is wrong with a webhook event.
func checkWebhook(v *models.ValidationError, e models.WebhookEvent) models.WebhookEvent {
	checkID(v, e.ID)
	if !slices.Contains(eventTypes, e.Type) {
		v.Add("type", "invalid")
	}
	checkRef(v, "comment_id", e.CommentID)
	if e.From != "" && !e.From.Valid() {
		v.Add("from", "invalid")
	}
	if e.Attempts < 0 {
		v.Add("attempts", "invalid")
	}
	checkTime(v, "created_at", e.CreatedAt)
	checkTime(v, "next_attempt_at", e.NextAttemptAt)
	checkOptionalTime(v, "done_at", e.DoneAt)
	return e
}

// checkRef adds a field error unless id can name a row.
func checkRef(v *models.ValidationError, field string, id int64) {
	if id <= 0 {
		v.Add(field, "invalid")
	}
}

// addFields adds the field errors of err, a *models.ValidationError, to v.
func addFields(v *models.ValidationError, err error) {
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		v.Fields = append(v.Fields, ve.Fields...)
	}
}

// sorted formats counts in a stable order.
func sorted(counts map[string]int64) string {
	var b bytes.Buffer
	for i, k := range slices.Sorted(maps.Keys(counts)) {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%s=%d", k, counts[k])
	}
	return b.String()
}
