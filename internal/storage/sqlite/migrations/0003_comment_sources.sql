-- Where imported comments came from: a key per source comment that stays the
-- same each time the same export is imported ("wordpress:blog.example.org:42"),
-- so that importing it again skips what is there. No foreign key: the key of a
-- comment deleted since stays, so an import does not bring it back.
CREATE TABLE comment_sources (
	key        TEXT    PRIMARY KEY,
	comment_id INTEGER NOT NULL,
	parent_key TEXT    NOT NULL DEFAULT '' -- the source's key of the comment it replies to
) STRICT, WITHOUT ROWID;
-- Threading replies whose parent came later in the file.
CREATE INDEX comment_sources_by_comment ON comment_sources (comment_id);
