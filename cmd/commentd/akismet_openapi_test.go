package main

import (
	"encoding/json"
	"fmt"
	"testing"
)

// TestAkismetMatchesOpenAPI checks the site keys' admin routes and the
// Akismet-compatible API against api/openapi.yaml.
func TestAkismetMatchesOpenAPI(t *testing.T) {
	ta := startApp(t, testEnv(t, map[string]string{"COMMENTD_APIKEY_FAILURE_BURST": "2"}))
	c := newContract(t, ta)
	bearer := []string{"Authorization", "Bearer " + testToken}
	created := c.check(t, "create key", exchange{method: "POST", path: "/api/v1/moderation/apikeys", headers: bearer,
		body: map[string]any{"site": wpBlog}, want: 201})
	var k struct {
		Key string
		ID  int64
	}
	json.Unmarshal(created.Body, &k)
	c.check(t, "create key 400", exchange{method: "POST", path: "/api/v1/moderation/apikeys", headers: bearer,
		body: map[string]any{"site": "ftp://x"}, want: 400})
	c.check(t, "list keys", exchange{method: "GET", path: "/api/v1/moderation/apikeys", headers: bearer, want: 200})

	form := "application/x-www-form-urlencoded"
	c.check(t, "verify-key", exchange{method: "POST", path: "/1.1/verify-key", ctype: form,
		body: pairs{{"key", k.Key}, {"blog", wpBlog}}.encode(), want: 200})
	c.check(t, "comment-check", exchange{method: "POST", path: "/1.1/comment-check", ctype: form, body: wpCheck(k.Key, ham), want: 200})
	c.check(t, "comment-check JSON", exchange{method: "POST", path: "/1.1/comment-check",
		body: map[string]any{"api_key": k.Key, "blog": wpBlog, "user_ip": "192.0.2.1", "comment_content": "hi", "is_test": true}, want: 200})
	c.check(t, "comment-check missing field", exchange{method: "POST", path: "/1.1/comment-check", ctype: form,
		body: pairs{{"api_key", k.Key}, {"blog", wpBlog}}.encode(), want: 200})
	c.check(t, "submit-spam", exchange{method: "POST", path: "/1.1/submit-spam", ctype: form, body: wpReport(k.Key, ham, "false"), want: 200})
	c.check(t, "submit-ham", exchange{method: "POST", path: "/1.1/submit-ham", ctype: form, body: wpReport(k.Key, ham, "true"), want: 200})
	c.check(t, "text/plain 415", exchange{method: "POST", path: "/1.1/submit-ham", ctype: "text/plain", body: "x", want: 415, offSpec: true})

	c.check(t, "revoke key", exchange{method: "DELETE", path: fmt.Sprintf("/api/v1/moderation/apikeys/%d", k.ID), headers: bearer, want: 204})
	c.check(t, "revoke again 409", exchange{method: "DELETE", path: fmt.Sprintf("/api/v1/moderation/apikeys/%d", k.ID), headers: bearer, want: 409})
	c.check(t, "revoke unknown 404", exchange{method: "DELETE", path: "/api/v1/moderation/apikeys/999", headers: bearer, want: 404})
	c.check(t, "verify a revoked key", exchange{method: "POST", path: "/1.1/verify-key", ctype: form,
		body: pairs{{"key", k.Key}, {"blog", wpBlog}}.encode(), want: 200})
	c.check(t, "verify an unknown key", exchange{method: "POST", path: "/1.1/verify-key", ctype: form,
		body: pairs{{"key", "0123456789ab"}, {"blog", wpBlog}}.encode(), want: 200})
	// Two wrong keys are this address's whole budget here.
	for _, path := range []string{"/1.1/verify-key", "/1.1/comment-check", "/1.1/submit-spam", "/1.1/submit-ham"} {
		c.check(t, "too many wrong keys "+path, exchange{method: "POST", path: path, ctype: form, body: wpCheck(k.Key, ham), want: 429})
	}
}
