package account

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/commentd/commentd/models"
)

func TestAPIKeys(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	key, k, err := s.CreateAPIKey(ctx, "ann", " https://www.Blog.example.org/ ")
	if err != nil {
		t.Fatal(err)
	}
	if !IsKeyForm(key) || key != strings.ToLower(key) || k.Site != "https://www.Blog.example.org/" || k.CreatedBy != "ann" {
		t.Fatalf("CreateAPIKey = %q, %+v", key, k)
	}
	for _, bad := range []string{"", "blog.example.org", "ftp://blog.example.org", "https://user:pw@blog.example.org", "https://"} {
		if _, _, err := s.CreateAPIKey(ctx, "ann", bad); !errors.Is(err, models.ErrInvalid) {
			t.Errorf("CreateAPIKey(%q) = %v, want ErrInvalid", bad, err)
		}
	}

	tests := []struct {
		name string
		key  string
		blog string
		want error
	}{
		{"the key, no blog", key, "", nil},
		{"upper case and spaces", " " + strings.ToUpper(key) + "\n", "", nil},
		{"same site", key, "https://www.blog.example.org/", nil},
		{"without www, over http, deep path", key, "http://blog.example.org/2026/post?p=1", nil},
		{"default port", key, "https://blog.example.org:443", nil},
		{"bare host", key, "BLOG.example.org", nil},
		{"other site", key, "https://shop.example.org", models.ErrForbidden},
		{"other port", key, "https://blog.example.org:8443", models.ErrForbidden},
		{"unknown key", "0123456789ab", "", models.ErrUnauthorized},
		{"too short", key[:11], "", models.ErrUnauthorized},
		{"not hex", "zz" + key[2:], "", models.ErrUnauthorized},
		{"empty", "", "", models.ErrUnauthorized},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.SiteKey(ctx, tt.key, tt.blog, "192.0.2."+strconv.Itoa(i)) // each under the throttle
			if tt.want != nil {
				if !errors.Is(err, tt.want) {
					t.Fatalf("SiteKey = %v, want %v", err, tt.want)
				}
				return
			}
			if err != nil || got.ID != k.ID {
				t.Fatalf("SiteKey = %+v, %v; want key %d", got, err, k.ID)
			}
		})
	}

	if err := s.RevokeAPIKey(ctx, "ann", k.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeAPIKey(ctx, "ann", k.ID); !errors.Is(err, models.ErrConflict) {
		t.Errorf("revoking twice: %v", err)
	}
	if _, err := s.SiteKey(ctx, key, "", "192.0.2.100"); !errors.Is(err, models.ErrUnauthorized) {
		t.Errorf("a revoked key: %v", err)
	}
	all, err := s.APIKeys(ctx)
	if err != nil || len(all) != 1 || all[0].RevokedAt == nil {
		t.Fatalf("APIKeys = %+v, %v", all, err)
	}
}

// TestAPIKeyThrottle: wrong keys spend their address's budget (3 at once, 2 an
// hour here), right ones never do; over it, every key from that address is
// refused unchecked until the budget refills.
func TestAPIKeyThrottle(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t)
	key, _, err := s.CreateAPIKey(ctx, "ann", "https://blog.example.org")
	if err != nil {
		t.Fatal(err)
	}
	const blog, a, b = "https://blog.example.org", "198.51.100.7", "198.51.100.8"
	steps := []struct {
		name    string
		advance time.Duration
		key     string
		blog    string
		ip      string
		times   int
		want    error // nil: the key
	}{
		{"a right key, often", 0, key, blog, a, 20, nil},
		{"another site's blog: the key is right, no failure", 0, key, "https://shop.example.org", a, 5, models.ErrForbidden},
		{"wrong keys up to the burst", 0, "0123456789ab", blog, a, 3, models.ErrUnauthorized},
		{"one more wrong key", 0, "0123456789ab", blog, a, 1, models.ErrRateLimited},
		{"the right key, unchecked", 0, key, blog, a, 1, models.ErrRateLimited},
		{"a malformed key, unchecked", 0, "nope", blog, a, 1, models.ErrRateLimited},
		{"another address", 0, key, blog, b, 1, nil},
		{"half an hour later: one more try", 30 * time.Minute, key, blog, a, 1, nil},
		{"which a wrong key spends", 0, "ba9876543210", blog, a, 1, models.ErrUnauthorized},
		{"then refused again", 0, key, blog, a, 1, models.ErrRateLimited},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			clk.t = clk.t.Add(st.advance)
			for i := range st.times {
				_, err := s.SiteKey(ctx, st.key, st.blog, st.ip)
				if (st.want == nil && err != nil) || (st.want != nil && !errors.Is(err, st.want)) {
					t.Fatalf("call %d: %v, want %v", i, err, st.want)
				}
			}
		})
	}
	_, err = s.SiteKey(ctx, key, blog, a)
	var rl *models.RateLimitError
	if !errors.As(err, &rl) || rl.Scope != "apikey" || rl.RetryAfter != 30*time.Minute {
		t.Fatalf("refusal %v (%+v): want scope apikey, retry after 30m", err, rl)
	}
}

