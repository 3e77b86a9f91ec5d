package config

import (
	"strings"
	"testing"
	"time"
)

func TestWebhookKeys(t *testing.T) {
	const secret = "0123456789abcdef"
	ok := map[string]string{"COMMENTD_WEBHOOKS": "https://hooks.example.org/c, http://127.0.0.1:9000/x?token=t", "COMMENTD_WEBHOOK_SECRET": secret}
	c, err := Load(env(ok), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Webhooks) != 2 || c.WebhookTimeout != 10*time.Second || c.WebhookBackoff != 5*time.Second || c.WebhookRetryFor != 72*time.Hour {
		t.Fatalf("webhooks %v, timings %v %v %v", c.Webhooks, c.WebhookTimeout, c.WebhookBackoff, c.WebhookRetryFor)
	}
	if s := c.String(); strings.Contains(s, secret) || !strings.Contains(s, "COMMENTD_WEBHOOK_SECRET=********") {
		t.Errorf("String shows the webhook secret:\n%s", s)
	}
	cases := []struct {
		name string
		env  map[string]string
		key  string
	}{
		{"not a URL", map[string]string{"COMMENTD_WEBHOOKS": "hooks.example.org", "COMMENTD_WEBHOOK_SECRET": secret}, "webhooks"},
		{"other scheme", map[string]string{"COMMENTD_WEBHOOKS": "ftp://hooks.example.org", "COMMENTD_WEBHOOK_SECRET": secret}, "webhooks"},
		{"no secret", map[string]string{"COMMENTD_WEBHOOKS": "https://hooks.example.org"}, "webhook_secret"},
		{"short secret", map[string]string{"COMMENTD_WEBHOOKS": "https://hooks.example.org", "COMMENTD_WEBHOOK_SECRET": "short"}, "webhook_secret"},
		{"zero timeout", map[string]string{"COMMENTD_WEBHOOK_TIMEOUT": "0s"}, "webhook_timeout"},
		{"negative backoff", map[string]string{"COMMENTD_WEBHOOK_BACKOFF": "-1s"}, "webhook_backoff"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(env(tc.env), "")
			if err == nil || !strings.Contains(err.Error(), tc.key) {
				t.Fatalf("err = %v, want one naming %s", err, tc.key)
			}
		})
	}
}
