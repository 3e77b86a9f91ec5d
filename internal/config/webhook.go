package config

import (
	"net/url"
	"strings"
)

// checkWebhooks validates the webhook endpoints, their secret and timings.
func (c *Config) checkWebhooks() error {
	for _, w := range c.Webhooks {
		u, err := url.Parse(w)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("webhooks", "%q is not an http or https URL", RedactURL(w))
		}
	}
	if len(c.Webhooks) > 0 && (len(c.WebhookSecret) < 16 || strings.ContainsAny(c.WebhookSecret, " \t\r\n")) {
		return bad("webhook_secret", "must be at least 16 characters without spaces when webhooks are set")
	}
	for _, d := range []struct {
		key string
		v   int64
	}{{"webhook_timeout", int64(c.WebhookTimeout)}, {"webhook_backoff", int64(c.WebhookBackoff)}, {"webhook_retry_for", int64(c.WebhookRetryFor)}} {
		if d.v <= 0 {
			return bad(d.key, "must be greater than zero")
		}
	}
	return nil
}
