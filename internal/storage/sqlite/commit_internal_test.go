package sqlite

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/commentd/commentd/models"
)

// TestGroupCommit creates comments from many goroutines at once: each caller
// gets its own id and finds its comment stored, as with one transaction each.
func TestGroupCommit(t *testing.T) {
	s, _ := openTest(t, defaultOptions)
	const n = 300
	ids := make([]int64, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c := newComment(models.StatusApproved)
			c.Text = fmt.Sprint("comment ", i)
			errs[i] = s.CreateComment(t.Context(), &c)
			ids[i] = c.ID
		})
	}
	wg.Wait()
	seen := map[int64]bool{}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("comment %d: %v", i, errs[i])
		}
		if seen[ids[i]] {
			t.Fatalf("id %d given twice", ids[i])
		}
		seen[ids[i]] = true
		got, err := s.GetComment(t.Context(), ids[i])
		if err != nil || got.Text != fmt.Sprint("comment ", i) {
			t.Fatalf("comment %d as stored: %+v, %v", i, got, err)
		}
	}
}

// TestGroupCommitCanceledWhileQueued: a caller that gives up before its
// insert is taken gets the context's error and nothing is stored.
func TestGroupCommitCanceledWhileQueued(t *testing.T) {
	s, _ := openTest(t, defaultOptions)
	ctx, cancel := context.WithCancel(t.Context())
	in := &insert{ctx: ctx, done: make(chan error, 1), write: func(context.Context, queryer) (int64, error) {
		t.Error("a canceled insert was written")
		return 0, nil
	}}
	cancel()
	s.writeGroup([]*insert{in})
	if err := <-in.done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	counts, err := s.CountByStatus(t.Context())
	if err != nil || counts[models.StatusApproved]+counts[models.StatusPending] != 0 {
		t.Fatalf("counts = %v, %v; want nothing stored", counts, err)
	}
}

// TestGroupCommitAfterClose answers instead of hanging.
func TestGroupCommitAfterClose(t *testing.T) {
	s, _ := openTest(t, defaultOptions)
	s.Close()
	c := newComment(models.StatusApproved)
	if err := s.CreateComment(t.Context(), &c); !errors.Is(err, errClosed) {
		t.Fatalf("err = %v, want errClosed", err)
	}
}
