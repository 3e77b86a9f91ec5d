package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// option is one config key: its YAML name, default, and how to set and print it.
// The environment variable is COMMENTD_ + the key in upper case.
type option struct {
	key    string
	def    string
	secret bool
	set    func(c *Config, v string) error
	get    func(c *Config) string
}

func (o option) env() string { return "COMMENTD_" + strings.ToUpper(o.key) }

func optionByKey(k string) (option, bool) {
	for _, o := range options {
		if o.key == k {
			return o, true
		}
	}
	return option{}, false
}

// options is the table of every key; configs/commentd.yaml mirrors it.
var options = []option{
	str("addr", "127.0.0.1:8080", func(c *Config) *string { return &c.Addr }),
	str("database_url", "sqlite://./data/commentd.db", func(c *Config) *string { return &c.DatabaseURL }),
	secret(str("redis_url", "", func(c *Config) *string { return &c.RedisURL })),
	str("redis_key_prefix", "commentd:", func(c *Config) *string { return &c.RedisKeyPrefix }),
	dur("redis_timeout", "150ms", func(c *Config) *time.Duration { return &c.RedisTimeout }),
	secret(str("admin_token", "", func(c *Config) *string { return &c.AdminToken })),
	list("trusted_proxies", "", func(c *Config) *[]string { return &c.TrustedProxies }),
	list("allowed_origins", "", func(c *Config) *[]string { return &c.AllowedOrigins }),
	integer("max_text_length", "5000", func(c *Config) *int { return &c.MaxTextLength }),
	int64opt("max_body_bytes", "65536", func(c *Config) *int64 { return &c.MaxBodyBytes }),
	str("honeypot_field", "fax", func(c *Config) *string { return &c.HoneypotField }),
	float("ham_threshold", "0.35", func(c *Config) *float64 { return &c.HamThreshold }),
	float("spam_threshold", "0.85", func(c *Config) *float64 { return &c.SpamThreshold }),
	integer("max_links", "2", func(c *Config) *int { return &c.MaxLinks }),
	list("blocked_words", "", func(c *Config) *[]string { return &c.BlockedWords }),
	list("held_words", "", func(c *Config) *[]string { return &c.HeldWords }),
	dur("duplicate_window", "24h", func(c *Config) *time.Duration { return &c.DuplicateWindow }),
	integer("post_rate", "5", func(c *Config) *int { return &c.PostRate }),
	integer("post_burst", "3", func(c *Config) *int { return &c.PostBurst }),
	dur("post_period", "1m", func(c *Config) *time.Duration { return &c.PostPeriod }),
	integer("read_rate", "600", func(c *Config) *int { return &c.ReadRate }),
	integer("read_burst", "120", func(c *Config) *int { return &c.ReadBurst }),
	dur("read_period", "1m", func(c *Config) *time.Duration { return &c.ReadPeriod }),
	integer("snapshot_every", "200", func(c *Config) *int { return &c.SnapshotEvery }),
	float("discard_above", "0", func(c *Config) *float64 { return &c.DiscardAbove }),
	integer("trust_after", "0", func(c *Config) *int { return &c.TrustAfter }),
	boolean("hold_first", "false", func(c *Config) *bool { return &c.HoldFirst }),
	boolean("refuse_banned", "false", func(c *Config) *bool { return &c.RefuseBanned }),
	integer("login_rate", "5", func(c *Config) *int { return &c.LoginRate }),
	integer("login_burst", "5", func(c *Config) *int { return &c.LoginBurst }),
	dur("login_period", "15m", func(c *Config) *time.Duration { return &c.LoginPeriod }),
	integer("apikey_failure_rate", "30", func(c *Config) *int { return &c.APIKeyFailureRate }),
	integer("apikey_failure_burst", "10", func(c *Config) *int { return &c.APIKeyFailureBurst }),
	dur("apikey_failure_period", "1h", func(c *Config) *time.Duration { return &c.APIKeyFailurePeriod }),
	integer("auth_failure_rate", "30", func(c *Config) *int { return &c.AuthFailureRate }),
	integer("auth_failure_burst", "10", func(c *Config) *int { return &c.AuthFailureBurst }),
	dur("auth_failure_period", "1h", func(c *Config) *time.Duration { return &c.AuthFailurePeriod }),
	dur("session_idle", "2h", func(c *Config) *time.Duration { return &c.SessionIdle }),
	dur("session_max", "168h", func(c *Config) *time.Duration { return &c.SessionMax }),
	boolean("cookie_secure", "false", func(c *Config) *bool { return &c.CookieSecure }),
	boolean("demo", "false", func(c *Config) *bool { return &c.Demo }),
	integer("password_cost", "10", func(c *Config) *int { return &c.PasswordCost }),
	str("log_level", "info", func(c *Config) *string { return &c.LogLevel }),
	str("log_format", "json", func(c *Config) *string { return &c.LogFormat }),
	str("metrics_addr", "", func(c *Config) *string { return &c.MetricsAddr }),
	secret(str("metrics_token", "", func(c *Config) *string { return &c.MetricsToken })),
	dur("read_header_timeout", "5s", func(c *Config) *time.Duration { return &c.ReadHeaderTimeout }),
	dur("read_timeout", "15s", func(c *Config) *time.Duration { return &c.ReadTimeout }),
	dur("write_timeout", "30s", func(c *Config) *time.Duration { return &c.WriteTimeout }),
	dur("idle_timeout", "60s", func(c *Config) *time.Duration { return &c.IdleTimeout }),
	dur("shutdown_timeout", "20s", func(c *Config) *time.Duration { return &c.ShutdownTimeout }),
	list("webhooks", "", func(c *Config) *[]string { return &c.Webhooks }),
	secret(str("webhook_secret", "", func(c *Config) *string { return &c.WebhookSecret })),
	dur("webhook_timeout", "10s", func(c *Config) *time.Duration { return &c.WebhookTimeout }),
	dur("webhook_backoff", "5s", func(c *Config) *time.Duration { return &c.WebhookBackoff }),
	dur("webhook_retry_for", "72h", func(c *Config) *time.Duration { return &c.WebhookRetryFor }),
}

