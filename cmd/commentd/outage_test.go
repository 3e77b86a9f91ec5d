package main

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/commentd/commentd/internal/storage/postgres/pgtest"
	"github.com/commentd/commentd/models"
)

// TestPostgresConnectionsKilledMidLoad terminates the instance's PostgreSQL
// connections while visitors post and a moderator marks spam. No request gets
// a 500: the store retries what it safely can, and what is left is a 503 with
// Retry-After. Every comment answered 201 is stored, and every decision
// answered 200 is stored with its lesson.
func TestPostgresConnectionsKilledMidLoad(t *testing.T) {
	ctx := context.Background()
	env := testEnv(t, everyPending)
	url, name := pgtest.Breakable(postgresURL(t))
	env["COMMENTD_DATABASE_URL"] = url
	ta := startApp(t, env)

	const visitors, each, kills = 6, 30, 5
	var (
		mu       sync.Mutex
		acked    = map[int64]models.Status{}
		statuses = map[int]int{}
	)
	answered := func(what string, r response) bool {
		mu.Lock()
		defer mu.Unlock()
		statuses[r.Status]++
		switch {
		case r.Status == 503 && r.Header.Get("Retry-After") == "":
			t.Errorf("%s: 503 without Retry-After", what)
		case r.Status != 201 && r.Status != 200 && r.Status != 503:
			t.Errorf("%s: %d %s", what, r.Status, r.Body)
		}
		return r.Status < 300
	}
	var wg sync.WaitGroup
	for v := range visitors {
		wg.Go(func() {
			for i := range each {
				r := ta.postJSON(t, comment("outage", "text", fmt.Sprintf("visitor %d says %d", v, i),
					"email", fmt.Sprintf("v%d@example.org", v)))
				if !answered("post", r) {
					continue
				}
				id := idOf(t, r)
				mu.Lock()
				acked[id] = models.StatusPending
				mu.Unlock()
				if i%2 == 1 || !answered("spam", ta.mod(t, "POST", "/comments/"+itoa(id)+"/spam?from=pending")) {
					continue
				}
				mu.Lock()
				acked[id] = models.StatusSpam
				mu.Unlock()
			}
		})
	}
	killed, err := pgDB.Terminate(ctx, name, kills, 50*time.Millisecond)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d connections terminated; statuses %v", killed, statuses)

	_, lessons := ta.lessonsByComment(t)
	for id, status := range acked {
		c, err := ta.store.GetComment(ctx, id)
		if err != nil || c.Status != status {
			t.Errorf("comment %d answered as %s: stored %q, %v", id, status, c.Status, err)
		}
		if status == models.StatusSpam && lessons[id] != 1 {
			t.Errorf("comment %d marked spam with %d lessons, want 1", id, lessons[id])
		}
	}
}
