package config

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Validate checks every key and returns an error naming the first bad one.
func (c *Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return bad("addr", "%q is not host:port", c.Addr)
	}
	if err := c.checkDatabaseURL(); err != nil {
		return bad("database_url", "%v", err)
	}
	if c.RedisURL != "" {
		u, err := url.Parse(c.RedisURL)
		if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss" && u.Scheme != "unix") {
			return bad("redis_url", "must be redis://host:port/db, rediss:// or unix://")
		}
	}
	for _, p := range c.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				return bad("trusted_proxies", "%q is not an IP address or CIDR range", p)
			}
		}
	}
	for _, o := range c.AllowedOrigins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return bad("allowed_origins", "%q is not an origin such as https://blog.example.org", o)
		}
	}
	if err := c.checkWebhooks(); err != nil {
		return err
	}
	positive := []struct {
		key string
		v   int64
	}{
		{"max_text_length", int64(c.MaxTextLength)}, {"max_body_bytes", c.MaxBodyBytes},
		{"post_rate", int64(c.PostRate)}, {"post_burst", int64(c.PostBurst)},
		{"read_rate", int64(c.ReadRate)}, {"read_burst", int64(c.ReadBurst)},
		{"snapshot_every", int64(c.SnapshotEvery)},
		{"login_rate", int64(c.LoginRate)}, {"login_burst", int64(c.LoginBurst)}, {"login_period", int64(c.LoginPeriod)},
		{"apikey_failure_rate", int64(c.APIKeyFailureRate)}, {"apikey_failure_burst", int64(c.APIKeyFailureBurst)},
		{"apikey_failure_period", int64(c.APIKeyFailurePeriod)},
		{"auth_failure_rate", int64(c.AuthFailureRate)}, {"auth_failure_burst", int64(c.AuthFailureBurst)},
		{"auth_failure_period", int64(c.AuthFailurePeriod)},
		{"session_idle", int64(c.SessionIdle)}, {"session_max", int64(c.SessionMax)},
		{"post_period", int64(c.PostPeriod)}, {"read_period", int64(c.ReadPeriod)},
		{"redis_timeout", int64(c.RedisTimeout)}, {"read_header_timeout", int64(c.ReadHeaderTimeout)},
		{"read_timeout", int64(c.ReadTimeout)}, {"write_timeout", int64(c.WriteTimeout)},
		{"idle_timeout", int64(c.IdleTimeout)}, {"shutdown_timeout", int64(c.ShutdownTimeout)},
	}
	for _, p := range positive {
		if p.v <= 0 {
			return bad(p.key, "must be greater than zero")
		}
	}
	if c.MaxLinks < 0 {
		return bad("max_links", "must not be negative")
	}
	if c.DuplicateWindow < 0 {
		return bad("duplicate_window", "must not be negative")
	}
	if c.HamThreshold < 0 || c.HamThreshold > 1 {
		return bad("ham_threshold", "must be between 0 and 1")
	}
	if c.SpamThreshold < c.HamThreshold || c.SpamThreshold > 1 {
		return bad("spam_threshold", "must be between ham_threshold and 1")
	}
	if c.DiscardAbove < 0 || c.DiscardAbove > 1 || (c.DiscardAbove > 0 && c.DiscardAbove < c.SpamThreshold) {
		return bad("discard_above", "must be 0 (off) or between spam_threshold and 1")
	}
	if c.PasswordCost < 4 || c.PasswordCost > 31 {
		return bad("password_cost", "must be a bcrypt cost from 4 to 31")
	}
	if c.TrustAfter < 0 {
		return bad("trust_after", "must not be negative")
	}
	if c.HoneypotField == "" || strings.ContainsAny(c.HoneypotField, " \t\"'<>&") {
		return bad("honeypot_field", "must be a plain form field name")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return bad("log_level", "must be debug, info, warn or error")
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		return bad("log_format", "must be json or text")
	}
	if err := c.checkMetrics(); err != nil {
		return err
	}
	return c.checkAdminToken()
}

