package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/commentd/commentd/internal/config"
	"github.com/commentd/commentd/internal/storage/postgres/pgtest"
	"github.com/commentd/commentd/models"
)

const testToken = "test-admin-token-0123456789"

// testEnv is a COMMENTD_* environment for one test: its own database file and Redis prefix.
func testEnv(t testing.TB, extra map[string]string) map[string]string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	env := map[string]string{
		"COMMENTD_DATABASE_URL":     "sqlite://" + filepath.Join(t.TempDir(), "commentd.db"),
		"COMMENTD_REDIS_URL":        "redis://127.0.0.1:6379/0",
		"COMMENTD_REDIS_KEY_PREFIX": "commentd-test:" + hex.EncodeToString(b) + ":",
		"COMMENTD_ADMIN_TOKEN":      testToken,
		"COMMENTD_ALLOWED_ORIGINS":  "https://blog.example.org",
		"COMMENTD_POST_RATE":        "1000",
		"COMMENTD_POST_BURST":       "1000",
		"COMMENTD_LOG_LEVEL":        "warn",
		"COMMENTD_PASSWORD_COST":    "4",
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// The PostgreSQL database of this test binary, created by the first test that
// asks for it and dropped by TestMain.
var (
	pgOnce sync.Once
	pgDB   *pgtest.Database
	pgErr  error
)

func TestMain(m *testing.M) {
	if os.Getenv(childServe) != "" {
		os.Exit(serveChild())
	}
	code := m.Run()
	if pgDB != nil {
		if err := pgDB.Drop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	os.Exit(code)
}

// postgresURL returns a database_url naming an empty schema of the test
// binary's PostgreSQL database, for the instances of one test to share.
func postgresURL(t testing.TB) string {
	t.Helper()
	pgOnce.Do(func() { pgDB, pgErr = pgtest.Create(context.Background(), "cmd") })
	if pgErr != nil {
		t.Fatal(pgErr)
	}
	return pgDB.Schema(t)
}

func getenvFrom(env map[string]string) config.Getenv { return func(k string) string { return env[k] } }

// testApp builds the real service (SQLite, filter, Redis limiter) behind an httptest server.
type testApp struct {
	*app
	srv *httptest.Server
	env map[string]string
}

func startApp(t *testing.T, env map[string]string) *testApp {
	t.Helper()
	cfg, err := config.Load(getenvFrom(env), "")
	if err != nil {
		t.Fatal(err)
	}
	a, err := build(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ta := &testApp{app: a, srv: httptest.NewServer(a.handler), env: env}
	t.Cleanup(ta.stop)
	return ta
}

// stop closes the server and the app; safe to call twice.
func (ta *testApp) stop() {
	if ta.srv != nil {
		ta.srv.Close()
		ta.srv = nil
		ta.app.filter.Snapshot(context.Background())
		ta.app.close()
	}
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("not JSON (%d): %s", r.Status, r.Body)
	}
	return m
}

// do sends a request; headers alternate name, value.
func (ta *testApp) do(t *testing.T, method, path, contentType string, body []byte, headers ...string) response {
	t.Helper()
	r, err := ta.send(method, path, contentType, body, headers...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// send is do for goroutines other than the test's, where t.Fatal may not be called.
func (ta *testApp) send(method, path, contentType string, body []byte, headers ...string) (response, error) {
	req, err := http.NewRequest(method, ta.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		return response{}, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}, err
}

func (ta *testApp) postJSON(t *testing.T, v any, headers ...string) response {
	t.Helper()
	b, _ := json.Marshal(v)
	return ta.do(t, "POST", "/api/v1/comments", "application/json", b, headers...)
}

func (ta *testApp) postForm(t *testing.T, form url.Values, headers ...string) response {
	t.Helper()
	return ta.do(t, "POST", "/api/v1/comments", "application/x-www-form-urlencoded", []byte(form.Encode()), headers...)
}

func (ta *testApp) mod(t *testing.T, method, path string) response {
	t.Helper()
	r, err := ta.modSend(method, path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// modSend is mod for goroutines other than the test's.
func (ta *testApp) modSend(method, path string) (response, error) {
	return ta.send(method, "/api/v1/moderation"+path, "", nil, "Authorization", "Bearer "+testToken)
}

// decideFrom is a moderator's decision on a pending comment, for use off the
// test's goroutine as well: it reports a failure with t.Errorf and returns the
// status, 0 when none came.
func (ta *testApp) decideFrom(t *testing.T, id int64, action string) int {
	r, err := ta.modSend("POST", "/comments/"+itoa(id)+"/"+action+"?from=pending")
	if err != nil {
		t.Errorf("%s %d: %v", action, id, err)
	}
	return r.Status
}

// comment is a valid genuine comment body; fields can be overridden.
func comment(post string, kv ...string) map[string]any {
	m := map[string]any{
		"post": post, "author": "Maria", "email": "maria@example.org",
		"text": "Thanks for the recipe, I tried it with less sugar and it still worked well. How long does it keep in the fridge?",
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// queueCounts returns the moderation counts per status.
func (ta *testApp) queueCounts(t *testing.T) map[string]float64 {
	t.Helper()
	r := ta.mod(t, "GET", "/counts")
	out := map[string]float64{}
	for k, v := range r.json(t)["counts"].(map[string]any) {
		out[k] = v.(float64)
	}
	return out
}

func total(m map[string]float64) float64 {
	s := 0.0
	for _, v := range m {
		s += v
	}
	return s
}

// lessonsByComment returns the whole training log and how many lessons each comment has in it.
func (ta *testApp) lessonsByComment(t *testing.T) ([]models.TrainingEvent, map[int64]int) {
	t.Helper()
	log, err := ta.store.TrainingEventsAfter(t.Context(), 0, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	lessons := map[int64]int{}
	for _, e := range log {
		lessons[e.CommentID]++
	}
	return log, lessons
}

func idOf(t *testing.T, r response) int64 {
	t.Helper()
	id, ok := r.json(t)["id"].(float64)
	if !ok {
		t.Fatalf("no id in %s", r.Body)
	}
	return int64(id)
}

func mustContain(t *testing.T, s, sub string) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Fatalf("%q does not contain %q", s, sub)
	}
}
