package sqlite

import (
	"context"
	"database/sql"
	"fmt"

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

func (s *Store) startCommitter(ctx context.Context) error {
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
	// A busy lock would fail each comment alone as well: no retry one by one.
	s.commit.group = storage.NewGroup(s.insertAll, func(err error) bool { return !isBusy(err) })
	return nil
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
