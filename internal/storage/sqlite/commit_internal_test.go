package sqlite

import (
	"errors"
	"testing"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// TestGroupCommitAfterClose answers instead of hanging. (Concurrent creates
// are in the conformance suite: CreateConcurrent.)
func TestGroupCommitAfterClose(t *testing.T) {
	s, _ := openTest(t, defaultOptions)
	s.Close()
	c := newComment(models.StatusApproved)
	if err := s.CreateComment(t.Context(), &c); !errors.Is(err, storage.ErrClosed) {
		t.Fatalf("err = %v, want storage.ErrClosed", err)
	}
}