// MinAdminTokenLength is the shortest admin_token accepted, in characters.
const MinAdminTokenLength = 16

// checkAdminToken refuses an admin_token short enough to guess (it grants
// every right to whoever sends it), or one that no request can match.
func (c *Config) checkAdminToken() error {
	switch t := c.AdminToken; {
	case t == "":
		return nil
	case utf8.RuneCountInString(t) < MinAdminTokenLength:
		return bad("admin_token", "must be at least %d characters (it gives admin rights to whoever sends it); "+
			"make one with: openssl rand -hex 24", MinAdminTokenLength)
	case strings.TrimSpace(t) != t:
		return bad("admin_token", "must not start or end with spaces or line breaks (a bearer token sent never does)")
	}
	return nil
}

// Database engines, by the scheme of database_url.
const (
	EngineSQLite   = "sqlite"
	EnginePostgres = "postgres"
)

// DatabaseEngine returns the engine database_url names: EngineSQLite for
// sqlite://PATH, EnginePostgres for postgres:// and postgresql:// URLs.
func (c *Config) DatabaseEngine() string {
	if isPostgresURL(c.DatabaseURL) {
		return EnginePostgres
	}
	return EngineSQLite
}

func isPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

func (c *Config) checkDatabaseURL() error {
	if !isPostgresURL(c.DatabaseURL) {
		_, err := c.SQLitePath()
		return err
	}
	u, err := url.Parse(c.DatabaseURL)
	if err != nil {
		return fmt.Errorf("not a URL such as postgres://commentd:secret@db:5432/commentd")
	}
	if u.Host == "" || strings.Trim(u.Path, "/") == "" {
		return fmt.Errorf("%s needs a host and a database name, such as postgres://commentd:secret@db:5432/commentd",
			RedactURL(c.DatabaseURL))
	}
	return nil
}

// SQLitePath returns the file path of a sqlite:// database URL.
func (c *Config) SQLitePath() (string, error) {
	switch {
	case strings.HasPrefix(c.DatabaseURL, "sqlite://"):
		p := strings.TrimPrefix(c.DatabaseURL, "sqlite://")
		if p == "" {
			return "", fmt.Errorf("sqlite:// needs a file path, such as sqlite://./data/commentd.db")
		}
		return p, nil
	case isPostgresURL(c.DatabaseURL):
		return "", fmt.Errorf("%s is a PostgreSQL URL, not a SQLite file", RedactURL(c.DatabaseURL))
	default:
		return "", fmt.Errorf("%q must start with sqlite://, postgres:// or postgresql://", RedactURL(c.DatabaseURL))
	}
}

// RedactURL returns u with its password, if any, replaced by "xxxxx", for
// logs and printed configuration.
func RedactURL(u string) string {
	parsed, err := url.Parse(u)
	if err != nil || parsed.User == nil {
		return u
	}
	if _, ok := parsed.User.Password(); !ok {
		return u
	}
	return parsed.Redacted()
}

func bad(key, format string, args ...any) error {
	return fmt.Errorf("config: %s (COMMENTD_%s): %s", key, strings.ToUpper(key), fmt.Sprintf(format, args...))
}

// checkMetrics validates metrics_addr (host:port, not addr itself) and metrics_token.
func (c *Config) checkMetrics() error {
	if c.MetricsAddr != "" {
		_, port, err := net.SplitHostPort(c.MetricsAddr)
		if err != nil {
			return bad("metrics_addr", "%q is not host:port (leave it empty to serve /metrics on addr)", c.MetricsAddr)
		}
		if c.MetricsAddr == c.Addr && port != "0" { // port 0: each listener gets a free port
			return bad("metrics_addr", "must differ from addr (leave it empty to serve /metrics on addr)")
		}
	}
	if c.MetricsToken != "" && (len(c.MetricsToken) < 16 || strings.ContainsAny(c.MetricsToken, " \t\r\n")) {
		return bad("metrics_token", "must be at least 16 characters without spaces")
	}
	return nil
}