func secret(o option) option { o.secret = true; return o }

func str(key, def string, f func(*Config) *string) option {
	return option{key: key, def: def,
		set: func(c *Config, v string) error { *f(c) = v; return nil },
		get: func(c *Config) string { return *f(c) }}
}

func integer(key, def string, f func(*Config) *int) option {
	return option{key: key, def: def,
		set: func(c *Config, v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("%q is not a whole number", v)
			}
			*f(c) = n
			return nil
		},
		get: func(c *Config) string { return strconv.Itoa(*f(c)) }}
}

func int64opt(key, def string, f func(*Config) *int64) option {
	return option{key: key, def: def,
		set: func(c *Config, v string) error {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return fmt.Errorf("%q is not a whole number", v)
			}
			*f(c) = n
			return nil
		},
		get: func(c *Config) string { return strconv.FormatInt(*f(c), 10) }}
}

func float(key, def string, f func(*Config) *float64) option {
	return option{key: key, def: def,
		set: func(c *Config, v string) error {
			x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return fmt.Errorf("%q is not a number", v)
			}
			*f(c) = x
			return nil
		},
		get: func(c *Config) string { return strconv.FormatFloat(*f(c), 'g', -1, 64) }}
}

func boolean(key, def string, f func(*Config) *bool) option {
	return option{key: key, def: def,
		set: func(c *Config, v string) error {
			b, err := strconv.ParseBool(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("%q is not true or false", v)
			}
			*f(c) = b
			return nil
		},
		get: func(c *Config) string { return strconv.FormatBool(*f(c)) }}
}

func dur(key, def string, f func(*Config) *time.Duration) option {
	return option{key: key, def: def,
		set: func(c *Config, v string) error {
			d, err := time.ParseDuration(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("%q is not a duration such as 150ms, 5s or 1m", v)
			}
			*f(c) = d
			return nil
		},
		get: func(c *Config) string { return f(c).String() }}
}

func list(key, def string, f func(*Config) *[]string) option {
	return option{key: key, def: def,
		set: func(c *Config, v string) error {
			var out []string
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, p)
				}
			}
			*f(c) = out
			return nil
		},
		get: func(c *Config) string { return strings.Join(*f(c), ",") }}
}
