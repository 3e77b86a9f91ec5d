-- Times are UTC unix nanoseconds (INTEGER), so ordering and round trips are exact.
-- AUTOINCREMENT keeps ids increasing and never reused, even after deletes.

CREATE TABLE comments (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	post        TEXT    NOT NULL,
	parent      INTEGER NOT NULL DEFAULT 0, -- no foreign key: replies outlive a deleted parent
	author      TEXT    NOT NULL,
	email       TEXT    NOT NULL,
	email_norm  TEXT    NOT NULL,           -- lower-cased email, for the duplicate lookup
	url         TEXT    NOT NULL DEFAULT '',
	text        TEXT    NOT NULL,
	ip          TEXT    NOT NULL DEFAULT '',
	user_agent  TEXT    NOT NULL DEFAULT '',
	status      TEXT    NOT NULL CHECK (status IN ('approved', 'pending', 'spam', 'trash')),
	score       REAL    NOT NULL DEFAULT 0,
	reasons     TEXT    NOT NULL DEFAULT '{}', -- JSON models.Reasons
	trained_as  TEXT    NOT NULL DEFAULT '' CHECK (trained_as IN ('', 'ham', 'spam')),
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
) STRICT;

-- A post's published thread, oldest first; also serves CountApproved. Not a partial
-- index on status = 'approved': with one, the planner preferred comments_by_status.
CREATE INDEX comments_by_post ON comments (post, status, created_at, id);
-- The moderation queues, newest first; also serves CountByStatus.
CREATE INDEX comments_by_status ON comments (status, created_at, id);
-- FindDuplicate.
CREATE INDEX comments_duplicate ON comments (post, email_norm, created_at);

-- The append-only log the filter learns from. comment_id 0: not from a comment.
-- No foreign key: the log outlives deleted comments.
CREATE TABLE training_events (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	comment_id  INTEGER NOT NULL DEFAULT 0,
	class       TEXT    NOT NULL CHECK (class IN ('ham', 'spam')),
	delta       INTEGER NOT NULL CHECK (delta IN (-1, 1)),
	tokens      TEXT    NOT NULL, -- JSON array of strings
	created_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX training_events_by_comment ON training_events (comment_id, id);

CREATE TABLE model_snapshots (
	id               INTEGER PRIMARY KEY AUTOINCREMENT,
	last_event_id    INTEGER NOT NULL,
	starter_version  TEXT    NOT NULL,
	data             BLOB    NOT NULL,
	created_at       INTEGER NOT NULL
) STRICT;