// TestThrottleConcurrentGuesses: a volley of wrong site keys or bearer tokens
// sent at once from one address gets no more checked than the budget allows;
// each guess sees the failures spent before it.
func TestThrottleConcurrentGuesses(t *testing.T) {
	tests := []struct {
		name  string
		guess func(s *Service, ctx context.Context, i int, ip string) error
		gate  func(s *Service) *keyGate
	}{
		{"site keys", func(s *Service, ctx context.Context, i int, ip string) error {
			_, err := s.SiteKey(ctx, fmt.Sprintf("%012x", i), "", ip)
			return err
		}, func(s *Service) *keyGate { return &s.keys }},
		{"bearer tokens", func(s *Service, ctx context.Context, i int, ip string) error {
			_, err := s.BearerPrincipal(ctx, fmt.Sprintf("cmdt_guess%d", i), ip)
			return err
		}, func(s *Service) *keyGate { return &s.bearers }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newService(t)
			lookups := &atomic.Int64{}
			s.store = slowKeyLookups{s.store, lookups} // the volley overlaps the lookups
			const guesses, burst = 100, 3
			var (
				wg                 sync.WaitGroup
				mu                 sync.Mutex
				checked, throttled int
			)
			for i := range guesses {
				wg.Go(func() {
					err := tt.guess(s, t.Context(), i, "203.0.113.9")
					mu.Lock()
					defer mu.Unlock()
					switch {
					case errors.Is(err, models.ErrUnauthorized):
						checked++
					case errors.Is(err, models.ErrRateLimited):
						throttled++
					default:
						t.Errorf("guess %d: %v", i, err)
					}
				})
			}
			wg.Wait()
			if checked != burst || throttled != guesses-burst {
				t.Errorf("%d guesses answered unauthorized and %d throttled, want %d and %d", checked, throttled, burst, guesses-burst)
			}
			// A credential looked up is a guess tested: a right one among them would have been answered.
			if n := lookups.Load(); n != burst {
				t.Errorf("%d looked up, want %d (the budget)", n, burst)
			}
			if n := len(tt.gate(s).addrs); n != 0 {
				t.Errorf("the gate still holds %d addresses", n)
			}
		})
	}
}

// slowKeyLookups is the real store with key lookups that take a while, as
// they may on a loaded database.
type slowKeyLookups struct {
	Store
	n *atomic.Int64
}

func (s slowKeyLookups) APIKeyByHash(ctx context.Context, hash []byte) (models.APIKey, error) {
	s.n.Add(1)
	time.Sleep(5 * time.Millisecond)
	return s.Store.APIKeyByHash(ctx, hash)
}

func (s slowKeyLookups) APITokenByHash(ctx context.Context, hash []byte) (models.APIToken, models.Moderator, error) {
	s.n.Add(1)
	time.Sleep(5 * time.Millisecond)
	return s.Store.APITokenByHash(ctx, hash)
}
