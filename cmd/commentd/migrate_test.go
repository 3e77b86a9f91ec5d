package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMigrateStore fills a SQLite instance through the API, with webhooks
// delivered and waiting, site API keys and a taught spam check, copies it to
// PostgreSQL twice, serves the copy, and copies that back to a new SQLite
// database: each copy delivers what waited, nothing twice, and verifies the
// keys made before the move.
func TestMigrateStore(t *testing.T) {
	r := newHookReceiver(t)
	env := hookEnv(t, r, everyPending)
	from := env["COMMENTD_DATABASE_URL"]
	src, stopSrc := startHooked(t, env)
	var ids []int64
	for i := range 6 {
		ids = append(ids, idOf(t, src.postJSON(t, comment("moved", "text", fmt.Sprintf("comment %d about moving house", i)))))
	}
	for i, action := range []string{"/approve", "/spam", "/trash"} {
		if r := src.mod(t, "POST", "/comments/"+itoa(ids[i])+action); r.Status != 200 {
			t.Fatalf("%s: %d %s", action, r.Status, r.Body)
		}
	}
	if r := src.mod(t, "DELETE", "/comments/"+itoa(ids[5])); r.Status != 204 {
		t.Fatalf("delete: %d", r.Status)
	}
	events := 6*2 + 3 + 1 // created and queued for each comment, the decisions, the deletion
	r.wantEvents(t, events)
	r.down.Store(true)
	tried := r.hits.Load()
	src.postJSON(t, comment("moved", "text", "posted while the receiver is down, before the move"))
	events += 2
	waitFor(t, 10*time.Second, "a delivery attempt while the receiver is down", func() bool { return r.hits.Load() > tried })
	key, revoked := setUpSites(t, src)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"moderator", "add", "--name", "ada", "--role", "admin"}, getenvFrom(env),
		bytes.NewBufferString("a long enough password\n"), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	wantCounts := src.queueCounts(t)
	stopSrc()

	to := postgresURL(t)
	migrate := func(from, to string) {
		t.Helper()
		for round := range 2 {
			out.Reset()
			if err := run(context.Background(), []string{"migrate-store", "--from", from, "--to", to}, getenvFrom(nil), nil, &out, io.Discard); err != nil {
				t.Fatalf("round %d: %v\n%s", round, err, out.String())
			}
			for _, want := range []string{"site api keys", "spam checks", "webhook events", "the counts match"} {
				mustContain(t, out.String(), want)
			}
		}
	}
	migrate(from, to)

	env["COMMENTD_DATABASE_URL"] = to
	r.down.Store(false)
	dst, stopDst := startHooked(t, env)
	r.wantEvents(t, events) // the waiting events, once; the delivered ones not again
	if got := dst.queueCounts(t); fmt.Sprint(got) != fmt.Sprint(wantCounts) {
		t.Fatalf("counts on PostgreSQL %v, want %v", got, wantCounts)
	}
	if r := dst.do(t, "GET", "/api/v1/comments?post=moved", "", nil); !bytes.Contains(r.Body, []byte(`"id":`+itoa(ids[0]))) {
		t.Fatalf("the approved comment is not listed with its id: %s", r.Body)
	}
	// The copy goes on where the original stopped: the next comment does not take the deleted one's id.
	if id := idOf(t, dst.postJSON(t, comment("moved", "text", "a new comment after the move"))); id <= ids[5] {
		t.Fatalf("new comment id %d, want above the deleted %d", id, ids[5])
	}
	if r := dst.mod(t, "POST", "/comments/"+itoa(ids[1])+"/approve?from=spam"); r.Status != 200 {
		t.Fatalf("reversing a copied decision: %d %s", r.Status, r.Body)
	}
	events += 3
	r.wantEvents(t, events) // new ids: no receiver takes them for events it has
	checkSitesMoved(t, dst, key, revoked, "submit-ham")
	stopDst()

	// And back from PostgreSQL to SQLite.
	back := "sqlite://" + filepath.Join(t.TempDir(), "back.db")
	migrate(to, back)
	env["COMMENTD_DATABASE_URL"] = back
	b, _ := startHooked(t, env)
	b.postJSON(t, comment("moved", "text", "a comment after moving back"))
	r.wantEvents(t, events+2)
	checkSitesMoved(t, b, key, revoked, "submit-spam")

	for _, args := range [][]string{
		{"migrate-store"},
		{"migrate-store", "--from", from},
		{"migrate-store", "--from", from, "--to", from},
		{"migrate-store", "--from", "mysql://x", "--to", to},
	} {
		if err := run(context.Background(), args, getenvFrom(nil), nil, io.Discard, io.Discard); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
}

