package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) Getenv { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(nil), "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.MaxTextLength != 5000 || c.PostRate != 5 || c.PostBurst != 3 || c.PostPeriod != time.Minute {
		t.Fatalf("defaults: %+v", c)
	}
	if p, _ := c.SQLitePath(); p != "./data/commentd.db" {
		t.Fatalf("sqlite path %q", p)
	}
	if len(c.TrustedProxies) != 0 {
		t.Fatalf("trusted proxies by default: %v", c.TrustedProxies)
	}
}

func TestLoadPrecedence(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.yaml")
	yaml := "addr: 0.0.0.0:9000\nmax_links: 4\nblocked_words: [casino, viagra]\ntrusted_proxies:\n  - 10.0.0.0/8\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(env(map[string]string{"COMMENTD_CONFIG": path, "COMMENTD_MAX_LINKS": "7", "COMMENTD_ADMIN_TOKEN": "s3cret-admin-token-0123"}), "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "0.0.0.0:9000" {
		t.Errorf("file not applied: addr %q", c.Addr)
	}
	if c.MaxLinks != 7 {
		t.Errorf("env does not override file: max_links %d", c.MaxLinks)
	}
	if strings.Join(c.BlockedWords, "|") != "casino|viagra" || strings.Join(c.TrustedProxies, "|") != "10.0.0.0/8" {
		t.Errorf("lists: %v %v", c.BlockedWords, c.TrustedProxies)
	}
	if s := c.String(); strings.Contains(s, "s3cret") || !strings.Contains(s, "COMMENTD_ADMIN_TOKEN=********") {
		t.Errorf("String leaks or hides the secret wrongly:\n%s", s)
	}
}

func TestLoadErrorsNameTheKey(t *testing.T) {
	dir := t.TempDir()
	unknown := filepath.Join(dir, "u.yaml")
	os.WriteFile(unknown, []byte("adress: x\n"), 0o600)
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"bad addr", map[string]string{"COMMENTD_ADDR": "nope"}, "COMMENTD_ADDR"},
		{"bad int", map[string]string{"COMMENTD_POST_RATE": "five"}, "COMMENTD_POST_RATE"},
		{"zero rate", map[string]string{"COMMENTD_POST_RATE": "0"}, "post_rate"},
		{"zero key failure burst", map[string]string{"COMMENTD_APIKEY_FAILURE_BURST": "0"}, "apikey_failure_burst"},
		{"bad key failure period", map[string]string{"COMMENTD_APIKEY_FAILURE_PERIOD": "hourly"}, "COMMENTD_APIKEY_FAILURE_PERIOD"},
		{"zero auth failure rate", map[string]string{"COMMENTD_AUTH_FAILURE_RATE": "0"}, "auth_failure_rate"},
		{"negative auth failure burst", map[string]string{"COMMENTD_AUTH_FAILURE_BURST": "-1"}, "auth_failure_burst"},
		{"zero auth failure period", map[string]string{"COMMENTD_AUTH_FAILURE_PERIOD": "0s"}, "auth_failure_period"},
		{"bad duration", map[string]string{"COMMENTD_REDIS_TIMEOUT": "fast"}, "COMMENTD_REDIS_TIMEOUT"},
		{"bad cidr", map[string]string{"COMMENTD_TRUSTED_PROXIES": "10.0.0.0/33"}, "trusted_proxies"},
		{"bad origin", map[string]string{"COMMENTD_ALLOWED_ORIGINS": "blog.example.org"}, "allowed_origins"},
		{"bad database", map[string]string{"COMMENTD_DATABASE_URL": "mysql://x"}, "database_url"},
		{"postgres without a database", map[string]string{"COMMENTD_DATABASE_URL": "postgres://u:pw@db:5432"}, "database_url"},
		{"postgres without a host", map[string]string{"COMMENTD_DATABASE_URL": "postgresql:///commentd"}, "database_url"},
		{"thresholds crossed", map[string]string{"COMMENTD_HAM_THRESHOLD": "0.9", "COMMENTD_SPAM_THRESHOLD": "0.5"}, "spam_threshold"},
		{"bad redis", map[string]string{"COMMENTD_REDIS_URL": "http://x"}, "redis_url"},
		{"missing file", map[string]string{"COMMENTD_CONFIG": filepath.Join(dir, "none.yaml")}, "COMMENTD_CONFIG"},
		{"unknown key", map[string]string{"COMMENTD_CONFIG": unknown}, "adress"},
		{"bad metrics addr", map[string]string{"COMMENTD_METRICS_ADDR": "9090"}, "metrics_addr"},
		{"metrics addr is addr", map[string]string{"COMMENTD_METRICS_ADDR": "127.0.0.1:8080"}, "metrics_addr"},
		{"short metrics token", map[string]string{"COMMENTD_METRICS_TOKEN": "short"}, "metrics_token"},
		{"short admin token", map[string]string{"COMMENTD_ADMIN_TOKEN": "s3cret"}, "COMMENTD_ADMIN_TOKEN): must be at least 16 characters"},
		{"admin token of 15 characters", map[string]string{"COMMENTD_ADMIN_TOKEN": "0123456789abcde"}, "admin_token"},
		{"admin token of 15 letters in 30 bytes", map[string]string{"COMMENTD_ADMIN_TOKEN": strings.Repeat("é", 15)}, "admin_token"},
		{"admin token with a trailing newline", map[string]string{"COMMENTD_ADMIN_TOKEN": "0123456789abcdef0123\n"}, "admin_token"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(env(tc.env), "")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to name %s", err, tc.want)
			}
		})
	}
}

