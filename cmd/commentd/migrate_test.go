package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
)

// TestMigrateStore fills a SQLite instance through the API, copies it to
// PostgreSQL twice, and serves the copy.
func TestMigrateStore(t *testing.T) {
	env := testEnv(t, everyPending)
	from := env["COMMENTD_DATABASE_URL"]
	src := startApp(t, env)
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
	var out bytes.Buffer
	if err := run(context.Background(), []string{"moderator", "add", "--name", "ada", "--role", "admin"}, getenvFrom(env),
		bytes.NewBufferString("a long enough password\n"), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	wantCounts := src.queueCounts(t)
	src.stop()

	to := postgresURL(t)
	for round := range 2 {
		out.Reset()
		if err := run(context.Background(), []string{"migrate-store", "--from", from, "--to", to}, getenvFrom(nil), nil, &out, io.Discard); err != nil {
			t.Fatalf("round %d: %v\n%s", round, err, out.String())
		}
		mustContain(t, out.String(), "the counts match")
	}

	env["COMMENTD_DATABASE_URL"] = to
	dst := startApp(t, env)
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
