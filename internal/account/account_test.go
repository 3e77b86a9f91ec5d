package account

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/commentd/commentd/internal/ratelimit"
	"github.com/commentd/commentd/internal/storage/sqlite"
	"github.com/commentd/commentd/models"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newService(t *testing.T) (*Service, *clock) {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	clk := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	limiter := ratelimit.NewFallback(nil, ratelimit.NewLocal(clk.now), nil, time.Second)
	lim := limiter.Rule("login", ratelimit.Limit{Rate: 5, Burst: 5, Period: 15 * time.Minute})
	s := New(store, lim, Options{BootstrapToken: "boot-token", SessionIdle: time.Hour, SessionMax: 24 * time.Hour, PasswordCost: bcrypt.MinCost,
		KeyFailures:    limiter.Rule("apikey", ratelimit.Limit{Rate: 2, Burst: 3, Period: time.Hour}),
		BearerFailures: limiter.Rule("auth", ratelimit.Limit{Rate: 2, Burst: 3, Period: time.Hour})})
	s.now = clk.now
	if _, err := s.CreateModerator(context.Background(), "test", "Ann", models.RoleAdmin, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	return s, clk
}

func TestLoginAndSessions(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t)
	cookie, sess, m, err := s.Login(ctx, "ann", "correct horse battery", "192.0.2.1")
	if err != nil || m.Name != "Ann" || sess.CSRFToken == "" {
		t.Fatalf("login: %v %+v", err, m)
	}
	steps := []struct {
		name    string
		advance time.Duration
		ok      bool
	}{
		{"fresh", 0, true},
		{"used within the idle time", 50 * time.Minute, true},
		{"kept alive", 50 * time.Minute, true},
		{"idle too long", 61 * time.Minute, false},
	}
	for _, st := range steps {
		clk.t = clk.t.Add(st.advance)
		_, p, err := s.Session(ctx, cookie)
		if (err == nil) != st.ok {
			t.Fatalf("%s: err %v", st.name, err)
		}
		if st.ok && (p.Name != "Ann" || p.Role != models.RoleAdmin || p.Via != "session") {
			t.Fatalf("%s: principal %+v", st.name, p)
		}
	}
	t.Run("absolute expiry", func(t *testing.T) {
		cookie, _, _, _ := s.Login(ctx, "ann", "correct horse battery", "192.0.2.2")
		// Used every 59 minutes, it stays alive until 24 h after login (the 25th step).
		for i := 1; i <= 25; i++ {
			clk.t = clk.t.Add(59 * time.Minute)
			_, _, err := s.Session(ctx, cookie)
			if (err == nil) != (i < 25) {
				t.Fatalf("step %d (%v after login): err %v", i, time.Duration(i)*59*time.Minute, err)
			}
		}
	})
	t.Run("logout", func(t *testing.T) {
		cookie, _, _, _ := s.Login(ctx, "ann", "correct horse battery", "192.0.2.3")
		if err := s.Logout(ctx, cookie); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Session(ctx, cookie); !errors.Is(err, models.ErrUnauthorized) {
			t.Fatalf("after logout: %v", err)
		}
	})
}

func TestLoginThrottle(t *testing.T) {
	ctx := context.Background()
	cases := []struct{ name, account string }{
		{"existing account", "ann"},
		{"unknown account", "nobody"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newService(t)
			for i := 0; i < 5; i++ {
				if _, _, _, err := s.Login(ctx, tc.account, "wrong password!", "198.51.100.7"); !errors.Is(err, models.ErrUnauthorized) {
					t.Fatalf("attempt %d: %v", i, err)
				}
			}
			_, _, _, err := s.Login(ctx, tc.account, "correct horse battery", "198.51.100.7")
			var rl *models.RateLimitError
			if !errors.As(err, &rl) || rl.RetryAfter <= 0 {
				t.Fatalf("6th attempt: %v", err)
			}
			// Another IP is still throttled on the same account name.
			if _, _, _, err := s.Login(ctx, tc.account, "correct horse battery", "198.51.100.8"); !errors.Is(err, models.ErrRateLimited) {
				t.Fatalf("other IP, same account: %v", err)
			}
		})
	}
}

