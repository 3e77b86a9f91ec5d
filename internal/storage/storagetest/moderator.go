package storagetest

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/commentd/commentd/models"
)

// moderator stores a moderator named name with role.
func moderator(t *testing.T, s Store, name string, role models.Role) models.Moderator {
	t.Helper()
	m := models.Moderator{Name: name, Role: role, PasswordHash: "$argon2id$" + name}
	if err := s.CreateModerator(t.Context(), &m, nil); err != nil {
		t.Fatalf("CreateModerator(%q): %v", name, err)
	}
	return m
}

// hash is the SHA-256 of secret, as tokens and sessions are stored.
func hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// checkModerator fails unless got equals want, CreatedAt as an instant in UTC.
func checkModerator(t *testing.T, got, want models.Moderator) {
	t.Helper()
	if got.CreatedAt.Location() != time.UTC {
		t.Errorf("moderator %d: CreatedAt %v not in UTC", got.ID, got.CreatedAt)
	}
	if got.ID != want.ID || got.Name != want.Name || got.Role != want.Role || got.PasswordHash != want.PasswordHash ||
		!got.CreatedAt.Equal(want.CreatedAt) {
		t.Errorf("moderator mismatch\n got: %+v\nwant: %+v", got, want)
	}
}

func testCreateModerator(t *testing.T, s Store) {
	ctx := t.Context()
	first := moderator(t, s, "Zoë Admin", models.RoleAdmin)
	tests := []struct {
		name  string
		m     models.Moderator
		check func(t *testing.T, err error) // nil: created
	}{
		{"moderator", models.Moderator{Name: "bob", Role: models.RoleModerator, PasswordHash: "h1", CreatedAt: at(5)}, nil},
		{"zero time", models.Moderator{Name: "carol", Role: models.RoleAdmin, PasswordHash: "h2"}, nil},
		{"name with quotes and unicode", models.Moderator{Name: `O'Brien "山田" 👋`, Role: models.RoleModerator}, nil},
		{"taken name", models.Moderator{Name: "Zoë Admin", Role: models.RoleModerator}, is(models.ErrConflict)},
		{"taken name in other case", models.Moderator{Name: "ZOË ADMIN", Role: models.RoleModerator}, is(models.ErrConflict)},
		{"taken name lower case", models.Moderator{Name: "zoë admin", Role: models.RoleAdmin}, is(models.ErrConflict)},
		{"empty name", models.Moderator{Role: models.RoleAdmin}, field("name")},
		{"no role", models.Moderator{Name: "dave"}, field("role")},
		{"unknown role", models.Moderator{Name: "dave", Role: "root"}, field("role")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, audit := tt.m, note("root", "moderator.add")
			start := time.Now()
			if !audited(t, s, audit, tt.check, func() error { return s.CreateModerator(ctx, &m, audit) }) {
				if m.ID != 0 || audit.ID != 0 {
					t.Errorf("a refused CreateModerator set ID %d, audit ID %d", m.ID, audit.ID)
				}
				return
			}
			if m.ID <= first.ID {
				t.Errorf("ID %d, want above %d", m.ID, first.ID)
			}
			want := tt.m
			want.ID = m.ID
			if want.CreatedAt.IsZero() {
				wantNow(t, "CreatedAt", m.CreatedAt, start)
				want.CreatedAt = m.CreatedAt
			}
			checkModerator(t, m, want)
			got, err := s.GetModerator(ctx, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			checkModerator(t, got, want)
			checkAudit(t, *audit, models.AuditEntry{ID: audit.ID, At: audit.At, Actor: "root", Action: "moderator.add",
				Detail: "detail of moderator.add"})
			wantNow(t, "audit At", audit.At, start)
		})
	}
}

func testGetModerator(t *testing.T, s Store) {
	ctx := t.Context()
	zoe := moderator(t, s, "Zoë", models.RoleAdmin)
	ada := moderator(t, s, "ada", models.RoleModerator)
	bob := moderator(t, s, "Bob", models.RoleModerator)
	tests := []struct {
		name   string
		lookup string
		want   *models.Moderator
	}{
		{"exact", "ada", &ada},
		{"other case", "ADA", &ada},
		{"mixed case", "bOB", &bob},
		{"non-ASCII letters in other case", "ZOË", &zoe},
		{"prefix", "Zo", nil},
		{"trailing space", "ada ", nil},
		{"empty", "", nil},
		{"unknown", "mallory", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.GetModeratorByName(ctx, tt.lookup)
			if tt.want == nil {
				wantErr(t, err, models.ErrNotFound)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkModerator(t, got, *tt.want)
		})
	}
	for _, id := range []int64{0, -1, bob.ID + 1} {
		_, err := s.GetModerator(ctx, id)
		wantErr(t, err, models.ErrNotFound)
	}
	list, err := s.ListModerators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 {
		t.Fatalf("ListModerators: %d, want 3", len(list))
	}
	for i, want := range []models.Moderator{ada, bob, zoe} { // by name, ignoring case
		checkModerator(t, list[i], want)
	}
}

