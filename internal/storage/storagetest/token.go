package storagetest

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/commentd/commentd/models"
)

func testAPITokens(t *testing.T, s Store) {
	ctx := t.Context()
	ada := moderator(t, s, "ada", models.RoleAdmin)
	bob := moderator(t, s, "bob", models.RoleModerator)
	var stored []models.APIToken
	tests := []struct {
		name  string
		tok   models.APIToken
		check func(t *testing.T, err error)
	}{
		{"first", models.APIToken{ModeratorID: ada.ID, Name: "deploy", Hash: hash("t1"), CreatedAt: at(1)}, nil},
		{"zero time", models.APIToken{ModeratorID: ada.ID, Name: "cron", Hash: hash("t2")}, nil},
		{"revoked time ignored", models.APIToken{ModeratorID: bob.ID, Name: "", Hash: hash("t3"), RevokedAt: new(time.Time)}, nil},
		{"binary hash", models.APIToken{ModeratorID: bob.ID, Name: "bin", Hash: []byte{0, 0, 0xff, 0}}, nil},
		{"hash in use", models.APIToken{ModeratorID: bob.ID, Name: "dup", Hash: hash("t1")}, is(models.ErrConflict)},
		{"empty hash", models.APIToken{ModeratorID: bob.ID, Name: "none"}, field("hash")},
		{"unknown moderator", models.APIToken{ModeratorID: bob.ID + 100, Hash: hash("t9")}, is(models.ErrNotFound)},
		{"no moderator", models.APIToken{Hash: hash("t8")}, is(models.ErrNotFound)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, audit := tt.tok, note("ada", "token.add")
			start := time.Now()
			if !audited(t, s, audit, tt.check, func() error { return s.CreateAPIToken(ctx, &tok, audit) }) {
				return
			}
			if tok.RevokedAt != nil {
				t.Errorf("RevokedAt = %v, want nil", tok.RevokedAt)
			}
			if tt.tok.CreatedAt.IsZero() {
				wantNow(t, "CreatedAt", tok.CreatedAt, start)
			}
			got, m, err := s.APITokenByHash(ctx, tt.tok.Hash)
			if err != nil {
				t.Fatal(err)
			}
			checkToken(t, got, tok)
			if m.ID != tok.ModeratorID || m.Name == "" || m.PasswordHash == "" {
				t.Errorf("token's moderator = %+v", m)
			}
			stored = append(stored, tok)
		})
	}
	for _, h := range [][]byte{nil, {}, hash("t1")[:31], hash("unknown")} {
		_, _, err := s.APITokenByHash(ctx, h)
		wantErr(t, err, models.ErrNotFound)
	}

	// Revoking.
	revokes := []struct {
		name  string
		id    int64
		at    time.Time
		check func(t *testing.T, err error)
	}{
		{"revoke", stored[0].ID, at(50), nil},
		{"revoke at zero time", stored[2].ID, time.Time{}, nil},
		{"revoked already", stored[0].ID, at(60), is(models.ErrConflict)},
		{"unknown", stored[len(stored)-1].ID + 100, at(50), is(models.ErrNotFound)},
	}
	for _, tt := range revokes {
		t.Run(tt.name, func(t *testing.T) {
			audit := note("ada", "token.revoke")
			ok := audited(t, s, audit, tt.check, func() error { return s.RevokeAPIToken(ctx, tt.id, tt.at, audit) })
			if ok && !tt.at.IsZero() && !audit.At.Equal(tt.at) {
				t.Errorf("audit At %v, want the revocation's %v", audit.At, tt.at)
			}
		})
	}
	_, _, err := s.APITokenByHash(ctx, hash("t1"))
	wantErr(t, err, models.ErrNotFound)

	all, err := s.ListAPITokens(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tokenIDs(all), tokenIDs(stored)) {
		t.Fatalf("ListAPITokens(0) = %v, want %v", tokenIDs(all), tokenIDs(stored))
	}
	if all[0].RevokedAt == nil || !all[0].RevokedAt.Equal(at(50)) || all[2].RevokedAt == nil || all[1].RevokedAt != nil {
		t.Errorf("revocations listed: %v %v %v", all[0].RevokedAt, all[1].RevokedAt, all[2].RevokedAt)
	}
	for _, tt := range []struct {
		id   int64
		want []models.APIToken
	}{{ada.ID, stored[:2]}, {bob.ID, stored[2:]}, {bob.ID + 100, nil}} {
		got, err := s.ListAPITokens(ctx, tt.id)
		if err != nil || !slices.Equal(tokenIDs(got), tokenIDs(tt.want)) {
			t.Errorf("ListAPITokens(%d) = %v, %v; want %v", tt.id, tokenIDs(got), err, tokenIDs(tt.want))
		}
	}
}

func tokenIDs(ts []models.APIToken) []int64 {
	out := make([]int64, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

// checkToken fails unless got equals want, times as instants in UTC.
func checkToken(t *testing.T, got, want models.APIToken) {
	t.Helper()
	if got.CreatedAt.Location() != time.UTC {
		t.Errorf("token %d: CreatedAt %v not in UTC", got.ID, got.CreatedAt)
	}
	sameRevoked := (got.RevokedAt == nil) == (want.RevokedAt == nil) && (got.RevokedAt == nil || got.RevokedAt.Equal(*want.RevokedAt))
	if got.ID != want.ID || got.ModeratorID != want.ModeratorID || got.Name != want.Name || !bytes.Equal(got.Hash, want.Hash) ||
		!got.CreatedAt.Equal(want.CreatedAt) || !sameRevoked {
		t.Errorf("token mismatch\n got: %+v\nwant: %+v", got, want)
	}
}
