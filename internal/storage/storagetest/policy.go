package storagetest

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/commentd/commentd/models"
)

func testSettings(t *testing.T, s Store) {
	ctx := t.Context()
	_, err := s.GetSettings(ctx)
	wantErr(t, err, models.ErrNotFound)
	tests := []struct {
		name  string
		set   models.Settings
		check func(t *testing.T, err error) // nil: saved
	}{
		{"first save", models.Settings{HamThreshold: 0.3, SpamThreshold: 0.9, DiscardAbove: 0.99, MaxLinks: 2,
			TrustAfter: 3, HoldFirst: true, RefuseBanned: true}, nil},
		{"replace", models.Settings{HamThreshold: 0.1, SpamThreshold: 0.95, MaxLinks: 0}, nil},
		{"exact floats", models.Settings{HamThreshold: 0.30000000000000004, SpamThreshold: 1 - 1e-15, DiscardAbove: 2}, nil},
		{"zero", models.Settings{}, nil},
		{"NaN ham", models.Settings{HamThreshold: math.NaN(), SpamThreshold: 0.9}, field("ham_threshold")},
		{"infinite spam", models.Settings{SpamThreshold: math.Inf(1)}, field("spam_threshold")},
		{"infinite discard", models.Settings{DiscardAbove: math.Inf(-1)}, field("discard_above")},
	}
	var saved *models.Settings
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			audit := note("ada", "settings.update")
			if audited(t, s, audit, tt.check, func() error { return s.SaveSettings(ctx, tt.set, audit) }) {
				saved = &tt.set
			}
			got, err := s.GetSettings(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got != *saved {
				t.Errorf("GetSettings = %+v, want %+v", got, *saved)
			}
		})
	}
}

func testWords(t *testing.T, s Store) {
	ctx := t.Context()
	tests := []struct {
		name  string
		w     models.Word
		check func(t *testing.T, err error)
	}{
		{"blocked", models.Word{Kind: models.WordBlocked, Word: "casino", CreatedBy: "ada", CreatedAt: at(1)}, nil},
		{"held", models.Word{Kind: models.WordHeld, Word: "Crypto", CreatedBy: "bob", CreatedAt: at(2)}, nil},
		{"same word, other list", models.Word{Kind: models.WordHeld, Word: "CASINO", CreatedBy: "ada", CreatedAt: at(3)}, nil},
		{"phrase with symbols", models.Word{Kind: models.WordBlocked, Word: `buy "now" 100%_off`, CreatedBy: "ada", CreatedAt: at(4)}, nil},
		{"unicode", models.Word{Kind: models.WordBlocked, Word: "Ставки", CreatedBy: "ada"}, nil},
		{"listed already", models.Word{Kind: models.WordBlocked, Word: "casino"}, is(models.ErrConflict)},
		{"listed already, other case", models.Word{Kind: models.WordBlocked, Word: "CaSiNo"}, is(models.ErrConflict)},
		{"listed already, held", models.Word{Kind: models.WordHeld, Word: "crypto"}, is(models.ErrConflict)},
		{"no kind", models.Word{Word: "x"}, field("kind")},
		{"unknown kind", models.Word{Kind: "banned", Word: "x"}, field("kind")},
		{"empty word", models.Word{Kind: models.WordHeld}, field("word")},
	}
	var stored []models.Word
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, audit := tt.w, note("ada", "word.add")
			start := time.Now()
			if !audited(t, s, audit, tt.check, func() error { return s.AddWord(ctx, &w, audit) }) {
				return
			}
			if tt.w.CreatedAt.IsZero() {
				wantNow(t, "CreatedAt", w.CreatedAt, start)
			}
			stored = append(stored, w)
		})
	}
	byName := func(ws []models.Word, names ...string) []models.Word {
		var out []models.Word
		for _, n := range names {
			for _, w := range ws {
				if w.Word == n {
					out = append(out, w)
				}
			}
		}
		return out
	}
	checkWords := func(t *testing.T, want []models.Word) {
		t.Helper()
		got, err := s.ListWords(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("ListWords: %+v\nwant %+v", got, want)
		}
		for i := range got {
			if g, w := got[i], want[i]; g.ID != w.ID || g.Kind != w.Kind || g.Word != w.Word || g.CreatedBy != w.CreatedBy ||
				!g.CreatedAt.Equal(w.CreatedAt) || g.CreatedAt.Location() != time.UTC {
				t.Errorf("word %d = %+v, want %+v", i, g, w)
			}
		}
	}
	// By kind, then by word ignoring case.
	checkWords(t, byName(stored, `buy "now" 100%_off`, "casino", "Ставки", "CASINO", "Crypto"))

	casino := byName(stored, "casino")[0]
	audit := note("ada", "word.delete")
	audited(t, s, audit, nil, func() error { return s.DeleteWord(ctx, casino.ID, audit) })
	checkWords(t, byName(stored, `buy "now" 100%_off`, "Ставки", "CASINO", "Crypto"))
	for _, id := range []int64{casino.ID, 0, stored[len(stored)-1].ID + 100} {
		audit := note("ada", "word.delete")
		audited(t, s, audit, is(models.ErrNotFound), func() error { return s.DeleteWord(ctx, id, audit) })
	}
	// Deleted, the word can be listed again.
	again := models.Word{Kind: models.WordBlocked, Word: "Casino"}
	if err := s.AddWord(ctx, &again, nil); err != nil {
		t.Fatalf("AddWord after delete: %v", err)
	}
}

