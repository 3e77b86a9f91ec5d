package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// Counts returns how many rows of each kind the store holds.
func (s *Store) Counts(ctx context.Context) (storage.Counts, error) {
	var c storage.Counts
	err := s.pool.QueryRow(ctx, countsSQL).Scan(&c.Moderators, &c.Tokens, &c.Sessions, &c.Settings, &c.Words, &c.Bans,
		&c.Comments, &c.Events, &c.Audit, &c.Snapshots, &c.Sources, &c.APIKeys, &c.SpamChecks, &c.Webhooks)
	if err != nil {
		return storage.Counts{}, fmt.Errorf("postgres: counts: %w", err)
	}
	return c, nil
}

const countsSQL = `SELECT (SELECT COUNT(*) FROM moderators), (SELECT COUNT(*) FROM api_tokens),
	(SELECT COUNT(*) FROM sessions), (SELECT COUNT(*) FROM settings), (SELECT COUNT(*) FROM words),
	(SELECT COUNT(*) FROM bans), (SELECT COUNT(*) FROM comments), (SELECT COUNT(*) FROM training_events),
	(SELECT COUNT(*) FROM audit_log), (SELECT COUNT(*) FROM model_snapshots), (SELECT COUNT(*) FROM comment_sources),
	(SELECT COUNT(*) FROM api_keys), (SELECT COUNT(*) FROM spam_checks), (SELECT COUNT(*) FROM webhook_events)`

// Export calls fn with every row of the store, read in one snapshot, a batch
// of at most storage.ExportBatch rows of one kind at a time: moderators,
// tokens, sessions, settings, words, bans, comments, comment sources, training
// events, audit entries, site API keys, spam checks, webhook events (without
// their leases), the ids each table has given, then the newest model
// snapshot. It stops at fn's first error.
func (s *Store) Export(ctx context.Context, fn func(storage.Batch) error) error {
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error { return export(ctx, tx, fn) })
	if err != nil {
		return fmt.Errorf("postgres: export: %w", err)
	}
	return nil
}