func TestBearerPrincipal(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	secret, tok, err := s.IssueToken(ctx, "test", "Ann", "ci")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, token string
		via         string
	}{
		{"bootstrap", "boot-token", "bootstrap"},
		{"api token", secret, "token"},
		{"wrong", "boot-tokenx", ""},
		{"empty", "", ""},
		{"prefix only", "cmdt_", ""},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := s.BearerPrincipal(ctx, tc.token, "192.0.2."+strconv.Itoa(i)) // each under the throttle
			if tc.via == "" {
				if !errors.Is(err, models.ErrUnauthorized) {
					t.Fatalf("err %v", err)
				}
				return
			}
			if err != nil || p.Via != tc.via || p.Role != models.RoleAdmin {
				t.Fatalf("%+v %v", p, err)
			}
		})
	}
	if err := s.RevokeToken(ctx, "test", tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BearerPrincipal(ctx, secret, "192.0.2.100"); !errors.Is(err, models.ErrUnauthorized) {
		t.Fatalf("revoked token: %v", err)
	}
}

// TestBearerThrottle: wrong bearer tokens spend their address's budget (3 at
// once, 2 an hour here; an IPv6 address counts by its /64), right ones never
// do; over it, every token from that address is refused unchecked until the
// budget refills.
func TestBearerThrottle(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t)
	secret, _, err := s.IssueToken(ctx, "test", "Ann", "ci")
	if err != nil {
		t.Fatal(err)
	}
	const a, b, v6, v6Neighbour = "198.51.100.7", "198.51.100.8", "2001:db8:1:2::10", "2001:db8:1:2:ffff::1"
	steps := []struct {
		name    string
		advance time.Duration
		token   string
		ip      string
		times   int
		want    error // nil: a principal
	}{
		{"the bootstrap token, often", 0, "boot-token", a, 20, nil},
		{"an API token, often", 0, secret, a, 20, nil},
		{"no token is no guess", 0, " ", a, 5, models.ErrUnauthorized},
		{"wrong tokens up to the burst", 0, "cmdt_guess", a, 2, models.ErrUnauthorized},
		{"one without the prefix counts too", 0, "boot-tokem", a, 1, models.ErrUnauthorized},
		{"one more wrong token", 0, "cmdt_guess", a, 1, models.ErrRateLimited},
		{"the right token, unchecked", 0, "boot-token", a, 1, models.ErrRateLimited},
		{"an API token, unchecked", 0, secret, a, 1, models.ErrRateLimited},
		{"another address", 0, secret, b, 1, nil},
		{"wrong tokens from an IPv6 address", 0, "cmdt_guess", v6, 3, models.ErrUnauthorized},
		{"its /64 is refused", 0, "boot-token", v6Neighbour, 1, models.ErrRateLimited},
		{"half an hour later: one more try", 30 * time.Minute, secret, a, 1, nil},
		{"which a wrong token spends", 0, "cmdt_other", a, 1, models.ErrUnauthorized},
		{"then refused again", 0, "boot-token", a, 1, models.ErrRateLimited},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			clk.t = clk.t.Add(st.advance)
			for i := range st.times {
				p, err := s.BearerPrincipal(ctx, st.token, st.ip)
				if (st.want == nil && (err != nil || p.Role != models.RoleAdmin)) || (st.want != nil && !errors.Is(err, st.want)) {
					t.Fatalf("call %d: %+v, %v; want %v", i, p, err, st.want)
				}
			}
		})
	}
	_, err = s.BearerPrincipal(ctx, secret, a)
	var rl *models.RateLimitError
	if !errors.As(err, &rl) || rl.Scope != "auth" || rl.RetryAfter != 30*time.Minute {
		t.Fatalf("refusal %v (%+v): want scope auth, retry after 30m", err, rl)
	}
}
