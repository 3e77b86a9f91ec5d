package account

import (
	"context"
	"errors"
	"strings"
	"testing"

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
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.SiteKey(ctx, tt.key, tt.blog)
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
	if _, err := s.SiteKey(ctx, key, ""); !errors.Is(err, models.ErrUnauthorized) {
		t.Errorf("a revoked key: %v", err)
	}
	all, err := s.APIKeys(ctx)
	if err != nil || len(all) != 1 || all[0].RevokedAt == nil {
		t.Fatalf("APIKeys = %+v, %v", all, err)
	}
}
