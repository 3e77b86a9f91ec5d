package storage

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/commentd/commentd/models"
)

// ErrClosed answers the writes that arrive after a Group is closed: the
// process is shutting down, so it wraps models.ErrUnavailable (a 503, for the
// client to retry, on another instance or this one restarted).
var ErrClosed = fmt.Errorf("storage: closed: %w", models.ErrUnavailable)

// maxGroup bounds how many writes one group commit carries.
const maxGroup = 256

// commitTimeout bounds one group's commit: a database that stops answering
// (a half-open connection, a lock held by a migration) fails the group
// instead of holding every later write, and Close, indefinitely.
const commitTimeout = 30 * time.Second

// Group writes concurrent calls in shared transactions (group commit): one
// goroutine takes every write that is waiting, commits them together, and
// only then answers each caller. A lone write is committed at once, so an idle
// server pays no delay; under load the commit (WAL frames, an fsync, a round
// trip) is shared by the whole group.
//
// A caller whose context ends before its write is taken gets the context's
// error and nothing is stored; once taken, the caller waits for the commit, so
// that an answer without error always means a committed write, and an error
// means none was stored.
type Group[T any] struct {
	commit func(ctx context.Context, items []T) ([]int64, error) // one transaction; an id per item
	alone  func(error) bool                                      // whether a failed group is retried item by item
	idle   func(ctx context.Context)                             // run when a commit leaves no write waiting; may be nil
	stop   context.CancelFunc                                    // ends the context idle is given, at Close
	queue  chan *groupWrite[T]
	quit   chan struct{}
	done   chan struct{} // closed when the goroutine has returned
	once   sync.Once
}

// groupWrite is one call waiting for its group's commit.
type groupWrite[T any] struct {
	ctx  context.Context
	item T
	id   int64
	done chan error // buffered: the goroutine never waits on a caller
}

// NewGroup starts a Group. commit writes items in one transaction and returns
// their ids in order; the context it gets is the first caller's without its
// cancellation (one caller's deadline must not roll back the others' writes),
// bounded by commitTimeout.
// When a group fails with an error for which retryAlone reports true, each
// item is committed alone, so that one bad item does not fail the others;
// errors that would fail each alone as well (a busy database) should report false.
//
// idle, when not nil, runs on the same goroutine after a group whose callers
// have all been answered, when no write is waiting: upkeep of the writer's
// connection (SQLite copying its WAL into the database) then delays the writes
// that arrive while it runs, and other users of that connection, instead of a
// commit and every write queued behind it. Its context ends at Close.
func NewGroup[T any](commit func(ctx context.Context, items []T) ([]int64, error), retryAlone func(error) bool, idle func(ctx context.Context)) *Group[T] {
	g := &Group[T]{commit: commit, alone: retryAlone, idle: idle, queue: make(chan *groupWrite[T], maxGroup),
		quit: make(chan struct{}), done: make(chan struct{})}
	ctx, stop := context.WithCancel(context.Background())
	g.stop = stop
	go g.run(ctx)
	return g
}

// Write queues item, waits for its commit and returns its id.
func (g *Group[T]) Write(ctx context.Context, item T) (int64, error) {
	w := &groupWrite[T]{ctx: ctx, item: item, done: make(chan error, 1)}
	select {
	case g.queue <- w:
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-g.quit:
		return 0, ErrClosed
	}
	select {
	case err := <-w.done:
		return w.id, err
	case <-g.done: // closed while w was being queued
		select {
		case err := <-w.done:
			return w.id, err
		default:
			return 0, ErrClosed
		}
	}
}

// Close commits what is being written, answers what is queued with ErrClosed
// and ends the goroutine.
func (g *Group[T]) Close() {
	g.once.Do(func() {
		close(g.quit)
		g.stop() // an idle task in progress gives up
	})
	<-g.done
}

func (g *Group[T]) run(ctx context.Context) {
	defer close(g.done)
	group := make([]*groupWrite[T], 0, maxGroup)
	for {
		select {
		case w := <-g.queue:
			group = append(group[:0], w)
		case <-g.quit:
			g.drain()
			return
		}
	more:
		for len(group) < maxGroup {
			select {
			case w := <-g.queue:
				group = append(group, w)
			default:
				break more
			}
		}
		g.write(group)
		clear(group)
		if g.idle != nil && len(g.queue) == 0 {
			g.idle(ctx)
		}
	}
}

// drain answers the writes queued at Close.
func (g *Group[T]) drain() {
	for {
		select {
		case w := <-g.queue:
			w.done <- ErrClosed
		default:
			return
		}
	}
}

// write commits group, without the writes whose callers gave up while queued.
func (g *Group[T]) write(group []*groupWrite[T]) {
	live := group[:0]
	for _, w := range group {
		if err := w.ctx.Err(); err != nil {
			w.done <- err // gave up while queued: not stored
			continue
		}
		live = append(live, w)
	}
	if len(live) == 0 {
		return
	}
	err := g.commitAll(live)
	if err == nil || len(live) == 1 || !g.alone(err) {
		for _, w := range live {
			w.done <- err
		}
		return
	}
	for _, w := range live {
		w.done <- g.commitAll([]*groupWrite[T]{w})
	}
}

// commitAll commits ws in one transaction and sets their ids.
func (g *Group[T]) commitAll(ws []*groupWrite[T]) error {
	items := make([]T, len(ws))
	for i, w := range ws {
		items[i] = w.item
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ws[0].ctx), commitTimeout)
	defer cancel()
	ids, err := g.commit(ctx, items)
	if err != nil {
		return err
	}
	for i, w := range ws {
		w.id = ids[i]
	}
	return nil
}
