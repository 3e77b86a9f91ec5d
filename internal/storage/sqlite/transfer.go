package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// Counts returns how many rows of each kind the store holds.
func (s *Store) Counts(ctx context.Context) (storage.Counts, error) {
	var c storage.Counts
	err := s.read.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM moderators), (SELECT COUNT(*) FROM api_tokens),
		(SELECT COUNT(*) FROM sessions), (SELECT COUNT(*) FROM settings), (SELECT COUNT(*) FROM words),
		(SELECT COUNT(*) FROM bans), (SELECT COUNT(*) FROM comments), (SELECT COUNT(*) FROM training_events),
		(SELECT COUNT(*) FROM audit_log), (SELECT COUNT(*) FROM model_snapshots), (SELECT COUNT(*) FROM comment_sources),
		(SELECT COUNT(*) FROM api_keys), (SELECT COUNT(*) FROM spam_checks), (SELECT COUNT(*) FROM webhook_events)`).
		Scan(&c.Moderators, &c.Tokens, &c.Sessions, &c.Settings, &c.Words, &c.Bans, &c.Comments, &c.Events, &c.Audit,
			&c.Snapshots, &c.Sources, &c.APIKeys, &c.SpamChecks, &c.Webhooks)
	if err != nil {
		return storage.Counts{}, fmt.Errorf("sqlite: counts: %w", err)
	}
	return c, nil
}

// Export calls fn with every row of the store, read in one snapshot, a batch
// of at most storage.ExportBatch rows of one kind at a time: moderators,
// tokens, sessions, settings, words, bans, comments, comment sources, training
// events, audit entries, site API keys, spam checks, webhook events (without
// their leases), the ids each table has given, then the newest model
// snapshot. It stops at fn's first error.
func (s *Store) Export(ctx context.Context, fn func(storage.Batch) error) error {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("sqlite: export: %w", err)
	}
	defer tx.Rollback()
	if err := export(ctx, tx, fn); err != nil {
		return fmt.Errorf("sqlite: export: %w", err)
	}
	return nil
}

func export(ctx context.Context, tx *sql.Tx, fn func(storage.Batch) error) error {
	steps := []func() error{
		func() error {
			return exportPages(ctx, tx, `SELECT `+moderatorColumns+` FROM moderators WHERE id > ? ORDER BY id LIMIT ?`,
				scanModerator, func(m models.Moderator) int64 { return m.ID },
				func(ms []models.Moderator) error { return fn(storage.Batch{Moderators: ms}) })
		},
		func() error {
			return exportPages(ctx, tx, `SELECT `+tokenColumns+` FROM api_tokens t WHERE t.id > ? ORDER BY t.id LIMIT ?`,
				func(row interface{ Scan(...any) error }) (models.APIToken, error) {
					var t tokenRow
					err := row.Scan(t.dest()...)
					return t.token(), err
				}, func(t models.APIToken) int64 { return t.ID },
				func(ts []models.APIToken) error { return fn(storage.Batch{Tokens: ts}) })
		},
		func() error {
			var ss []models.Session
			rows, err := tx.QueryContext(ctx, `SELECT id, moderator_id, csrf_token, created_at, last_seen_at FROM sessions ORDER BY id`)
			if err != nil {
				return err
			}
			err = eachRow(rows, func(row *sql.Rows) error {
				var (
					sess          models.Session
					created, seen int64
				)
				err := row.Scan(&sess.ID, &sess.ModeratorID, &sess.CSRFToken, &created, &seen)
				sess.CreatedAt, sess.LastSeenAt = storage.FromNanos(created), storage.FromNanos(seen)
				ss = append(ss, sess)
				return err
			})
			if err != nil || len(ss) == 0 {
				return err
			}
			return fn(storage.Batch{Sessions: ss})
		},
		func() error {
			var data string
			err := tx.QueryRowContext(ctx, `SELECT data FROM settings WHERE id = 1`).Scan(&data)
			if errors.Is(err, sql.ErrNoRows) {
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
			return exportPages(ctx, tx, `SELECT id, kind, word, created_by, created_at FROM words WHERE id > ? ORDER BY id LIMIT ?`,
				func(row interface{ Scan(...any) error }) (models.Word, error) {
					var (
						w       models.Word
						kind    string
						created int64
					)
					err := row.Scan(&w.ID, &kind, &w.Word, &w.CreatedBy, &created)
					w.Kind, w.CreatedAt = models.WordKind(kind), storage.FromNanos(created)
					return w, err
				}, func(w models.Word) int64 { return w.ID },
				func(ws []models.Word) error { return fn(storage.Batch{Words: ws}) })
		},
		func() error {
			return exportPages(ctx, tx, `SELECT id, kind, value, reason, expires_at, created_by, created_at FROM bans
				WHERE id > ? ORDER BY id LIMIT ?`,
				func(row interface{ Scan(...any) error }) (models.Ban, error) {
					var (
						b       models.Ban
						kind    string
						expires sql.NullInt64
						created int64
					)
					err := row.Scan(&b.ID, &kind, &b.Value, &b.Reason, &expires, &b.CreatedBy, &created)
					b.Kind, b.CreatedAt = models.BanKind(kind), storage.FromNanos(created)
					if expires.Valid {
						at := storage.FromNanos(expires.Int64)
						b.ExpiresAt = &at
					}
					return b, err
				}, func(b models.Ban) int64 { return b.ID },
				func(bs []models.Ban) error { return fn(storage.Batch{Bans: bs}) })
		},
		func() error {
			return exportPages(ctx, tx, `SELECT `+commentColumns+` FROM comments WHERE id > ? ORDER BY id LIMIT ?`,
				scanComment, func(c models.Comment) int64 { return c.ID },
				func(cs []models.Comment) error { return fn(storage.Batch{Comments: cs}) })
		},
		func() error { return exportSources(ctx, tx, fn) },
		func() error {
			return exportPages(ctx, tx, `SELECT `+eventColumns+` FROM training_events WHERE id > ? ORDER BY id LIMIT ?`,
				scanEvent, func(e models.TrainingEvent) int64 { return e.ID },
				func(es []models.TrainingEvent) error { return fn(storage.Batch{Events: es}) })
		},
		func() error {
			return exportPages(ctx, tx, `SELECT `+auditColumns+` FROM audit_log WHERE id > ? ORDER BY id LIMIT ?`,
				scanAudit, func(e models.AuditEntry) int64 { return e.ID },
				func(es []models.AuditEntry) error { return fn(storage.Batch{Audit: es}) })
		},
		func() error { return exportSites(ctx, tx, fn) },
		func() error {
			ids := make(map[string]int64, len(storage.Tables))
			for _, table := range storage.Tables {
				ids[table] = 0
			}
			rows, err := tx.QueryContext(ctx, `SELECT name, seq FROM sqlite_sequence`)
			if err != nil {
				return err
			}
			err = eachRow(rows, func(row *sql.Rows) error {
				var (
					name string
					seq  int64
				)
				err := row.Scan(&name, &seq)
				if _, ok := ids[name]; ok {
					ids[name] = seq
				}
				return err
			})
			if err != nil {
				return err
			}
			return fn(storage.Batch{LastIDs: ids})
		},
		func() error {
			var (
				snap    models.ModelSnapshot
				created int64
			)
			err := tx.QueryRowContext(ctx, `SELECT id, last_event_id, starter_version, data, created_at
				FROM model_snapshots ORDER BY id DESC LIMIT 1`).
				Scan(&snap.ID, &snap.LastEventID, &snap.StarterVersion, &snap.Data, &created)
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			if err != nil {
				return err
			}
			snap.CreatedAt = storage.FromNanos(created)
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
func exportSources(ctx context.Context, tx *sql.Tx, fn func(storage.Batch) error) error {
	for after := ""; ; {
		rows, err := tx.QueryContext(ctx, `SELECT key, comment_id, parent_key FROM comment_sources
			WHERE key > ? ORDER BY key LIMIT ?`, after, storage.ExportBatch)
		if err != nil {
			return err
		}
		var page []models.CommentSource
		err = eachRow(rows, func(row *sql.Rows) error {
			var src models.CommentSource
			err := row.Scan(&src.Key, &src.CommentID, &src.ParentKey)
			page = append(page, src)
			return err
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
func exportSites(ctx context.Context, tx *sql.Tx, fn func(storage.Batch) error) error {
	err := exportPages(ctx, tx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id > ? ORDER BY id LIMIT ?`,
		scanAPIKey, func(k models.APIKey) int64 { return k.ID },
		func(ks []models.APIKey) error { return fn(storage.Batch{APIKeys: ks}) })
	if err != nil {
		return err
	}
	err = exportPages(ctx, tx, `SELECT `+spamCheckColumns+` FROM spam_checks WHERE id > ? ORDER BY id LIMIT ?`,
		scanSpamCheck, func(c models.SpamCheck) int64 { return c.ID },
		func(cs []models.SpamCheck) error { return fn(storage.Batch{SpamChecks: cs}) })
	if err != nil {
		return err
	}
	return exportPages(ctx, tx, `SELECT `+webhookColumns+` FROM webhook_events WHERE id > ? ORDER BY id LIMIT ?`,
		func(row interface{ Scan(...any) error }) (models.WebhookEvent, error) {
			e, err := scanWebhookEvent(row)
			e.Lease = "" // a claim of this installation's instances
			return e, err
		}, func(e models.WebhookEvent) int64 { return e.ID },
		func(es []models.WebhookEvent) error { return fn(storage.Batch{Webhooks: es}) })
}

