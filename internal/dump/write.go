package dump

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"time"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// Writer writes a dump: the header when made, the rows of each Batch given
// to Write, and the end record on Close.
type Writer struct {
	w              *bufio.Writer
	enc            *json.Encoder
	passwordHashes bool
	counts         map[string]int64
	Header         Header
}

// NewWriter writes a header to w and returns a Writer; passwordHashes says
// whether moderators keep their password hashes.
func NewWriter(w io.Writer, passwordHashes bool) (*Writer, error) {
	id := make([]byte, 16)
	rand.Read(id)
	bw := bufio.NewWriterSize(w, 64<<10)
	dw := &Writer{w: bw, enc: json.NewEncoder(bw), passwordHashes: passwordHashes, counts: map[string]int64{},
		Header: Header{Type: "header", Format: Format, Version: Version, ExportID: hex.EncodeToString(id),
			ExportedAt: time.Now().UTC().Truncate(time.Second), PasswordHashes: passwordHashes}}
	dw.enc.SetEscapeHTML(false) // comments hold < and &; keep them readable
	return dw, dw.enc.Encode(dw.Header)
}

// Write writes the rows of b that a dump keeps.
func (d *Writer) Write(b storage.Batch) error {
	for _, m := range b.Moderators {
		row := moderatorRow{ID: m.ID, Name: m.Name, Role: m.Role, CreatedAt: m.CreatedAt}
		if d.passwordHashes {
			row.PasswordHash = m.PasswordHash
		}
		if err := d.row(typeModerator, row); err != nil {
			return err
		}
	}
	for _, t := range b.Tokens {
		if err := d.row(typeToken, tokenRow{ID: t.ID, ModeratorID: t.ModeratorID, Name: t.Name, Hash: t.Hash,
			CreatedAt: t.CreatedAt, RevokedAt: t.RevokedAt}); err != nil {
			return err
		}
	}
	if b.Settings != nil {
		if err := d.row(typeSettings, b.Settings); err != nil {
			return err
		}
	}
	if b.LastIDs != nil {
		if err := d.row(typeLastIDs, b.LastIDs); err != nil {
			return err
		}
	}
	for _, write := range []func() error{
		func() error { return rows(d, typeWord, b.Words) },
		func() error { return rows(d, typeBan, b.Bans) },
		func() error { return rows(d, typeComment, b.Comments) },
		func() error { return rows(d, typeSource, b.Sources) },
		func() error { return rows(d, typeEvent, b.Events) },
		func() error { return rows(d, typeAudit, b.Audit) },
		func() error { return rowsOf(d, typeAPIKey, b.APIKeys, apiKeyRowOf) },
		func() error { return rows(d, typeSpamCheck, b.SpamChecks) },
		func() error { return rows(d, typeWebhook, b.Webhooks) }, // without their leases
	} {
		if err := write(); err != nil {
			return err
		}
	}
	return nil
}

// rows writes one record a row.
func rows[T any](d *Writer, typ string, rs []T) error {
	for _, r := range rs {
		if err := d.row(typ, r); err != nil {
			return err
		}
	}
	return nil
}

// rowsOf writes one record a row, as conv has it.
func rowsOf[T, R any](d *Writer, typ string, rs []T, conv func(T) R) error {
	for _, r := range rs {
		if err := d.row(typ, conv(r)); err != nil {
			return err
		}
	}
	return nil
}

func apiKeyRowOf(k models.APIKey) apiKeyRow { return apiKeyRow{APIKey: k, Hash: k.Hash} }

// row writes one record.
func (d *Writer) row(typ string, v any) error {
	d.counts[typ]++
	return d.enc.Encode(struct {
		Type string `json:"type"`
		Row  any    `json:"row"`
	}{typ, v})
}

// Counts is how many rows of each record type were written.
func (d *Writer) Counts() map[string]int64 { return d.counts }

// Close writes the end record and flushes; it does not close the underlying writer.
func (d *Writer) Close() error {
	if err := d.enc.Encode(record{Type: typeEnd, Counts: d.counts}); err != nil {
		return err
	}
	return d.w.Flush()
}
