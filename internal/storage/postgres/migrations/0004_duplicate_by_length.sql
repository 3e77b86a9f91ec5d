-- FindDuplicate looked at every comment from the same email on the post within
-- the duplicate window (24 hours by default) and compared its text: on a busy
-- post whose readers leave no email (one empty email for all) that was hundreds
-- of rows for every new comment. With the text's length in the index, only the
-- comments of exactly that length are read and compared.
DROP INDEX comments_duplicate;
CREATE INDEX comments_duplicate ON comments (post, email_norm, length(text), created_at);