func export(ctx context.Context, tx pgx.Tx, fn func(storage.Batch) error) error {
	steps := []func() error{
		func() error {
			return exportPages(ctx, tx, `SELECT `+moderatorColumns+` FROM moderators WHERE id > $1 ORDER BY id LIMIT $2`,
				scanModerator, func(m models.Moderator) int64 { return m.ID },
				func(ms []models.Moderator) error { return fn(storage.Batch{Moderators: ms}) })
		},
		func() error {
			return exportPages(ctx, tx, `SELECT `+tokenColumns+` FROM api_tokens t WHERE t.id > $1 ORDER BY t.id LIMIT $2`,
				scanToken, func(t models.APIToken) int64 { return t.ID },
				func(ts []models.APIToken) error { return fn(storage.Batch{Tokens: ts}) })
		},
		func() error {
			rows, err := tx.Query(ctx, `SELECT id, moderator_id, csrf_token, created_at, last_seen_at FROM sessions ORDER BY id`)
			ss, err := collect(rows, err, scanSession)
			if err != nil || len(ss) == 0 {
				return err
			}
			return fn(storage.Batch{Sessions: ss})
		},
		func() error {
			var data string
			err := tx.QueryRow(ctx, `SELECT data FROM settings WHERE id = 1`).Scan(&data)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			var set models.Settings
			if err == nil {
				err = json.Unmarshal([]byte(data), &set)
			}
			if err != nil {
				return err
			}
			return fn(storage.Batch{Settings: &set})
		},
		func() error {
			return exportPages(ctx, tx, `SELECT id, kind, word, created_by, created_at FROM words WHERE id > $1 ORDER BY id LIMIT $2`,
				scanWord, func(w models.Word) int64 { return w.ID },
				func(ws []models.Word) error { return fn(storage.Batch{Words: ws}) })
		},
		func() error {
			return exportPages(ctx, tx, `SELECT `+banColumns+` FROM bans WHERE id > $1 ORDER BY id LIMIT $2`,
				scanBan, func(b models.Ban) int64 { return b.ID },
				func(bs []models.Ban) error { return fn(storage.Batch{Bans: bs}) })
		},
		func() error {
			return exportPages(ctx, tx, `SELECT `+commentColumns+` FROM comments WHERE id > $1 ORDER BY id LIMIT $2`,
				scanComment, func(c models.Comment) int64 { return c.ID },
				func(cs []models.Comment) error { return fn(storage.Batch{Comments: cs}) })
		},
		func() error { return exportSources(ctx, tx, fn) },
		func() error {
			return exportPages(ctx, tx, `SELECT `+eventColumns+` FROM training_events WHERE id > $1 ORDER BY id LIMIT $2`,
				scanEvent, func(e models.TrainingEvent) int64 { return e.ID },
				func(es []models.TrainingEvent) error { return fn(storage.Batch{Events: es}) })
		},
		func() error {
			return exportPages(ctx, tx, `SELECT `+auditColumns+` FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2`,
				scanAudit, func(e models.AuditEntry) int64 { return e.ID },
				func(es []models.AuditEntry) error { return fn(storage.Batch{Audit: es}) })
		},
		func() error { return exportSites(ctx, tx, fn) },
		func() error {
			ids := make(map[string]int64, len(storage.Tables))
			for _, table := range storage.Tables {
				var id int64
				// Identities are table_id_seq; last_value is 1 before the first nextval, when is_called is false.
				err := tx.QueryRow(ctx, `SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM `+table+`_id_seq`).Scan(&id)
				if err != nil {
					return err
				}
				ids[table] = id
			}
			return fn(storage.Batch{LastIDs: ids})
		},
		func() error {
			snap, err := scanSnapshot(tx.QueryRow(ctx, `SELECT `+snapshotColumns+` FROM model_snapshots ORDER BY id DESC LIMIT 1`))
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			if err != nil {
				return err
			}
			return fn(storage.Batch{Snapshot: &snap})
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// exportSources hands the comment sources to fn, a page at a time in key order.
func exportSources(ctx context.Context, tx pgx.Tx, fn func(storage.Batch) error) error {
	for after := ""; ; {
		rows, err := tx.Query(ctx, `SELECT key, comment_id, parent_key FROM comment_sources
			WHERE key > $1 ORDER BY key LIMIT $2`, after, storage.ExportBatch)
		page, err := collect(rows, err, func(row pgx.Row) (models.CommentSource, error) {
			var src models.CommentSource
			return src, row.Scan(&src.Key, &src.CommentID, &src.ParentKey)
		})
		if err != nil || len(page) == 0 {
			return err
		}
		if err := fn(storage.Batch{Sources: page}); err != nil {
			return err
		}
		if len(page) < storage.ExportBatch {
			return nil
		}
		after = page[len(page)-1].Key
	}
}

// exportSites hands fn the site API keys, the spam checks and the webhook
// events, each kind in id order.
func exportSites(ctx context.Context, tx pgx.Tx, fn func(storage.Batch) error) error {
	err := exportPages(ctx, tx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id > $1 ORDER BY id LIMIT $2`,
		scanAPIKey, func(k models.APIKey) int64 { return k.ID },
		func(ks []models.APIKey) error { return fn(storage.Batch{APIKeys: ks}) })
	if err != nil {
		return err
	}
	err = exportPages(ctx, tx, `SELECT `+spamCheckColumns+` FROM spam_checks WHERE id > $1 ORDER BY id LIMIT $2`,
		scanSpamCheck, func(c models.SpamCheck) int64 { return c.ID },
		func(cs []models.SpamCheck) error { return fn(storage.Batch{SpamChecks: cs}) })
	if err != nil {
		return err
	}
	return exportPages(ctx, tx, `SELECT `+webhookColumns+` FROM webhook_events WHERE id > $1 ORDER BY id LIMIT $2`,
		func(row pgx.Row) (models.WebhookEvent, error) {
			e, err := scanWebhookEvent(row)
			e.Lease = "" // a claim of this installation's instances
			return e, err
		}, func(e models.WebhookEvent) int64 { return e.ID },
		func(es []models.WebhookEvent) error { return fn(storage.Batch{Webhooks: es}) })
}

// exportPages reads query, which takes the id to continue after and a limit,
// page by page, and hands each page to emit.
func exportPages[T any](ctx context.Context, tx pgx.Tx, query string, scan func(pgx.Row) (T, error),
	id func(T) int64, emit func([]T) error) error {
	for after := int64(0); ; {
		rows, err := tx.Query(ctx, query, after, storage.ExportBatch)
		page, err := collect(rows, err, scan)
		if err != nil || len(page) == 0 {
			return err
		}
		if err := emit(page); err != nil {
			return err
		}
		if len(page) < storage.ExportBatch {
			return nil
		}
		after = id(page[len(page)-1])
	}
}

// Import stores the rows of b with their IDs and times in one transaction. A
// row whose ID is stored already is replaced, except training events, audit
// entries and snapshots, which never change; so importing the same rows again
// changes nothing. Webhook events come unleased. The id sequences then
// continue after the highest id. Errors: models.ErrConflict when a moderator
// name, a token or API key hash, a listed word or a spam check's GUID is taken
// by a row of another ID.
func (s *Store) Import(ctx context.Context, b storage.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var q pgx.Batch
		if len(b.Events) > 0 {
			q.Queue(`SELECT pg_advisory_xact_lock($1)`, eventsLock)
		}
		if err := queueImport(&q, b); err != nil {
			return err
		}
		err := tx.SendBatch(ctx, &q).Close()
		if isUnique(err) {
			return fmt.Errorf("%w: %w", models.ErrConflict, err)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: import: %w", err)
	}
	return nil
}

// queueImport queues the upserts of b's rows, parents first, and the moves of
// the sequences of the tables they go to.
func queueImport(q *pgx.Batch, b storage.Batch) error {
	moves := map[string]int64{} // table: the id its sequence must reach at least
	for table, id := range b.LastIDs {
		if id > 0 {
			moves[table] = id
		}
	}
	touch := func(n int, table string) {
		if _, ok := moves[table]; !ok && n > 0 {
			moves[table] = 0
		}
	}
	for _, m := range b.Moderators {
		created, _ := storage.ToNanos(m.CreatedAt)
		q.Queue(`INSERT INTO moderators (id, name, name_norm, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_norm = excluded.name_norm, role = excluded.role,
			password_hash = excluded.password_hash, created_at = excluded.created_at`,
			m.ID, m.Name, storage.NormName(m.Name), string(m.Role), m.PasswordHash, created)
	}
	touch(len(b.Moderators), "moderators")
	for _, t := range b.Tokens {
		q.Queue(`INSERT INTO api_tokens (id, moderator_id, name, hash, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (id) DO UPDATE SET moderator_id = excluded.moderator_id, name = excluded.name, hash = excluded.hash,
			created_at = excluded.created_at, revoked_at = excluded.revoked_at`,
			t.ID, t.ModeratorID, t.Name, t.Hash, storage.ClampNanos(t.CreatedAt), storage.NanosOrNil(t.RevokedAt))
	}
	touch(len(b.Tokens), "api_tokens")
	for _, sess := range b.Sessions {
		q.Queue(`INSERT INTO sessions (id, moderator_id, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (id) DO UPDATE SET moderator_id = excluded.moderator_id, csrf_token = excluded.csrf_token,
			created_at = excluded.created_at, last_seen_at = excluded.last_seen_at`,
			sess.ID, sess.ModeratorID, sess.CSRFToken, storage.ClampNanos(sess.CreatedAt), storage.ClampNanos(sess.LastSeenAt))
	}
	if b.Settings != nil {
		data, _ := json.Marshal(*b.Settings)
		q.Queue(`INSERT INTO settings (id, data, updated_at) VALUES (1, $1, $2)
			ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`, string(data), storage.ClampNanos(time.Now()))
	}
	for _, w := range b.Words {
		q.Queue(`INSERT INTO words (id, kind, word, word_norm, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, word = excluded.word, word_norm = excluded.word_norm,
			created_by = excluded.created_by, created_at = excluded.created_at`,
			w.ID, string(w.Kind), w.Word, storage.NormName(w.Word), w.CreatedBy, storage.ClampNanos(w.CreatedAt))
	}
	touch(len(b.Words), "words")
	for _, ban := range b.Bans {
		q.Queue(`INSERT INTO bans (id, kind, value, reason, expires_at, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, value = excluded.value, reason = excluded.reason,
			expires_at = excluded.expires_at, created_by = excluded.created_by, created_at = excluded.created_at`,
			ban.ID, string(ban.Kind), ban.Value, ban.Reason, storage.NanosOrNil(ban.ExpiresAt), ban.CreatedBy, storage.ClampNanos(ban.CreatedAt))
	}
	touch(len(b.Bans), "bans")
	for _, c := range b.Comments {
		reasons, _ := json.Marshal(c.Reasons)
		q.Queue(`INSERT INTO comments (id, post, parent, author, email, email_norm, url, text, ip, ip_key, user_agent,
			status, score, reasons, trained_as, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
			ON CONFLICT (id) DO UPDATE SET post = excluded.post, parent = excluded.parent, author = excluded.author,
			email = excluded.email, email_norm = excluded.email_norm, url = excluded.url, text = excluded.text,
			ip = excluded.ip, ip_key = excluded.ip_key, user_agent = excluded.user_agent, status = excluded.status,
			score = excluded.score, reasons = excluded.reasons, trained_as = excluded.trained_as,
			created_at = excluded.created_at, updated_at = excluded.updated_at`,
			c.ID, c.Post, c.Parent, c.Author, c.Email, storage.NormEmail(c.Email), c.URL, c.Text, c.IP, storage.IPKey(c.IP),
			c.UserAgent, string(c.Status), c.Score, string(reasons), string(c.TrainedAs),
			storage.ClampNanos(c.CreatedAt), storage.ClampNanos(c.UpdatedAt))
	}
	touch(len(b.Comments), "comments")
	for _, src := range b.Sources {
		q.Queue(`INSERT INTO comment_sources (key, comment_id, parent_key) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO UPDATE SET comment_id = excluded.comment_id, parent_key = excluded.parent_key`,
			src.Key, src.CommentID, src.ParentKey)
	}
	for _, e := range b.Events {
		tokens, _ := json.Marshal(e.Tokens)
		q.Queue(`INSERT INTO training_events (id, comment_id, class, delta, tokens, created_at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (id) DO NOTHING`, e.ID, e.CommentID, string(e.Class), e.Delta, string(tokens), storage.ClampNanos(e.CreatedAt))
	}
	touch(len(b.Events), "training_events")
	for _, e := range b.Audit {
		q.Queue(`INSERT INTO audit_log (id, at, actor, action, comment_id, from_status, to_status, score, detail)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
			e.ID, storage.ClampNanos(e.At), e.Actor, e.Action, e.CommentID, string(e.FromStatus), string(e.ToStatus), e.Score, e.Detail)
	}
	touch(len(b.Audit), "audit_log")
	ups, err := storage.SiteUpserts(b)
	if err != nil {
		return err
	}
	for _, u := range ups {
		q.Queue(u.SQL, u.Args...)
	}
	touch(len(b.APIKeys), "api_keys")
	touch(len(b.SpamChecks), "spam_checks")
	touch(len(b.Webhooks), "webhook_events")
	if snap := b.Snapshot; snap != nil {
		data := snap.Data
		if data == nil {
			data = []byte{}
		}
		q.Queue(`INSERT INTO model_snapshots (id, last_event_id, starter_version, data, created_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (id) DO NOTHING`, snap.ID, snap.LastEventID, snap.StarterVersion, data, storage.ClampNanos(snap.CreatedAt))
		touch(1, "model_snapshots")
	}
	for _, table := range storage.Tables {
		last, ok := moves[table]
		if !ok {
			continue
		}
		// nextval - 1 is where the sequence stands; it never moves back, so no id is given twice.
		q.Queue(`SELECT setval(seq, GREATEST((SELECT MAX(id) FROM `+table+`), $1, nextval(seq) - 1, 1))
			FROM CAST(pg_get_serial_sequence('`+table+`', 'id') AS regclass) AS seq`, last)
	}
	return nil
}
