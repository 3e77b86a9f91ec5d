package storagetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/commentd/commentd/models"
)

// base is the suite's clock: nanoseconds set and a zone other than UTC, so the
// round trip of both is checked.
var base = time.Date(2025, 6, 1, 12, 0, 0, 123456789, time.FixedZone("IST", 5*3600+1800))

// at returns base plus n nanoseconds.
func at(n int) time.Time { return base.Add(time.Duration(n)) }

// comment returns a valid comment for post with status st created at t.
func comment(post string, st models.Status, t time.Time) models.Comment {
	return models.Comment{
		Post: post, Author: "Ada", Email: "ada@example.org", Text: "Hello there",
		IP: "203.0.113.7", UserAgent: "test/1.0", Status: st, Score: 0.25,
		CreatedAt: t, UpdatedAt: t,
	}
}

// create stores c and returns it as stored.
func create(t *testing.T, s Store, c models.Comment) models.Comment {
	t.Helper()
	if err := s.CreateComment(t.Context(), &c); err != nil {
		t.Fatalf("CreateComment(%q): %v", c.Text, err)
	}
	if c.ID <= 0 {
		t.Fatalf("CreateComment set ID %d", c.ID)
	}
	return c
}

// get fetches id or fails.
func get(t *testing.T, s Store, id int64) models.Comment {
	t.Helper()
	c, err := s.GetComment(t.Context(), id)
	if err != nil {
		t.Fatalf("GetComment(%d): %v", id, err)
	}
	return c
}

// checkComment fails unless got equals want field by field: times are compared
// as instants and must come back in UTC; nil and empty slices are equal.
func checkComment(t *testing.T, got, want models.Comment) {
	t.Helper()
	for _, tm := range []time.Time{got.CreatedAt, got.UpdatedAt} {
		if tm.Location() != time.UTC {
			t.Errorf("comment %d: time %v is not in UTC", got.ID, tm)
		}
	}
	if g, w := normComment(got), normComment(want); !reflect.DeepEqual(g, w) {
		t.Errorf("comment mismatch\n got: %+v\nwant: %+v", g, w)
	}
}

func normComment(c models.Comment) models.Comment {
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	if len(c.Reasons.Rules) == 0 {
		c.Reasons.Rules = nil
	}
	if len(c.Reasons.Tokens) == 0 {
		c.Reasons.Tokens = nil
	}
	return c
}

// checkEvent compares events like checkComment compares comments.
func checkEvent(t *testing.T, got, want models.TrainingEvent) {
	t.Helper()
	if got.CreatedAt.Location() != time.UTC {
		t.Errorf("event %d: time %v is not in UTC", got.ID, got.CreatedAt)
	}
	if got.ID != want.ID || got.CommentID != want.CommentID || got.Class != want.Class ||
		got.Delta != want.Delta || !slices.Equal(got.Tokens, want.Tokens) || !got.CreatedAt.Equal(want.CreatedAt) {
		t.Errorf("event mismatch\n got: %+v\nwant: %+v", got, want)
	}
}

// ids returns the IDs of cs.
func ids(cs []models.Comment) []int64 {
	out := make([]int64, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// wantInvalid fails unless err is a *models.ValidationError naming field.
func wantInvalid(t *testing.T, err error, field string) {
	t.Helper()
	var v *models.ValidationError
	if !errors.As(err, &v) || !errors.Is(err, models.ErrInvalid) {
		t.Fatalf("err = %v, want a *models.ValidationError", err)
	}
	for _, f := range v.Fields {
		if f.Field == field {
			return
		}
	}
	t.Fatalf("err = %v, want a field error for %q", err, field)
}

// wantErr fails unless errors.Is(err, target).
func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("err = %v, want %v", err, target)
	}
}

// describe names a comment in failure messages.
func describe(c models.Comment) string {
	return fmt.Sprintf("#%d %s %s", c.ID, c.Status, c.CreatedAt.Format(time.RFC3339Nano))
}