func testUpdateModerator(t *testing.T, s Store) {
	ctx := t.Context()
	ada := moderator(t, s, "ada", models.RoleModerator)
	other := moderator(t, s, "bob", models.RoleModerator)
	tests := []struct {
		name  string
		edit  func(m *models.Moderator)
		check func(t *testing.T, err error)
	}{
		{"promote", func(m *models.Moderator) { m.Role = models.RoleAdmin }, nil},
		{"new password", func(m *models.Moderator) { m.PasswordHash = "$argon2id$new" }, nil},
		{"name and time are ignored", func(m *models.Moderator) {
			m.Role, m.Name, m.CreatedAt = models.RoleModerator, "renamed", at(99)
		}, nil},
		{"unknown role", func(m *models.Moderator) { m.Role = "owner" }, field("role")},
		{"unknown id", func(m *models.Moderator) { m.ID = other.ID + 100 }, is(models.ErrNotFound)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stored, err := s.GetModerator(ctx, ada.ID)
			if err != nil {
				t.Fatal(err)
			}
			m := stored
			tt.edit(&m)
			audit := note("root", "moderator.update")
			want := stored
			if audited(t, s, audit, tt.check, func() error { return s.UpdateModerator(ctx, m, audit) }) {
				want.Role, want.PasswordHash = m.Role, m.PasswordHash
			}
			got, err := s.GetModerator(ctx, ada.ID)
			if err != nil {
				t.Fatal(err)
			}
			checkModerator(t, got, want)
		})
	}
	got, err := s.GetModerator(ctx, other.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkModerator(t, got, other)
}

func testDeleteModerator(t *testing.T, s Store) {
	ctx := t.Context()
	ada := moderator(t, s, "ada", models.RoleAdmin)
	bob := moderator(t, s, "bob", models.RoleModerator)
	var adaTokens []models.APIToken
	for i, m := range []models.Moderator{ada, ada, bob} {
		tok := models.APIToken{ModeratorID: m.ID, Name: "script", Hash: hash(string(rune('a' + i)))}
		if err := s.CreateAPIToken(ctx, &tok, nil); err != nil {
			t.Fatal(err)
		}
		if m.ID == ada.ID {
			adaTokens = append(adaTokens, tok)
		}
	}
	if err := s.RevokeAPIToken(ctx, adaTokens[1].ID, at(10), nil); err != nil {
		t.Fatal(err)
	}
	for i, m := range []models.Moderator{ada, ada, bob} {
		if err := s.CreateSession(ctx, models.Session{ID: hash(string(rune('s' + i))), ModeratorID: m.ID, CSRFToken: "c"}); err != nil {
			t.Fatal(err)
		}
	}

	start := time.Now()
	audit := note("root", "moderator.delete")
	audited(t, s, audit, nil, func() error { return s.DeleteModerator(ctx, ada.ID, audit) })
	_, err := s.GetModerator(ctx, ada.ID)
	wantErr(t, err, models.ErrNotFound)
	for i := range 2 {
		_, _, err := s.SessionByID(ctx, hash(string(rune('s'+i))))
		wantErr(t, err, models.ErrNotFound)
	}
	if _, m, err := s.SessionByID(ctx, hash(string(rune('s'+2)))); err != nil || m.ID != bob.ID {
		t.Errorf("bob's session: %v, %v", m, err)
	}
	_, _, err = s.APITokenByHash(ctx, hash("a"))
	wantErr(t, err, models.ErrNotFound)
	if _, m, err := s.APITokenByHash(ctx, hash("c")); err != nil || m.ID != bob.ID {
		t.Errorf("bob's token: %v, %v", m, err)
	}
	toks, err := s.ListAPITokens(ctx, ada.ID)
	if err != nil || len(toks) != 2 {
		t.Fatalf("ada's tokens after delete: %d, %v; want both, revoked", len(toks), err)
	}
	if r := toks[0].RevokedAt; r == nil || r.Before(start.Add(-time.Second)) || r.After(time.Now().Add(time.Second)) {
		t.Errorf("token revoked at %v, want now", r)
	}
	if r := toks[1].RevokedAt; r == nil || !r.Equal(at(10)) {
		t.Errorf("token revoked before keeps %v, want %v", r, at(10))
	}

	tests := []struct {
		name string
		id   int64
	}{{"deleted twice", ada.ID}, {"unknown", bob.ID + 100}, {"zero", 0}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			audit := note("root", "moderator.delete")
			audited(t, s, audit, is(models.ErrNotFound), func() error { return s.DeleteModerator(ctx, tt.id, audit) })
		})
	}
	// The name is free again.
	again := moderator(t, s, "ADA", models.RoleModerator)
	if again.ID == ada.ID {
		t.Errorf("new moderator reuses ID %d", ada.ID)
	}
}
