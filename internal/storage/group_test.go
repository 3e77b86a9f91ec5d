package storage

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/commentd/commentd/models"
)

// ledger is a committed log of strings: a transaction appends its items
// unless one of them is "bad", and then appends none.
type ledger struct {
	mu      sync.Mutex
	rows    []string
	commits int
}

var errBad = errors.New("bad item")

func (l *ledger) commit(_ context.Context, items []string) ([]int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if slices.Contains(items, "bad") {
		return nil, errBad
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		l.rows = append(l.rows, it)
		ids[i] = int64(len(l.rows))
	}
	l.commits++
	return ids, nil
}

func (l *ledger) row(id int64) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rows[id-1]
}

func TestGroupWrites(t *testing.T) {
	tests := []struct {
		name    string
		alone   bool // retry a failed group item by item
		bad     int  // how many callers write "bad"
		callers int
	}{
		{"concurrent callers", true, 0, 300},
		{"a bad item does not fail the others", true, 3, 200},
		{"no retry: a failed group fails all its items", false, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &ledger{}
			g := NewGroup(l.commit, func(error) bool { return tt.alone }, nil)
			defer g.Close()
			ids := make([]int64, tt.callers)
			errs := make([]error, tt.callers)
			var wg sync.WaitGroup
			for i := range tt.callers {
				wg.Go(func() {
					item := fmt.Sprint("item ", i)
					if i < tt.bad {
						item = "bad"
					}
					ids[i], errs[i] = g.Write(t.Context(), item)
				})
			}
			wg.Wait()
			seen := map[int64]bool{}
			for i := range tt.callers {
				if i < tt.bad {
					if !errors.Is(errs[i], errBad) {
						t.Errorf("bad item %d: err = %v, want errBad", i, errs[i])
					}
					continue
				}
				if errs[i] != nil {
					t.Fatalf("item %d: %v", i, errs[i])
				}
				if seen[ids[i]] || l.row(ids[i]) != fmt.Sprint("item ", i) {
					t.Fatalf("item %d got id %d holding %q", i, ids[i], l.row(ids[i]))
				}
				seen[ids[i]] = true
			}
			if len(l.rows) != tt.callers-tt.bad {
				t.Errorf("%d rows committed, want %d", len(l.rows), tt.callers-tt.bad)
			}
		})
	}
}

// TestGroupCanceledWhileQueued: a caller that gives up before its write is
// taken gets the context's error and nothing is committed.
func TestGroupCanceledWhileQueued(t *testing.T) {
	l := &ledger{}
	g := &Group[string]{commit: l.commit, alone: func(error) bool { return true }}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	w := &groupWrite[string]{ctx: ctx, item: "late", done: make(chan error, 1)}
	g.write([]*groupWrite[string]{w})
	if err := <-w.done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if len(l.rows) != 0 || l.commits != 0 {
		t.Fatalf("committed %v in %d commits, want nothing", l.rows, l.commits)
	}
}

// TestGroupAfterClose answers instead of hanging.
func TestGroupAfterClose(t *testing.T) {
	l := &ledger{}
	g := NewGroup(l.commit, func(error) bool { return true }, nil)
	g.Close()
	g.Close() // twice is fine
	if _, err := g.Write(t.Context(), "x"); !errors.Is(err, ErrClosed) || !errors.Is(err, models.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrClosed, as models.ErrUnavailable", err)
	}
}

// TestGroupCommitHasADeadline: a commit never runs unbounded, even for
// callers without a deadline, so a database that stops answering fails the
// group instead of holding every later write.
func TestGroupCommitHasADeadline(t *testing.T) {
	deadline := make(chan bool, 1)
	g := NewGroup(func(ctx context.Context, items []string) ([]int64, error) {
		_, ok := ctx.Deadline()
		deadline <- ok
		return make([]int64, len(items)), nil
	}, func(error) bool { return false }, nil)
	defer g.Close()
	if _, err := g.Write(context.Background(), "x"); err != nil {
		t.Fatal(err)
	}
	if !<-deadline {
		t.Error("the commit's context has no deadline")
	}
}

// TestGroupIdle: idle runs after a commit that leaves no write waiting, and
// not after one that writes behind it are queued for.
func TestGroupIdle(t *testing.T) {
	l := &ledger{}
	entered, release := make(chan struct{}), make(chan struct{})
	var idles []int // the ledger's commits at each idle call
	first := true
	g := NewGroup(func(ctx context.Context, items []string) ([]int64, error) {
		if first { // hold the first commit until three more writes are queued
			first = false
			close(entered)
			<-release
		}
		return l.commit(ctx, items)
	}, func(error) bool { return false }, func(context.Context) { idles = append(idles, l.commits) })
	var wg sync.WaitGroup
	wg.Go(func() { _, _ = g.Write(t.Context(), "first") })
	<-entered
	for i := range 3 {
		wg.Go(func() { _, _ = g.Write(t.Context(), fmt.Sprint("queued ", i)) })
	}
	for len(g.queue) < 3 {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	g.Close() // idle has returned: it runs before the goroutine takes the next write
	if l.commits != 2 {
		t.Fatalf("commits = %d, want 2 (the first write, then the three queued behind it)", l.commits)
	}
	if !slices.Equal(idles, []int{2}) {
		t.Errorf("idle ran after commits %v, want only after the last (2)", idles)
	}
}

// TestGroupCloseEndsIdle: Close does not wait out a long idle task; its
// context ends.
func TestGroupCloseEndsIdle(t *testing.T) {
	l := &ledger{}
	started := make(chan struct{})
	g := NewGroup(l.commit, func(error) bool { return false }, func(ctx context.Context) {
		close(started)
		<-ctx.Done()
	})
	if _, err := g.Write(t.Context(), "x"); err != nil {
		t.Fatal(err)
	}
	<-started
	closed := make(chan struct{})
	go func() {
		g.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close still waits for the idle task")
	}
}
