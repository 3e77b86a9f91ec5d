-- The moderator console: accounts with their API tokens and sessions, the policy
-- admins edit at run time (settings, word lists, bans), the audit log, and the
-- indexes the filtered queue needs. Times are UTC unix nanoseconds, as in 0001.

-- Names are unique ignoring case: name_norm is the lower-cased name, set by the store.
CREATE TABLE moderators (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	name          TEXT    NOT NULL,
	name_norm     TEXT    NOT NULL UNIQUE,
	role          TEXT    NOT NULL CHECK (role IN ('admin', 'moderator')),
	password_hash TEXT    NOT NULL,
	created_at    INTEGER NOT NULL
) STRICT;

-- No foreign key: a deleted moderator's tokens stay, revoked, for the record.
CREATE TABLE api_tokens (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	moderator_id INTEGER NOT NULL,
	name         TEXT    NOT NULL,
	hash         BLOB    NOT NULL UNIQUE, -- SHA-256 of the token
	created_at   INTEGER NOT NULL,
	revoked_at   INTEGER                  -- NULL while the token is valid
) STRICT;
CREATE INDEX api_tokens_by_moderator ON api_tokens (moderator_id, id);

CREATE TABLE sessions (
	id           BLOB    PRIMARY KEY, -- SHA-256 of the cookie value
	moderator_id INTEGER NOT NULL REFERENCES moderators (id) ON DELETE CASCADE,
	csrf_token   TEXT    NOT NULL,
	created_at   INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_by_moderator ON sessions (moderator_id);

-- At most one row (id 1), written whole: JSON models.Settings, so a new field
-- needs no migration; a field missing from the stored JSON reads as its zero value.
CREATE TABLE settings (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	data       TEXT    NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;

-- One word per kind ignoring case: word_norm is the lower-cased word.
CREATE TABLE words (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	kind       TEXT    NOT NULL CHECK (kind IN ('blocked', 'held')),
	word       TEXT    NOT NULL,
	word_norm  TEXT    NOT NULL,
	created_by TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	UNIQUE (kind, word_norm)
) STRICT;

-- Small and read whole; expired bans stay until deleted, the caller skips them.
CREATE TABLE bans (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	kind       TEXT    NOT NULL CHECK (kind IN ('email', 'ip', 'author')),
	value      TEXT    NOT NULL,
	reason     TEXT    NOT NULL DEFAULT '',
	expires_at INTEGER,                   -- NULL: never
	created_by TEXT    NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;

-- Append-only. comment_id 0: not about a comment. No foreign key: the record
-- outlives deleted comments.
CREATE TABLE audit_log (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	at          INTEGER NOT NULL,
	actor       TEXT    NOT NULL,
	action      TEXT    NOT NULL,
	comment_id  INTEGER NOT NULL DEFAULT 0,
	from_status TEXT    NOT NULL DEFAULT '',
	to_status   TEXT    NOT NULL DEFAULT '',
	score       REAL,                     -- NULL: not recorded
	detail      TEXT    NOT NULL DEFAULT ''
) STRICT;
-- ListAudit, newest first, unfiltered and by each filter it takes.
CREATE INDEX audit_by_at ON audit_log (at, id);
CREATE INDEX audit_by_actor ON audit_log (actor, at, id);
CREATE INDEX audit_by_action ON audit_log (action, at, id);
CREATE INDEX audit_by_comment ON audit_log (comment_id, at, id);

-- The comment's IP as a family byte (4 or 6) and the address bytes, so that a
-- CIDR filter is a range over an index. NULL when ip is not an address. The
-- store computes it in Go; this migration's Go step fills it for older rows.
ALTER TABLE comments ADD COLUMN ip_key BLOB;

-- The queue sorted by score (most likely spam first).
CREATE INDEX comments_by_score ON comments (status, score, id);
-- The queue filtered by email, and AuthorHistory.
CREATE INDEX comments_by_email ON comments (email_norm, status, created_at, id);
-- The queue filtered by an address or a range.
CREATE INDEX comments_by_ip ON comments (status, ip_key, created_at, id);
