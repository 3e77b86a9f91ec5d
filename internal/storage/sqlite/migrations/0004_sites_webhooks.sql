-- The Akismet-compatible API and the webhooks: sites' API keys, the spam checks
-- other sites asked for, and the outbox of comment changes for the webhook
-- endpoints. Times are UTC unix nanoseconds, as in 0001.

-- A site's key to the Akismet-compatible API; only its SHA-256 is stored.
CREATE TABLE api_keys (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	site       TEXT    NOT NULL,
	hash       BLOB    NOT NULL UNIQUE,
	created_by TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	revoked_at INTEGER                  -- NULL while the key is valid
) STRICT;

-- What the filter saw of a comment another site asked about (not the comment),
-- so that a report on it teaches exactly those tokens once. No foreign key to
-- api_keys: a revoked key's lessons stay.
CREATE TABLE spam_checks (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	guid         TEXT    NOT NULL UNIQUE,
	key_id       INTEGER NOT NULL,
	content_hash BLOB    NOT NULL,        -- SHA-256 of author, email, url and text
	status       TEXT    NOT NULL CHECK (status IN ('approved', 'pending', 'spam', 'trash')),
	score        REAL    NOT NULL,
	tokens       TEXT    NOT NULL,        -- JSON array of strings
	trained_as   TEXT    NOT NULL DEFAULT '' CHECK (trained_as IN ('', 'ham', 'spam')),
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL
) STRICT;
-- A report without a guid finds the latest check of the same content.
CREATE INDEX spam_checks_by_content ON spam_checks (key_id, content_hash, id);
-- DeleteSpamChecks: old checks nobody reported.
CREATE INDEX spam_checks_untaught ON spam_checks (created_at) WHERE trained_as = '';

-- The outbox: one row per comment change, written in the change's transaction
-- and kept until every webhook endpoint has it (or it is given up).
CREATE TABLE webhook_events (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	type            TEXT    NOT NULL,
	comment_id      INTEGER NOT NULL,
	from_status     TEXT    NOT NULL DEFAULT '',
	actor           TEXT    NOT NULL DEFAULT '',
	comment         TEXT,                      -- JSON models.Comment after the change; NULL when deleted
	created_at      INTEGER NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	delivered       TEXT    NOT NULL DEFAULT '[]', -- JSON array of the endpoints that have it
	last_error      TEXT    NOT NULL DEFAULT '',
	lease           TEXT,                      -- the claim holding it, until lease_until
	lease_until     INTEGER,
	done_at         INTEGER,                   -- delivered everywhere, or given up
	failed          INTEGER NOT NULL DEFAULT 0 CHECK (failed IN (0, 1))
) STRICT;
-- ClaimWebhookEvents: what is due, oldest first.
CREATE INDEX webhook_events_due ON webhook_events (next_attempt_at, id) WHERE done_at IS NULL;
-- DeleteWebhookEvents.
CREATE INDEX webhook_events_done ON webhook_events (done_at) WHERE done_at IS NOT NULL;
