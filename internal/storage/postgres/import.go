package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// importChunk is how many comments ImportComments sends in one round trip.
const importChunk = 500

const (
	// importEventsSQL holds an import's training events until the end, so that
	// the events lock is taken only for the moment it takes to append them.
	importEventsSQL = `CREATE TEMP TABLE import_events (
		seq        bigint GENERATED ALWAYS AS IDENTITY,
		comment_id bigint NOT NULL,
		class      text   NOT NULL,
		tokens     text   NOT NULL
	) ON COMMIT DROP`
	// importCommentSQL stores an imported comment, under its parent when that
	// is stored already, with its source, and holds back its training event.
	importCommentSQL = `WITH c AS (
		INSERT INTO comments (post, parent, author, email, email_norm, url, text, ip, ip_key, user_agent,
			status, score, reasons, trained_as, created_at, updated_at)
		VALUES ($1, COALESCE((SELECT comment_id FROM comment_sources WHERE key = $2), 0), $3, $4, $5, $6, $7, $8, $9, $10,
			$11, $12, $13, $14, $15, $16)
		RETURNING id, parent
	), s AS (
		INSERT INTO comment_sources (key, comment_id, parent_key) SELECT $17::text, id, $2 FROM c
	), e AS (
		INSERT INTO import_events (comment_id, class, tokens) SELECT id, $14, $18::text FROM c WHERE $14 <> ''
	)
	SELECT id, parent FROM c`
	// threadLateSQL threads the replies that were stored before their parent.
	threadLateSQL = `UPDATE comments c SET parent = p.comment_id
		FROM comment_sources s JOIN comment_sources p ON p.key = s.parent_key
		WHERE c.id = s.comment_id AND c.parent = 0`
	// orphansSQL counts the replies from id on whose parent is not there.
	orphansSQL = `SELECT COUNT(*) FROM comment_sources s JOIN comments c ON c.id = s.comment_id
		WHERE s.parent_key <> '' AND c.parent = 0 AND c.id >= $1`
	appendImportEventsSQL = `INSERT INTO training_events (comment_id, class, delta, tokens, created_at)
		SELECT comment_id, class, 1, tokens, $1 FROM import_events ORDER BY seq`
)

// ImportComments stores, in one transaction, each comment items yields whose
// source key no import stored before (the others are skipped, also when their
// comment was deleted since), with its source, its parent found by the
// parent's key wherever it came in the file (0 when it is not there), and, when
// its TrainedAs is ham or spam, a training event teaching its Tokens. audit,
// when set, is recorded in the same transaction with what was stored added to
// its Detail. An error yielded by items, a *models.ValidationError for a bad
// comment or audit entry, or a failure of the database rolls everything back.
// items is read once, so a lost serialization race is not retried.
func (s *Store) ImportComments(ctx context.Context, items iter.Seq2[models.ImportedComment, error], audit *models.AuditEntry) (models.ImportResult, error) {
	var v models.ValidationError
	rec := storage.AuditOf(&v, "audit.", audit, time.Now())
	if err := v.Err(); err != nil {
		return models.ImportResult{}, fmt.Errorf("postgres: import comments: %w", err)
	}
	var res models.ImportResult
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) (err error) {
		res, err = importComments(ctx, tx, items)
		if err == nil && rec != nil {
			rec.Detail = storage.ImportDetail(rec.Detail, res)
			var b pgx.Batch
			queueAudit(&b, rec)
			err = tx.SendBatch(ctx, &b).Close()
		}
		return err
	})
	if err != nil {
		return models.ImportResult{}, fmt.Errorf("postgres: import comments: %w", mapErr(err))
	}
	storage.Publish(audit, rec)
	return res, nil
}

// unhurried lifts the limits meant for requests from an import's transaction:
// a big file takes longer than the statement timeout, and a file read from a
// slow pipe may leave the transaction idle for a while. A client that dies
// closes its connection, which ends the transaction all the same.
func unhurried(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `SET LOCAL statement_timeout = 0; SET LOCAL idle_in_transaction_session_timeout = 0`)
	return err
}

// imported is a checked comment waiting in a chunk.
type imported struct {
	models.ImportedComment
	row storage.CommentRow
}

