package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
)

// listSize is how many approved comments the read loads' post has.
const listSize = 200

// seedList posts ham comments to the list post until listSize are approved,
// approving those the filter held when an admin token is given.
func (b *bench) seedList(ctx context.Context, stderr io.Writer) error {
	approved := 0
	for attempt := 0; approved < listSize; attempt++ {
		if attempt >= 5*listSize {
			return fmt.Errorf("run: only %d of %d seeded comments were approved; pass -admin-token so the rest can be", approved, listSize)
		}
		n := b.nextVisitor()
		var out struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		}
		code, err := b.call(ctx, http.MethodPost, "/api/v1/comments", commentBody(b.listPost, n, b.runID, false), clientIP(n), &out)
		if err != nil {
			return err
		}
		if code == http.StatusTooManyRequests {
			return fmt.Errorf("run: seeding was rate limited: start commentd with COMMENTD_TRUSTED_PROXIES=127.0.0.1/32 so each request's X-Forwarded-For counts")
		}
		if code != http.StatusCreated {
			return fmt.Errorf("run: seeding: POST answered %d", code)
		}
		if out.Status != "approved" && b.adminToken != "" {
			code, err = b.call(ctx, http.MethodPost, "/api/v1/moderation/comments/"+strconv.FormatInt(out.ID, 10)+"/approve", nil, "", nil)
			if err != nil || code != http.StatusOK {
				return fmt.Errorf("run: approving seeded comment %d: %d %v", out.ID, code, err)
			}
			out.Status = "approved"
		}
		if out.Status == "approved" {
			approved++
		}
	}
	fmt.Fprintf(stderr, "seeded post %s with %d approved comments\n", b.listPost, approved)
	return nil
}

// saveList fetches the seeded list once, keeps its ETag and size, and writes
// it to path for the list floor.
func (b *bench) saveList(ctx context.Context, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.target+"/api/v1/comments?limit=200&post="+url.QueryEscape(b.listPost), nil)
	if err != nil {
		return err
	}
	req.Header.Set("X-Forwarded-For", clientIP(b.nextVisitor()))
	req.Header.Set("Accept-Encoding", "identity") // the size the floor must match
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	var page struct {
		Comments []json.RawMessage `json:"comments"`
	}
	if res.StatusCode != http.StatusOK || json.Unmarshal(body, &page) != nil || len(page.Comments) != listSize {
		return fmt.Errorf("run: the seeded list answered %d with %d comments, want %d", res.StatusCode, len(page.Comments), listSize)
	}
	if b.etag = res.Header.Get("ETag"); b.etag == "" {
		return fmt.Errorf("run: the list has no ETag")
	}
	b.listSize = len(body)
	return os.WriteFile(path, body, 0o600)
}

// call sends one JSON request and decodes the answer into out (when not nil).
func (b *bench) call(ctx context.Context, method, path string, body []byte, ip string, out any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, b.target+path, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if ip != "" {
		req.Header.Set("X-Forwarded-For", ip)
	}
	if b.adminToken != "" {
		req.Header.Set("Authorization", "Bearer "+b.adminToken)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if out != nil && res.StatusCode < 300 {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			return res.StatusCode, err
		}
	}
	return res.StatusCode, nil
}
