package main

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"sync"
	"testing"
	"time"
)

// cluster is two instances of commentd on one PostgreSQL schema and one Redis
// prefix, as behind a load balancer, each with its background loops running.
type cluster struct {
	env  map[string]string
	a, b *testApp
}

func startCluster(t *testing.T, extra map[string]string) *cluster {
	t.Helper()
	env := testEnv(t, extra)
	env["COMMENTD_DATABASE_URL"] = postgresURL(t)
	// Under a loaded test run, Redis answering late must not switch an
	// instance to its own in-process limits: these tests are about sharing.
	env["COMMENTD_REDIS_TIMEOUT"] = "5s"
	c := &cluster{env: env}
	c.a, c.b = startInstance(t, env), startInstance(t, env)
	return c
}

// startInstance starts an app on env with its background loops, which end
// before the app is stopped.
func startInstance(t *testing.T, env map[string]string) *testApp {
	t.Helper()
	ta := startApp(t, maps.Clone(env))
	ctx, cancel := context.WithCancel(context.Background())
	ta.app.runBackground(ctx)
	t.Cleanup(cancel)
	return ta
}

// everyPending makes every comment pending with its score in the queue: no
// score is below 0 or reaches 1.
var everyPending = map[string]string{"COMMENTD_HAM_THRESHOLD": "0", "COMMENTD_SPAM_THRESHOLD": "1"}

func TestClusterSharesThePostLimit(t *testing.T) {
	c := startCluster(t, map[string]string{"COMMENTD_POST_RATE": "5", "COMMENTD_POST_BURST": "3",
		"COMMENTD_HAM_THRESHOLD": "0.999", "COMMENTD_SPAM_THRESHOLD": "1"})
	statuses := map[int]int{}
	for i := range 8 {
		ta := []*testApp{c.a, c.b}[i%2]
		statuses[ta.postJSON(t, comment("limit", "text", fmt.Sprintf("message number %d", i))).Status]++
	}
	if statuses[201] != 3 || statuses[429] != 5 {
		t.Fatalf("statuses %v, want 3 created and 5 refused across both instances", statuses)
	}
	if n := total(c.b.queueCounts(t)); n != 3 {
		t.Fatalf("%v comments stored, want 3", n)
	}
}

// probeScore posts text on a fresh post of ta and returns the score ta gave it.
func (ta *testApp) probeScore(t *testing.T, text string) float64 {
	t.Helper()
	post := fmt.Sprintf("probe-%d", time.Now().UnixNano())
	if r := ta.postJSON(t, comment(post, "text", text)); r.Status != 201 {
		t.Fatalf("probe: %d %s", r.Status, r.Body)
	}
	r := ta.mod(t, "GET", "/queue?status=pending&post="+url.QueryEscape(post))
	cs, _ := r.json(t)["comments"].([]any)
	if len(cs) != 1 {
		t.Fatalf("probe not in the queue: %s", r.Body)
	}
	return cs[0].(map[string]any)["score"].(float64)
}

// teachSpam marks n comments about token spam on ta.
func (ta *testApp) teachSpam(t *testing.T, token string, n int) {
	t.Helper()
	for i := range n {
		id := idOf(t, ta.postJSON(t, comment("lesson-"+token, "author", "Seller", "email", "seller@example.net",
			"text", fmt.Sprintf("%s %s %s offer number %d", token, token, token, i))))
		if r := ta.mod(t, "POST", "/comments/"+itoa(id)+"/spam?from=pending"); r.Status != 200 {
			t.Fatalf("spam decision: %d %s", r.Status, r.Body)
		}
	}
}

// waitFor polls cond until it holds or deadline passes.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestClusterDecisionReachesTheOtherInstance(t *testing.T) {
	c := startCluster(t, everyPending)
	const probe = "Does the zorbaflux recipe work with oat milk too?"
	before := c.b.probeScore(t, probe)
	c.a.teachSpam(t, "zorbaflux", 8)
	taught := time.Now()
	var after float64
	waitFor(t, 2*time.Second, "B's score of the probe rises after A's spam decisions", func() bool {
		after = c.b.probeScore(t, probe)
		return after > before+0.05
	})
	t.Logf("B's probe score %.3f -> %.3f, %v after A's last decision", before, after, time.Since(taught).Round(time.Millisecond))
}

func TestClusterConcurrentDecisionOneWins(t *testing.T) {
	c := startCluster(t, everyPending)
	for round := range 5 {
		id := idOf(t, c.a.postJSON(t, comment("race", "text", fmt.Sprintf("a comment to fight over, round %d", round))))
		var (
			wg       sync.WaitGroup
			statuses [2]int
		)
		for i, ta := range []*testApp{c.a, c.b} {
			wg.Go(func() {
				action := []string{"/approve", "/spam"}[i]
				statuses[i] = ta.mod(t, "POST", "/comments/"+itoa(id)+action+"?from=pending").Status
			})
		}
		wg.Wait()
		if statuses != [2]int{200, 409} && statuses != [2]int{409, 200} {
			t.Fatalf("round %d: A answered %d, B %d; want one 200 and one 409", round, statuses[0], statuses[1])
		}
	}
}

func TestClusterRestartedInstanceCatchesUp(t *testing.T) {
	c := startCluster(t, everyPending)
	const probe = "Is the quxblorp sauce any good on grilled fish?"
	before := c.a.probeScore(t, probe)
	c.b.stop()
	c.a.teachSpam(t, "quxblorp", 8)
	b := startInstance(t, c.env)
	onA, onB := c.a.probeScore(t, probe), b.probeScore(t, probe)
	if onB <= before+0.05 || onB != onA {
		t.Fatalf("probe score: %.4f before; after the lessons %.4f on A, %.4f on the restarted B", before, onA, onB)
	}
}
