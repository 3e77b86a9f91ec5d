package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// maxGroup bounds how many comments one group commit writes.
const maxGroup = 256

// errClosed answers the inserts that arrive after Close.
var errClosed = errors.New("store closed")

// insert is one CreateComment waiting for its group's commit.
type insert struct {
	ctx   context.Context
	write func(ctx context.Context, q queryer) (int64, error) // the statements of one comment; returns its id
	id    int64
	done  chan error // buffered: the committer never waits on a caller
}

// committer writes concurrent CreateComment calls in shared transactions
// (group commit): one goroutine takes every insert that is waiting, writes them
// in one BEGIN IMMEDIATE ... COMMIT, and only then answers each caller. A
// lone insert is written at once, so an idle server pays no delay; under load
// the WAL frames and the commit are shared by the whole group.
type committer struct {
	insert   *sql.Stmt // insertCommentSQL, prepared once on the writer connection
	queue    chan *insert
	quit     chan struct{}
	done     chan struct{} // closed when the goroutine has returned
	stopOnce sync.Once
}

func (s *Store) startCommitter(ctx context.Context) error {
	st, err := s.write.PrepareContext(ctx, insertCommentSQL)
	if err != nil {
		return err
	}
	s.commit = &committer{insert: st, queue: make(chan *insert, maxGroup), quit: make(chan struct{}), done: make(chan struct{})}
	go s.runCommitter()
	return nil
}

// stopCommitter answers what is queued and ends the goroutine.
func (s *Store) stopCommitter() {
	if s.commit == nil {
		return
	}
	s.commit.stopOnce.Do(func() {
		close(s.commit.quit)
		<-s.commit.done
		s.commit.insert.Close()
	})
	<-s.commit.done
}

// enqueue hands in to the committer and waits for its commit. A caller whose
// context ends before its insert is taken is answered with the context's
// error and nothing is stored; once taken, the caller waits for the commit, so
// that an answer without error always means a committed comment and an error
// means none was stored.
func (s *Store) enqueue(in *insert) error {
	select {
	case s.commit.queue <- in:
	case <-in.ctx.Done():
		return in.ctx.Err()
	case <-s.commit.quit:
		return errClosed
	}
	select {
	case err := <-in.done:
		return err
	case <-s.commit.done: // closed while this insert was being queued
		select {
		case err := <-in.done:
			return err
		default:
			return errClosed
		}
	}
}

func (s *Store) runCommitter() {
	defer close(s.commit.done)
	group := make([]*insert, 0, maxGroup)
	for {
		select {
		case in := <-s.commit.queue:
			group = append(group[:0], in)
		case <-s.commit.quit:
			s.drain()
			return
		}
	more:
		for len(group) < maxGroup {
			select {
			case in := <-s.commit.queue:
				group = append(group, in)
			default:
				break more
			}
		}
		s.writeGroup(group)
		clear(group)
	}
}

// drain answers the inserts queued at Close.
func (s *Store) drain() {
	for {
		select {
		case in := <-s.commit.queue:
			in.done <- errClosed
		default:
			return
		}
	}
}

// writeGroup commits group in one transaction. When that fails for another
// reason than a busy lock (which would fail each alone as well), each insert
// is written alone, so that one bad row does not fail the others.
func (s *Store) writeGroup(group []*insert) {
	live := group[:0]
	for _, in := range group {
		if err := in.ctx.Err(); err != nil {
			in.done <- err // gave up while queued: not stored
			continue
		}
		live = append(live, in)
	}
	if len(live) == 0 {
		return
	}
	err := s.insertAll(live)
	if err == nil || len(live) == 1 || isBusy(err) {
		for _, in := range live {
			in.done <- err
		}
		return
	}
	for _, in := range live {
		in.done <- s.insertAll([]*insert{in})
	}
}

// insertAll writes inserts in one transaction and sets their ids once it is committed.
func (s *Store) insertAll(inserts []*insert) error {
	// The callers are waiting for this commit and gave up on none of them: one
	// caller's deadline must not roll back the others' comments.
	ctx := context.WithoutCancel(inserts[0].ctx)
	ids := make([]int64, len(inserts))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		p := newPreparer(tx)
		p.stmts[insertCommentSQL] = tx.StmtContext(ctx, s.commit.insert) // not parsed again per group
		for i, in := range inserts {
			var err error
			if ids[i], err = in.write(ctx, p); err != nil {
				return fmt.Errorf("comment %d of %d: %w", i+1, len(inserts), err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, in := range inserts {
		in.id = ids[i]
	}
	return nil
}
