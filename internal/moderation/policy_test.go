package moderation

import (
	"testing"
	"time"

	"github.com/commentd/commentd/models"
)

func TestVerdict(t *testing.T) {
	p := &Policy{HamThreshold: 0.3, SpamThreshold: 0.8, MaxLinks: 1, BlockedWords: []string{"viagra"}, HeldWords: []string{"crypto coin"},
		CountLinks: func(s string) int { return len(s) / 1000 }}
	cases := []struct {
		name  string
		in    models.NewComment
		score float64
		want  models.Status
		rule  string
	}{
		{"low score", models.NewComment{Text: "hi"}, 0.1, models.StatusApproved, ""},
		{"uncertain", models.NewComment{Text: "hi"}, 0.5, models.StatusPending, "score_uncertain"},
		{"high score", models.NewComment{Text: "hi"}, 0.9, models.StatusSpam, "score_above_spam_threshold"},
		{"honeypot", models.NewComment{Text: "hi", Honeypot: "x"}, 0.1, models.StatusSpam, "honeypot"},
		{"blocked in url", models.NewComment{Text: "hi", URL: "https://viagra.example"}, 0.1, models.StatusSpam, "blocked_word:viagra"},
		{"blocked word case", models.NewComment{Text: "VIAGRA!"}, 0.1, models.StatusSpam, "blocked_word:viagra"},
		{"not a whole word", models.NewComment{Text: "viagras"}, 0.1, models.StatusApproved, ""},
		{"held phrase", models.NewComment{Text: "buy Crypto Coin now"}, 0.1, models.StatusPending, "held_word:crypto coin"},
		{"held never lowers spam", models.NewComment{Text: "crypto coin"}, 0.95, models.StatusSpam, "held_word:crypto coin"},
		{"links", models.NewComment{Text: string(make([]byte, 2500))}, 0.1, models.StatusPending, "too_many_links:2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, rules := p.Verdict(tc.in, tc.score)
			if got != tc.want {
				t.Fatalf("status %s, want %s (rules %v)", got, tc.want, rules)
			}
			if tc.rule == "" {
				return
			}
			for _, r := range rules {
				if r == tc.rule {
					return
				}
			}
			t.Fatalf("rules %v lack %s", rules, tc.rule)
		})
	}
}

func TestContainsWord(t *testing.T) {
	cases := []struct {
		s, w string
		want bool
	}{
		{"casino", "casino", true},
		{"best casino.", "casino", true},
		{"casinos", "casino", false},
		{"mycasino", "casino", false},
		{"казино онлайн", "казино", true},
		{"xcasino casino", "casino", true},
		{"", "casino", false},
		{"über", "ber", false},
	}
	for _, tc := range cases {
		if got := containsWord(tc.s, tc.w); got != tc.want {
			t.Errorf("containsWord(%q, %q) = %v", tc.s, tc.w, got)
		}
	}
}

func TestBans(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Hour), now.Add(time.Hour)
	rs := compile(&Policy{}, models.Settings{}, nil, []models.Ban{
		{Kind: models.BanIP, Value: "203.0.113.0/24"},
		{Kind: models.BanIP, Value: "2001:db8::/32"},
		{Kind: models.BanEmail, Value: "Spammer@Example.org", ExpiresAt: &future},
		{Kind: models.BanEmail, Value: "old@example.org", ExpiresAt: &past},
		{Kind: models.BanAuthor, Value: "SEO Expert"},
	})
	cases := []struct {
		name string
		in   models.NewComment
		want bool
	}{
		{"in range", models.NewComment{IP: "203.0.113.77"}, true},
		{"v4-mapped in range", models.NewComment{IP: "::ffff:203.0.113.77"}, true},
		{"out of range", models.NewComment{IP: "203.0.114.1"}, false},
		{"v6 range", models.NewComment{IP: "2001:db8::1"}, true},
		{"email, any case", models.NewComment{IP: "1.1.1.1", Email: "spammer@example.org"}, true},
		{"expired ban", models.NewComment{IP: "1.1.1.1", Email: "old@example.org"}, false},
		{"author", models.NewComment{IP: "1.1.1.1", Author: "seo expert"}, true},
		{"nobody", models.NewComment{IP: "1.1.1.1", Author: "Ann", Email: "ann@example.org"}, false},
		{"bad ip", models.NewComment{IP: "garbage"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, got := rs.banned(tc.in, now); got != tc.want {
				t.Fatalf("banned = %v", got)
			}
		})
	}
}
