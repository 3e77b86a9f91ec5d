package storagetest

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/commentd/commentd/models"
)

func testSessions(t *testing.T, s Store) {
	ctx := t.Context()
	ada := moderator(t, s, "ada", models.RoleAdmin)
	tests := []struct {
		name  string
		sess  models.Session
		check func(t *testing.T, err error)
	}{
		{"session", models.Session{ID: hash("c1"), ModeratorID: ada.ID, CSRFToken: "x1", CreatedAt: at(100), LastSeenAt: at(150)}, nil},
		{"zero last seen", models.Session{ID: hash("c2"), ModeratorID: ada.ID, CSRFToken: "x2", CreatedAt: at(200)}, nil},
		{"zero times", models.Session{ID: hash("c3"), ModeratorID: ada.ID, CSRFToken: "x3"}, nil},
		{"id in use", models.Session{ID: hash("c1"), ModeratorID: ada.ID, CreatedAt: at(1)}, is(models.ErrConflict)},
		{"empty id", models.Session{ModeratorID: ada.ID}, field("id")},
		{"unknown moderator", models.Session{ID: hash("c9"), ModeratorID: ada.ID + 1}, is(models.ErrNotFound)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			err := s.CreateSession(ctx, tt.sess)
			if tt.check != nil {
				tt.check(t, err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, m, err := s.SessionByID(ctx, tt.sess.ID)
			if err != nil {
				t.Fatal(err)
			}
			checkModerator(t, m, ada)
			want := tt.sess
			if want.CreatedAt.IsZero() {
				wantNow(t, "CreatedAt", got.CreatedAt, start)
				want.CreatedAt = got.CreatedAt
			}
			if want.LastSeenAt.IsZero() {
				want.LastSeenAt = want.CreatedAt
			}
			checkSession(t, got, want)
		})
	}
	for _, id := range [][]byte{nil, hash("c9"), hash("c1")[:16]} {
		_, _, err := s.SessionByID(ctx, id)
		wantErr(t, err, models.ErrNotFound)
	}

	touches := []struct {
		name string
		at   time.Time
		want time.Time
	}{
		{"forward", at(300), at(300)},
		{"back is ignored", at(120), at(300)},
		{"same time", at(300), at(300)},
		{"forward again", at(301), at(301)},
	}
	for _, tt := range touches {
		t.Run("touch "+tt.name, func(t *testing.T) {
			if err := s.TouchSession(ctx, hash("c1"), tt.at); err != nil {
				t.Fatal(err)
			}
			got, _, err := s.SessionByID(ctx, hash("c1"))
			if err != nil {
				t.Fatal(err)
			}
			if !got.LastSeenAt.Equal(tt.want) || !got.CreatedAt.Equal(at(100)) {
				t.Errorf("after touch: created %v, last seen %v; want %v", got.CreatedAt, got.LastSeenAt, tt.want)
			}
		})
	}
	wantErr(t, s.TouchSession(ctx, hash("c9"), at(1)), models.ErrNotFound)

	if err := s.DeleteSession(ctx, hash("c3")); err != nil {
		t.Fatal(err)
	}
	_, _, err := s.SessionByID(ctx, hash("c3"))
	wantErr(t, err, models.ErrNotFound)
	wantErr(t, s.DeleteSession(ctx, hash("c3")), models.ErrNotFound)
}

func checkSession(t *testing.T, got, want models.Session) {
	t.Helper()
	if got.CreatedAt.Location() != time.UTC || got.LastSeenAt.Location() != time.UTC {
		t.Errorf("session times not in UTC: %v %v", got.CreatedAt, got.LastSeenAt)
	}
	if !bytes.Equal(got.ID, want.ID) || got.ModeratorID != want.ModeratorID || got.CSRFToken != want.CSRFToken ||
		!got.CreatedAt.Equal(want.CreatedAt) || !got.LastSeenAt.Equal(want.LastSeenAt) {
		t.Errorf("session mismatch\n got: %+v\nwant: %+v", got, want)
	}
}

func testDeleteExpiredSessions(t *testing.T, s Store) {
	ctx := t.Context()
	ada := moderator(t, s, "ada", models.RoleAdmin)
	// Session i was created at i*100 and last seen at i*100+50.
	const n = 5
	tests := []struct {
		name                      string
		createdBefore, seenBefore time.Time
		want                      []int // the sessions that remain
	}{
		{"no bounds", time.Time{}, time.Time{}, []int{0, 1, 2, 3, 4}},
		{"created before, exclusive", at(200), time.Time{}, []int{2, 3, 4}},
		{"seen before, exclusive", time.Time{}, at(250), []int{2, 3, 4}},
		{"seen before", time.Time{}, at(251), []int{3, 4}},
		{"either bound", at(100), at(351), []int{4}},
		{"everything", at(1000), time.Time{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range n {
				_ = s.DeleteSession(ctx, []byte{byte(i)})
				err := s.CreateSession(ctx, models.Session{ID: []byte{byte(i)}, ModeratorID: ada.ID, CreatedAt: at(i * 100), LastSeenAt: at(i*100 + 50)})
				if err != nil {
					t.Fatal(err)
				}
			}
			deleted, err := s.DeleteExpiredSessions(ctx, tt.createdBefore, tt.seenBefore)
			if err != nil {
				t.Fatal(err)
			}
			if deleted != n-len(tt.want) {
				t.Errorf("deleted %d, want %d", deleted, n-len(tt.want))
			}
			for i := range n {
				_, _, err := s.SessionByID(ctx, []byte{byte(i)})
				if slices.Contains(tt.want, i) != (err == nil) {
					t.Errorf("session %d: %v, want kept %v", i, err, slices.Contains(tt.want, i))
				}
			}
		})
	}
}