func testBans(t *testing.T, s Store) {
	ctx := t.Context()
	expires := at(1_000_000).In(time.FixedZone("X", 3600))
	tests := []struct {
		name  string
		b     models.Ban
		field string // "" when valid
	}{
		{"email", models.Ban{Kind: models.BanEmail, Value: "spam@example.org", Reason: "spam", CreatedBy: "ada", CreatedAt: at(10)}, ""},
		{"ip expiring", models.Ban{Kind: models.BanIP, Value: "203.0.113.7", ExpiresAt: &expires, CreatedBy: "bob", CreatedAt: at(20)}, ""},
		{"ipv4 range", models.Ban{Kind: models.BanIP, Value: "198.51.100.0/24", CreatedBy: "ada", CreatedAt: at(20)}, ""},
		{"ipv6 range", models.Ban{Kind: models.BanIP, Value: "2001:db8::/32", CreatedBy: "ada", CreatedAt: at(5)}, ""},
		{"author", models.Ban{Kind: models.BanAuthor, Value: "Spammy McSpam 👋", CreatedBy: "ada"}, ""},
		{"same value twice", models.Ban{Kind: models.BanEmail, Value: "spam@example.org", Reason: "again", CreatedBy: "bob", CreatedAt: at(30)}, ""},
		{"no kind", models.Ban{Value: "x"}, "kind"},
		{"unknown kind", models.Ban{Kind: "post", Value: "x"}, "kind"},
		{"empty value", models.Ban{Kind: models.BanEmail}, "value"},
		{"ip not an address", models.Ban{Kind: models.BanIP, Value: "example.org"}, "value"},
		{"ip bad range", models.Ban{Kind: models.BanIP, Value: "10.0.0.0/33"}, "value"},
	}
	var stored []models.Ban
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, audit := tt.b, note("ada", "ban.add")
			var check func(t *testing.T, err error)
			if tt.field != "" {
				check = field(tt.field)
			}
			if audited(t, s, audit, check, func() error { return s.AddBan(ctx, &b, audit) }) {
				stored = append(stored, b)
			}
		})
	}
	// Newest first by (CreatedAt, ID): "author" was created now, long after the others.
	order := []int{4, 5, 2, 1, 0, 3}
	got, err := s.ListBans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(order) {
		t.Fatalf("ListBans: %d bans, want %d", len(got), len(order))
	}
	for i, j := range order {
		checkBan(t, got[i], stored[j])
	}

	audit := note("ada", "ban.delete")
	audited(t, s, audit, nil, func() error { return s.DeleteBan(ctx, stored[1].ID, audit) })
	got, err = s.ListBans(ctx)
	if err != nil || len(got) != len(order)-1 || slices.ContainsFunc(got, func(b models.Ban) bool { return b.ID == stored[1].ID }) {
		t.Errorf("after delete: %+v, %v", got, err)
	}
	for _, id := range []int64{stored[1].ID, 0, -1} {
		wantErr(t, s.DeleteBan(ctx, id, nil), models.ErrNotFound)
	}
}

func checkBan(t *testing.T, got, want models.Ban) {
	t.Helper()
	sameExpiry := (got.ExpiresAt == nil) == (want.ExpiresAt == nil) && (got.ExpiresAt == nil || got.ExpiresAt.Equal(*want.ExpiresAt))
	if got.ExpiresAt != nil && got.ExpiresAt.Location() != time.UTC || got.CreatedAt.Location() != time.UTC {
		t.Errorf("ban %d: times not in UTC", got.ID)
	}
	if got.ID != want.ID || got.Kind != want.Kind || got.Value != want.Value || got.Reason != want.Reason ||
		got.CreatedBy != want.CreatedBy || !got.CreatedAt.Equal(want.CreatedAt) || !sameExpiry {
		t.Errorf("ban mismatch\n got: %+v\nwant: %+v", got, want)
	}
}