func importComments(ctx context.Context, tx pgx.Tx, items iter.Seq2[models.ImportedComment, error]) (models.ImportResult, error) {
	var res models.ImportResult
	if err := unhurried(ctx, tx); err != nil {
		return res, err
	}
	if _, err := tx.Exec(ctx, importEventsSQL); err != nil {
		return res, err
	}
	var first int64 // the first comment stored
	chunk := make([]imported, 0, importChunk)
	flush := func() error {
		stored, err := importChunkOf(ctx, tx, chunk, &res)
		for _, c := range stored {
			first = cmp.Or(first, c.ID)
			storage.CountImported(&res, *c)
		}
		chunk = chunk[:0]
		return err
	}
	for it, err := range items {
		if err != nil {
			return res, err
		}
		row, err := storage.CheckImported(&it)
		if err != nil {
			return res, fmt.Errorf("%s: %w", it.Source.Key, err)
		}
		if chunk = append(chunk, imported{it, row}); len(chunk) == importChunk {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	if err := flush(); err != nil || res.Imported == 0 {
		return res, err
	}
	tag, err := tx.Exec(ctx, threadLateSQL)
	if err != nil {
		return res, err
	}
	res.Replies += int(tag.RowsAffected())
	if err := tx.QueryRow(ctx, orphansSQL, first).Scan(&res.Orphans); err != nil {
		return res, err
	}
	var b pgx.Batch
	b.Queue(`SELECT pg_advisory_xact_lock($1)`, eventsLock)
	b.Queue(appendImportEventsSQL, time.Now().UnixNano())
	return res, tx.SendBatch(ctx, &b).Close()
}

// importChunkOf stores the comments of chunk whose key is not stored yet, in
// two round trips, counts the others as skipped, and returns the stored ones.
func importChunkOf(ctx context.Context, tx pgx.Tx, chunk []imported, res *models.ImportResult) ([]*models.Comment, error) {
	if len(chunk) == 0 {
		return nil, nil
	}
	keys := make([]string, len(chunk))
	for i, it := range chunk {
		keys[i] = it.Source.Key
	}
	rows, err := tx.Query(ctx, `SELECT key FROM comment_sources WHERE key = ANY($1)`, keys)
	known, err := collect(rows, err, func(row pgx.Row) (string, error) {
		var k string
		return k, row.Scan(&k)
	})
	if err != nil {
		return nil, err
	}
	skip := make(map[string]bool, len(chunk))
	for _, k := range known {
		skip[k] = true
	}
	var (
		b      pgx.Batch
		stored []*models.Comment
	)
	for i := range chunk {
		it := &chunk[i]
		if skip[it.Source.Key] {
			res.Skipped++
			continue
		}
		skip[it.Source.Key] = true // the same key twice in one chunk
		c := &it.Comment
		tokens, _ := json.Marshal(it.Tokens) // a []string always marshals
		b.Queue(importCommentSQL, c.Post, it.Source.ParentKey, c.Author, c.Email, it.row.EmailNorm, c.URL, c.Text,
			c.IP, it.row.IPKey, c.UserAgent, string(c.Status), c.Score, it.row.Reasons, string(c.TrainedAs),
			it.row.Created, it.row.Updated, it.Source.Key, string(tokens)).
			QueryRow(func(row pgx.Row) error { return row.Scan(&c.ID, &c.Parent) })
		stored = append(stored, c)
	}
	if err := tx.SendBatch(ctx, &b).Close(); err != nil {
		return nil, err
	}
	return stored, nil
}

// ImportBatches stores the batches next yields in one transaction, each as
// Import does, and then audit, when set. An error yielded by batches rolls
// everything back. Errors as Import's; batches is read once, so a lost
// serialization race is not retried.
func (s *Store) ImportBatches(ctx context.Context, batches iter.Seq2[storage.Batch, error], audit *models.AuditEntry) error {
	var v models.ValidationError
	rec := storage.AuditOf(&v, "audit.", audit, time.Now())
	if err := v.Err(); err != nil {
		return fmt.Errorf("postgres: import: %w", err)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := unhurried(ctx, tx); err != nil {
			return err
		}
		for b, err := range batches {
			if err != nil {
				return err
			}
			var q pgx.Batch
			if len(b.Events) > 0 {
				q.Queue(`SELECT pg_advisory_xact_lock($1)`, eventsLock)
			}
			if err := queueImport(&q, b); err != nil {
				return err
			}
			if err := tx.SendBatch(ctx, &q).Close(); isUnique(err) {
				return fmt.Errorf("%w: %w", models.ErrConflict, err)
			} else if err != nil {
				return err
			}
		}
		if rec == nil {
			return nil
		}
		var q pgx.Batch
		queueAudit(&q, rec)
		return tx.SendBatch(ctx, &q).Close()
	})
	if err != nil {
		return fmt.Errorf("postgres: import: %w", mapErr(err))
	}
	storage.Publish(audit, rec)
	return nil
}