// setUpSites creates two site API keys through the admin API and revokes the
// second; the first key's site then asks about pharmacy spam and reports it:
// a spam check that taught the filter. It returns both keys.
func setUpSites(t *testing.T, ta *testApp) (key, revoked string) {
	t.Helper()
	var keys []string
	for _, site := range []string{wpBlog, "https://shop.example.org"} {
		r := ta.do(t, "POST", "/api/v1/moderation/apikeys", "application/json", []byte(`{"site":"`+site+`"}`),
			"Authorization", "Bearer "+testToken)
		created := r.json(t)
		k, _ := created["key"].(string)
		if r.Status != 201 || k == "" {
			t.Fatalf("create key: %d %s", r.Status, r.Body)
		}
		keys = append(keys, k)
		if site != wpBlog {
			if r := ta.mod(t, "DELETE", "/apikeys/"+itoa(int64(created["id"].(float64)))); r.Status != 204 {
				t.Fatalf("revoke key: %d %s", r.Status, r.Body)
			}
		}
	}
	if r := ta.akismet(t, "comment-check", wpCheck(keys[0], pharmacy)); r.Header.Get("X-akismet-guid") == "" {
		t.Fatalf("comment-check: %d %s", r.Status, r.Body)
	}
	before := len(ta.events(t))
	if r := ta.akismet(t, "submit-spam", wpReport(keys[0], pharmacy, "false")); r.Status != 200 || len(ta.events(t)) != before+1 {
		t.Fatalf("submit-spam: %d %s; %d training events, want %d", r.Status, r.Body, len(ta.events(t)), before+1)
	}
	return keys[0], keys[1]
}

// checkSitesMoved checks that an installation moved from one set up by
// setUpSites verifies key, not revoked, and that report (submit-ham, or
// submit-spam after a ham report) finds the moved check of key's site and
// reverses its lesson: unlearn one class, learn the other.
func checkSitesMoved(t *testing.T, ta *testApp, key, revoked, report string) {
	t.Helper()
	for k, want := range map[string]string{key: "valid", revoked: "invalid"} {
		if r := ta.akismet(t, "verify-key", pairs{{"key", k}, {"blog", wpBlog}}.encode()); string(r.Body) != want {
			t.Errorf("verify-key of a key made before the move: %q, want %q", r.Body, want)
		}
	}
	before := len(ta.events(t))
	r := ta.akismet(t, report, wpReport(key, pharmacy, "false"))
	if r.Status != 200 || string(r.Body) != "Thanks for making the web a better place." {
		t.Fatalf("%s after the move: %d %q", report, r.Status, r.Body)
	}
	if n := len(ta.events(t)); n != before+2 {
		t.Errorf("%s after the move taught %d events, want 2: the spam check did not move with its key and lesson", report, n-before)
	}
}

// TestMigrateStoreRefusesAnotherInstallation: copying into a database that
// holds another installation's comments or accounts is refused before
// anything is written, since ids are kept and would overwrite them; an empty
// target and an earlier copy are accepted.
func TestMigrateStoreRefusesAnotherInstallation(t *testing.T) {
	install := func(texts ...string) string {
		t.Helper()
		ta := startApp(t, testEnv(t, mechanical))
		for _, text := range texts {
			if r := ta.postJSON(t, comment("moved", "text", text)); r.Status != 201 {
				t.Fatalf("post: %d %s", r.Status, r.Body)
			}
		}
		ta.stop()
		return ta.env["COMMENTD_DATABASE_URL"]
	}
	migrate := func(from, to string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), []string{"migrate-store", "--from", from, "--to", to}, getenvFrom(nil), nil, &out, io.Discard)
		return out.String(), err
	}
	source := install("the source's first comment", "the source's second comment")
	other := install("another blog's comment", "another blog's second", "and third")
	empty := install() // nothing of it can be told apart from the target's rows, nor found among them
	for _, from := range []string{source, empty} {
		if out, err := migrate(from, other); err == nil || !strings.Contains(err.Error(), "not a copy of this source") {
			t.Fatalf("copy of %s into another installation: %v\n%s", from, err, out)
		}
	}
	ta := startApp(t, map[string]string{"COMMENTD_DATABASE_URL": other, "COMMENTD_ADMIN_TOKEN": testToken})
	for id, want := range []string{1: "another blog's comment", 3: "and third"} {
		if want == "" {
			continue
		}
		if c, err := ta.store.GetComment(context.Background(), int64(id)); err != nil || c.Text != want {
			t.Errorf("comment %d after the refusal: %q, %v; want %q untouched", id, c.Text, err, want)
		}
	}
	ta.stop()

	fresh := "sqlite://" + filepath.Join(t.TempDir(), "copy.db")
	for round := range 2 { // into an empty database, then again into that copy
		if out, err := migrate(source, fresh); err != nil {
			t.Fatalf("round %d: %v\n%s", round, err, out)
		}
	}
}