func TestShippedConfigMatchesDefaults(t *testing.T) {
	c, err := Load(env(map[string]string{"COMMENTD_CONFIG": "../../configs/commentd.yaml"}), "")
	if err != nil {
		t.Fatal(err)
	}
	d, _ := Load(env(nil), "")
	if c.String() != d.String() {
		t.Fatalf("configs/commentd.yaml differs from the defaults:\n%s\nvs\n%s", c, d)
	}
	b, _ := os.ReadFile("../../configs/commentd.yaml")
	for _, o := range options {
		if !strings.Contains(string(b), "\n"+o.key+":") {
			t.Errorf("configs/commentd.yaml does not document %s", o.key)
		}
	}
}

func TestDatabaseEngine(t *testing.T) {
	tests := []struct {
		url, engine, printed string
	}{
		{"sqlite://./data/commentd.db", EngineSQLite, "sqlite://./data/commentd.db"},
		{"postgres://commentd:s3cret@db:5432/commentd?sslmode=disable", EnginePostgres,
			"postgres://commentd:xxxxx@db:5432/commentd?sslmode=disable"},
		{"postgresql://commentd@127.0.0.1/commentd", EnginePostgres, "postgresql://commentd@127.0.0.1/commentd"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			c, err := Load(env(map[string]string{"COMMENTD_DATABASE_URL": tt.url}), "")
			if err != nil {
				t.Fatal(err)
			}
			if got := c.DatabaseEngine(); got != tt.engine {
				t.Errorf("DatabaseEngine = %q, want %q", got, tt.engine)
			}
			if s := c.String(); strings.Contains(s, "s3cret") || !strings.Contains(s, "COMMENTD_DATABASE_URL="+tt.printed+"\n") {
				t.Errorf("String prints the URL wrongly:\n%s", s)
			}
		})
	}
}

func TestAdminTokenLength(t *testing.T) {
	for _, token := range []string{"", "0123456789abcdef", "correct horse battery staple"} {
		if _, err := Load(env(map[string]string{"COMMENTD_ADMIN_TOKEN": token}), ""); err != nil {
			t.Errorf("admin_token %q: %v", token, err)
		}
	}
}
