package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/commentd/commentd/internal/storage"
)

// commentWrite is the statements of one new comment; it returns the comment's id.
type commentWrite func(ctx context.Context, q queryer) (int64, error)

// committer writes concurrent CreateComment calls in shared transactions
// (storage.Group): one BEGIN IMMEDIATE ... COMMIT and one set of WAL frames
// for the whole group.
type committer struct {
	insert, unique *sql.Stmt // insertCommentSQL and insertUniqueSQL, prepared once on the writer connection
	group          *storage.Group[commentWrite]
}

// startCommitter prepares the inserts and starts the group commit;
// onCheckpoint (tests only, may be nil) hears of each idle checkpoint.
func (s *Store) startCommitter(ctx context.Context, onCheckpoint func(frames, copied int)) error {
	insert, err := s.write.PrepareContext(ctx, insertCommentSQL)
	if err != nil {
		return err
	}
	unique, err := s.write.PrepareContext(ctx, insertUniqueSQL)
	if err != nil {
		insert.Close()
		return err
	}
	s.commit = &committer{insert: insert, unique: unique}
	ck := &checkpointer{db: s.write, done: onCheckpoint}
	// A busy lock would fail each comment alone as well: no retry one by one.
	s.commit.group = storage.NewGroup(s.insertAll, func(err error) bool { return !isBusy(err) }, ck.idle)
	return nil
}

// An idle writer starts a checkpoint at most every checkpointGap, counted
// from the last one's start: a checkpoint copies what was written since the
// one before, so a rest that grew with a slow checkpoint would make the next
// one slower still (on this project's test machine a rest of twice the last
// checkpoint's length fed back until checkpoints were as large as SQLite's
// own). It waits at most checkpointWait for the writer connection: one held
// longer is running a long write (an import, a bulk decision) that comments
// queue behind as well.
const (
	checkpointGap     = 20 * time.Millisecond
	checkpointWait    = time.Millisecond
	checkpointTimeout = 10 * time.Second
)

// checkpointer copies the WAL into the database file while the writer has
// nothing to commit.
//
// SQLite does this itself (wal_autocheckpoint) inside the commit that brings
// the WAL to 1,000 pages, and every comment queued behind that commit waited
// for it: 10-20 ms under a steady stream of comments, the slowest tenth of
// POSTs. Checkpointing between groups, whenever none waits and at most every
// checkpointGap, keeps each checkpoint small (a few hundred pages) and off the
// commits' path; SQLite's own remains for a writer that is never idle. What a
// burst writes within checkpointGap of its last checkpoint waits in the WAL
// for the next idle moment (or SQLite's own, or Close), safely: the WAL is
// part of the database.
type checkpointer struct {
	db   *sql.DB                  // the writer's pool: one connection
	next time.Time                // no checkpoint before then
	done func(frames, copied int) // after each checkpoint; tests only, may be nil
}

// idle runs a PASSIVE checkpoint, which waits for no reader, once next has
// come. It runs on the group's goroutine only; ctx ends at Close.
func (c *checkpointer) idle(ctx context.Context) {
	start := time.Now()
	if start.Before(c.next) {
		return
	}
	wait, cancelWait := context.WithTimeout(ctx, checkpointWait)
	conn, err := c.db.Conn(wait)
	cancelWait()
	if err != nil {
		return // the connection is busy with a long write, or Close has begun
	}
	defer conn.Close() // back to the pool
	ctx, cancel := context.WithTimeout(ctx, checkpointTimeout)
	defer cancel()
	var busy, frames, copied int
	// An I/O error leaves the WAL to the next checkpoint; an interrupted one
	// copied nothing that counts.
	err = conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
	c.next = start.Add(checkpointGap)
	// busy: another process holds the checkpoint lock, and the counts are -1.
	if err == nil && busy == 0 && c.done != nil {
		c.done(frames, copied)
	}
}

// stopCommitter commits what is being written, answers what is queued and ends the goroutine.
func (s *Store) stopCommitter() {
	if s.commit == nil {
		return
	}
	s.commit.group.Close()
	s.commit.insert.Close()
	s.commit.unique.Close()
}

// insertAll writes the comments in one transaction and returns their ids.
func (s *Store) insertAll(ctx context.Context, writes []commentWrite) ([]int64, error) {
	ids := make([]int64, len(writes))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		p := newPreparer(tx)
		p.stmts[insertCommentSQL] = tx.StmtContext(ctx, s.commit.insert) // not parsed again per group
		p.stmts[insertUniqueSQL] = tx.StmtContext(ctx, s.commit.unique)
		for i, w := range writes {
			var err error
			if ids[i], err = w(ctx, p); err != nil {
				return fmt.Errorf("comment %d of %d: %w", i+1, len(writes), err)
			}
		}
		return nil
	})
	return ids, err
}
