// Package config loads commentd's configuration: defaults, then the YAML file,
// then COMMENTD_* environment variables, validated at start.
package config

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is every setting commentd reads. configs/commentd.yaml documents each key.
type Config struct {
	Addr            string
	DatabaseURL     string
	RedisURL        string
	RedisKeyPrefix  string
	RedisTimeout    time.Duration
	AdminToken      string
	TrustedProxies  []string
	AllowedOrigins  []string
	MaxTextLength   int
	MaxBodyBytes    int64
	HoneypotField   string
	HamThreshold    float64
	SpamThreshold   float64
	MaxLinks        int
	BlockedWords    []string
	HeldWords       []string
	DuplicateWindow time.Duration
	PostRate        int
	PostBurst       int
	PostPeriod      time.Duration
	ReadRate        int
	ReadBurst       int
	ReadPeriod      time.Duration
	SnapshotEvery   int
	DiscardAbove    float64
	TrustAfter      int
	HoldFirst       bool
	RefuseBanned    bool
	LoginRate       int
	LoginBurst      int
	LoginPeriod     time.Duration
	SessionIdle     time.Duration
	SessionMax      time.Duration
	CookieSecure    bool
	Demo            bool
	PasswordCost    int
	LogLevel        string
	LogFormat       string
	MetricsAddr     string // separate listener for /metrics; empty: /metrics on addr
	MetricsToken    string // bearer token /metrics requires; empty: none

	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	ShutdownTimeout   time.Duration

	APIKeyFailureRate   int           // wrong site keys per period and client IP on the Akismet-compatible API
	APIKeyFailureBurst  int           // wrong site keys at once
	APIKeyFailurePeriod time.Duration // the period of APIKeyFailureRate

	AuthFailureRate   int           // wrong bearer tokens per period and client IP on the moderation API
	AuthFailureBurst  int           // wrong bearer tokens at once
	AuthFailurePeriod time.Duration // the period of AuthFailureRate

	Webhooks        []string      // endpoints that receive comment events; empty: no webhooks
	WebhookSecret   string        // HMAC-SHA256 key of the deliveries' signatures
	WebhookTimeout  time.Duration // per delivery request
	WebhookBackoff  time.Duration // the first retry's delay, doubled up to an hour
	WebhookRetryFor time.Duration // an event undelivered this long is given up
}

// Getenv is the signature of os.Getenv, so tests can pass their own environment.
type Getenv func(string) string

// Load builds a Config from defaults, the YAML file named by COMMENTD_CONFIG (or
// path when that is unset; a missing default file is not an error) and the
// environment, and validates it. Errors name the offending key.
func Load(getenv Getenv, path string) (*Config, error) {
	c := &Config{}
	for _, o := range options {
		if err := o.set(c, o.def); err != nil {
			return nil, fmt.Errorf("config: default of %s: %w", o.key, err)
		}
	}
	explicit := false
	if p := getenv("COMMENTD_CONFIG"); p != "" {
		path, explicit = p, true
	}
	if path != "" {
		if err := c.loadFile(path, explicit); err != nil {
			return nil, err
		}
	}
	for _, o := range options {
		if v, ok := lookup(getenv, o.env()); ok {
			if err := o.set(c, v); err != nil {
				return nil, fmt.Errorf("config: %s: %w", o.env(), err)
			}
		}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// lookup treats an empty variable as unset, except for keys that may be cleared.
func lookup(getenv Getenv, name string) (string, bool) {
	v := getenv(name)
	return v, v != ""
}

func (c *Config) loadFile(path string, explicit bool) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !explicit {
		return nil
	}
	if err != nil {
		return fmt.Errorf("config: COMMENTD_CONFIG: %w", err)
	}
	var raw map[string]any
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("config: %s: %w", path, err)
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		o, ok := optionByKey(k)
		if !ok {
			return fmt.Errorf("config: %s: unknown key %q", path, k)
		}
		v, err := scalar(raw[k])
		if err != nil {
			return fmt.Errorf("config: %s: %s: %w", path, k, err)
		}
		if err := o.set(c, v); err != nil {
			return fmt.Errorf("config: %s: %s: %w", path, k, err)
		}
	}
	return nil
}

// scalar turns a YAML value into the string form the environment would carry.
func scalar(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			s, err := scalar(e)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return strings.Join(parts, ","), nil
	case map[string]any:
		return "", errors.New("a mapping is not allowed here")
	default:
		return fmt.Sprint(x), nil
	}
}

// String prints every key with its value, secrets masked, one per line.
func (c *Config) String() string {
	var b strings.Builder
	for _, o := range options {
		v := o.get(c)
		switch {
		case o.secret:
			v = mask(v)
		case o.key == "database_url":
			v = RedactURL(v)
		}
		fmt.Fprintf(&b, "%s=%s\n", o.env(), v)
	}
	return b.String()
}

func mask(v string) string {
	if v == "" {
		return ""
	}
	return "********"
}
