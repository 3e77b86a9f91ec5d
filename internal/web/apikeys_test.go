package web

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/commentd/commentd/models"
)

func TestAPIKeysPage(t *testing.T) {
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 3, 4, 14, 5, 0, 0, time.UTC)
	evil := `<script>alert(1)</script>`
	data := APIKeys{
		Page: Page{Title: "API keys", Nav: "apikeys", User: "ada", Role: models.RoleAdmin, CSRF: "tok"},
		Keys: []models.APIKey{
			{ID: 3, Site: "https://blog.example.org/?" + evil, CreatedBy: "ada", CreatedAt: at},
			{ID: 4, Site: "https://old.example.org", CreatedBy: "cli", CreatedAt: at, RevokedAt: &at},
		},
		Issued:   &IssuedKey{Site: "https://blog.example.org", Key: "0123456789ab"},
		Endpoint: "https://comments.example.org/1.1/",
	}
	var b bytes.Buffer
	if err := s.Render(&b, "apikeys", data); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, w := range []string{
		`value="0123456789ab"`, `action="/console/apikeys/3/revoke"`, `action="/console/apikeys"`,
		`<code>https://comments.example.org/1.1/</code>`, `href="/console/apikeys" aria-current="page"`, `revoked <time`,
	} {
		if !strings.Contains(out, w) {
			t.Errorf("missing %q in\n%s", w, out)
		}
	}
	if strings.Contains(out, evil) || strings.Contains(out, "/console/apikeys/4/revoke") {
		t.Error("unescaped markup, or a revoke button for a revoked key")
	}
}
