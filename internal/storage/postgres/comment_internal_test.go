package postgres

import (
	"slices"
	"testing"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// TestDuplicateLockKeys: only unique comments take a lock; copies (same post,
// email as stored and text) share one, listed once; the keys come sorted, so
// that groups take them in one order.
func TestDuplicateLockKeys(t *testing.T) {
	unique := func(post, emailNorm, text string) newComment {
		return newComment{c: &models.Comment{Post: post, Text: text}, row: storage.CommentRow{EmailNorm: emailNorm}, unique: true}
	}
	plain := unique("p", "ada@example.org", "hello")
	plain.unique = false
	keyOf := func(n newComment) int32 { return duplicateLockKeys([]newComment{n})[0] }
	a, b := unique("p", "ada@example.org", "hello"), unique("p", "ada@example.org", "hello!")
	tests := []struct {
		name     string
		comments []newComment
		want     []int32
	}{
		{"none", nil, nil},
		{"not unique", []newComment{plain}, nil},
		{"copies share a key", []newComment{a, a, plain, a}, []int32{keyOf(a)}},
		{"another text", []newComment{b, a}, slices.Sorted(slices.Values([]int32{keyOf(a), keyOf(b)}))},
		{"fields do not run together", []newComment{unique("p", "ab", "c"), unique("p", "a", "bc")},
			slices.Sorted(slices.Values([]int32{keyOf(unique("p", "ab", "c")), keyOf(unique("p", "a", "bc"))}))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := duplicateLockKeys(tt.comments); !slices.Equal(got, tt.want) {
				t.Errorf("duplicateLockKeys = %v, want %v", got, tt.want)
			}
		})
	}
	if keyOf(a) == keyOf(b) || keyOf(unique("p", "ab", "c")) == keyOf(unique("p", "a", "bc")) {
		t.Error("different comments share a key (a collision of these few would be a bug, not chance)")
	}
}