// exportPages reads query, which takes the id to continue after and a limit,
// page by page, and hands each page to emit.
func exportPages[T any](ctx context.Context, tx *sql.Tx, query string, scan func(interface{ Scan(...any) error }) (T, error),
	id func(T) int64, emit func([]T) error) error {
	for after := int64(0); ; {
		rows, err := tx.QueryContext(ctx, query, after, storage.ExportBatch)
		if err != nil {
			return err
		}
		var page []T
		err = eachRow(rows, func(row *sql.Rows) error {
			v, err := scan(row)
			page = append(page, v)
			return err
		})
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
// changes nothing. Webhook events come unleased. New rows then get ids after
// the highest one. Errors: models.ErrConflict when a moderator name, a token
// or API key hash, a listed word or a spam check's GUID is taken by a row of
// another ID.
func (s *Store) Import(ctx context.Context, b storage.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := importBatch(ctx, newPreparer(tx), b)
		if isUnique(err) {
			return fmt.Errorf("%w: %w", models.ErrConflict, err)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: import: %w", err)
	}
	return nil
}

// importBatch upserts b's rows, parents first. AUTOINCREMENT moves past the
// ids it is given by itself.
func importBatch(ctx context.Context, p *preparer, b storage.Batch) (err error) {
	exec := func(query string, args ...any) {
		if err == nil {
			_, err = p.ExecContext(ctx, query, args...)
		}
	}
	for _, m := range b.Moderators {
		exec(`INSERT INTO moderators (id, name, name_norm, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_norm = excluded.name_norm, role = excluded.role,
			password_hash = excluded.password_hash, created_at = excluded.created_at`,
			m.ID, m.Name, normName(m.Name), string(m.Role), m.PasswordHash, storage.ClampNanos(m.CreatedAt))
	}
	for _, t := range b.Tokens {
		exec(`INSERT INTO api_tokens (id, moderator_id, name, hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET moderator_id = excluded.moderator_id, name = excluded.name, hash = excluded.hash,
			created_at = excluded.created_at, revoked_at = excluded.revoked_at`,
			t.ID, t.ModeratorID, t.Name, t.Hash, storage.ClampNanos(t.CreatedAt), storage.NanosOrNil(t.RevokedAt))
	}
	for _, sess := range b.Sessions {
		exec(`INSERT INTO sessions (id, moderator_id, csrf_token, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET moderator_id = excluded.moderator_id, csrf_token = excluded.csrf_token,
			created_at = excluded.created_at, last_seen_at = excluded.last_seen_at`,
			sess.ID, sess.ModeratorID, sess.CSRFToken, storage.ClampNanos(sess.CreatedAt), storage.ClampNanos(sess.LastSeenAt))
	}
	if b.Settings != nil {
		data, _ := json.Marshal(*b.Settings) // plain numbers and booleans
		exec(`INSERT INTO settings (id, data, updated_at) VALUES (1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`, string(data), storage.ClampNanos(time.Now()))
	}
	for _, w := range b.Words {
		exec(`INSERT INTO words (id, kind, word, word_norm, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, word = excluded.word, word_norm = excluded.word_norm,
			created_by = excluded.created_by, created_at = excluded.created_at`,
			w.ID, string(w.Kind), w.Word, normName(w.Word), w.CreatedBy, storage.ClampNanos(w.CreatedAt))
	}
	for _, ban := range b.Bans {
		exec(`INSERT INTO bans (id, kind, value, reason, expires_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, value = excluded.value, reason = excluded.reason,
			expires_at = excluded.expires_at, created_by = excluded.created_by, created_at = excluded.created_at`,
			ban.ID, string(ban.Kind), ban.Value, ban.Reason, storage.NanosOrNil(ban.ExpiresAt), ban.CreatedBy, storage.ClampNanos(ban.CreatedAt))
	}
	for _, c := range b.Comments {
		reasons, _ := json.Marshal(c.Reasons) // checked when the comment was created
		exec(`INSERT INTO comments (id, post, parent, author, email, email_norm, url, text, ip, ip_key, user_agent,
			status, score, reasons, trained_as, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET post = excluded.post, parent = excluded.parent, author = excluded.author,
			email = excluded.email, email_norm = excluded.email_norm, url = excluded.url, text = excluded.text,
			ip = excluded.ip, ip_key = excluded.ip_key, user_agent = excluded.user_agent, status = excluded.status,
			score = excluded.score, reasons = excluded.reasons, trained_as = excluded.trained_as,
			created_at = excluded.created_at, updated_at = excluded.updated_at`,
			c.ID, c.Post, c.Parent, c.Author, c.Email, normEmail(c.Email), c.URL, c.Text, c.IP, storage.IPKey(c.IP),
			c.UserAgent, string(c.Status), c.Score, string(reasons), string(c.TrainedAs),
			storage.ClampNanos(c.CreatedAt), storage.ClampNanos(c.UpdatedAt))
	}
	for _, src := range b.Sources {
		exec(`INSERT INTO comment_sources (key, comment_id, parent_key) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET comment_id = excluded.comment_id, parent_key = excluded.parent_key`,
			src.Key, src.CommentID, src.ParentKey)
	}
	for _, e := range b.Events {
		tokens, _ := json.Marshal(e.Tokens) // a []string always marshals
		exec(`INSERT INTO training_events (id, comment_id, class, delta, tokens, created_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`, e.ID, e.CommentID, string(e.Class), e.Delta, string(tokens), storage.ClampNanos(e.CreatedAt))
	}
	for _, e := range b.Audit {
		exec(`INSERT INTO audit_log (id, at, actor, action, comment_id, from_status, to_status, score, detail)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			e.ID, storage.ClampNanos(e.At), e.Actor, e.Action, e.CommentID, string(e.FromStatus), string(e.ToStatus), e.Score, e.Detail)
	}
	ups, uerr := storage.SiteUpserts(b)
	if err == nil {
		err = uerr
	}
	for _, u := range ups {
		exec(u.SQL, u.Args...)
	}
	if snap := b.Snapshot; snap != nil {
		data := snap.Data
		if data == nil {
			data = []byte{}
		}
		exec(`INSERT INTO model_snapshots (id, last_event_id, starter_version, data, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`, snap.ID, snap.LastEventID, snap.StarterVersion, data, storage.ClampNanos(snap.CreatedAt))
	}
	for table, id := range b.LastIDs {
		if id > 0 && slices.Contains(storage.Tables, table) {
			// AUTOINCREMENT gives ids after sqlite_sequence's, which has a row once a table had one.
			exec(`INSERT INTO sqlite_sequence (name, seq) SELECT ?, 0
				WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?)`, table, table)
			exec(`UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?`, id, table)
		}
	}
	return err
}
