package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/commentd/commentd/internal/ratelimit"
	"github.com/commentd/commentd/internal/spam"
	"github.com/commentd/commentd/models"
	"github.com/redis/go-redis/v9"
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
			wg.Go(func() { statuses[i] = ta.decideFrom(t, id, []string{"approve", "spam"}[i]) })
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

// TestClusterConcurrentLessonsCountOnce: moderators on both instances decide
// at the same moments. Both instances, and one started afterwards from the
// latest snapshot and the rest of the log, end with the same counts, holding
// each lesson once, and score a probe alike.
func TestClusterConcurrentLessonsCountOnce(t *testing.T) {
	env := maps.Clone(everyPending)
	env["COMMENTD_SNAPSHOT_EVERY"] = "5" // so that the late instance starts from a snapshot
	c := startCluster(t, env)
	const each = 12 // comments decided through each instance
	ids := make([]int64, 2*each)
	for i := range ids {
		ids[i] = idOf(t, c.a.postJSON(t, comment("lessons", "text", fmt.Sprintf("lesson number %d about tincture %d", i, i*7))))
	}
	before := c.a.filter.Stats()
	var wg sync.WaitGroup
	for i, id := range ids {
		ta, action := c.a, "spam"
		if i%2 == 1 {
			ta, action = c.b, "approve"
		}
		wg.Go(func() {
			if s := ta.decideFrom(t, id, action); s != 200 {
				t.Errorf("%s %d: %d", action, id, s)
			}
		})
	}
	wg.Wait()
	want := func(s spam.Stats) bool {
		return s.SpamDocs == before.SpamDocs+each && s.HamDocs == before.HamDocs+each
	}
	// Propagation time has its own test; this one allows for a lost nudge.
	deadline := time.Now().Add(10 * time.Second)
	for a, b := c.a.filter.Stats(), c.b.filter.Stats(); !want(a) || a != b; a, b = c.a.filter.Stats(), c.b.filter.Stats() {
		if time.Now().After(deadline) {
			t.Fatalf("model before %+v; after %d lessons through each instance, A %+v, B %+v", before, each, a, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := c.a.store.LatestSnapshot(t.Context()); err != nil {
		t.Fatalf("no snapshot for the late instance to start from: %v", err)
	}
	late := startInstance(t, c.env)
	a, b, l := c.a.filter.Stats(), c.b.filter.Stats(), late.filter.Stats()
	if a != l || b != l || !want(l) {
		t.Fatalf("model before %+v; after the lessons A %+v, B %+v, an instance started since %+v", before, a, b, l)
	}
	const probe = "Is this tincture any good for a sore throat?"
	if onA, onL := c.a.probeScore(t, probe), late.probeScore(t, probe); onA != onL {
		t.Fatalf("probe score %.6f on A, %.6f on the instance started since", onA, onL)
	}
}

// TestClusterLiveQueueReachesEveryInstance: a moderator's event stream on B,
// what the console's live queue reads, shows a comment posted on A and A's
// decision on it.
func TestClusterLiveQueueReachesEveryInstance(t *testing.T) {
	c := startCluster(t, everyPending)
	req, _ := http.NewRequestWithContext(t.Context(), "GET", c.b.srv.URL+"/api/v1/moderation/events", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	stream, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("event stream on B: %v", err)
	}
	defer stream.Body.Close()
	if stream.StatusCode != 200 {
		t.Fatalf("event stream on B: %s", stream.Status)
	}
	events := make(chan models.Event, 16)
	go func() {
		r := newSSEReader(stream.Body)
		for {
			e, err := r.next()
			if err != nil {
				return
			}
			var m models.Event
			if json.Unmarshal(e.data, &m) != nil {
				continue
			}
			select {
			case events <- m:
			case <-t.Context().Done():
				return
			}
		}
	}()
	opts, err := redis.ParseURL(c.env["COMMENTD_REDIS_URL"])
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	channel := c.env["COMMENTD_REDIS_KEY_PREFIX"] + "events"
	waitFor(t, 10*time.Second, "both instances subscribed to the shared channel", func() bool {
		n, err := rdb.PubSubNumSub(t.Context(), channel).Result()
		return err == nil && n[channel] >= 2
	})
	id := idOf(t, c.a.postJSON(t, comment("live", "text", "A comment posted on one instance, seen on the other.")))
	if s := c.a.decideFrom(t, id, "approve"); s != 200 {
		t.Fatalf("approve on A: %d", s)
	}
	want := []models.Event{
		{Type: "comment.created", CommentID: id, Post: "live", Status: models.StatusPending},
		{Type: "comment.decided", CommentID: id, Post: "live", Status: models.StatusApproved, From: models.StatusPending},
	}
	for _, w := range want {
		select {
		case e := <-events:
			e.Actor = ""
			if e != w {
				t.Fatalf("B's stream: %+v, want %+v", e, w)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("B's stream: no %s of comment %d", w.Type, id)
		}
	}
}

// TestClusterCatchesUpWithoutRedis: with Redis down, no nudge reaches B, and
// B still learns A's decisions from the training log by polling.
func TestClusterCatchesUpWithoutRedis(t *testing.T) {
	r := startRedisServer(t)
	env := maps.Clone(everyPending)
	env["COMMENTD_REDIS_URL"] = r.url()
	c := startCluster(t, env)
	const probe = "Would the florbatine glaze work on a lemon cake?"
	before := c.b.probeScore(t, probe)
	r.kill()
	waitFor(t, 10*time.Second, "A limits in process while Redis is down", func() bool {
		return c.a.limiter.State() == ratelimit.StateFallback
	})
	c.a.teachSpam(t, "florbatine", 8)
	var after float64
	waitFor(t, 10*time.Second, "B's score of the probe rises with Redis down", func() bool {
		after = c.b.probeScore(t, probe)
		return after > before+0.05
	})
	t.Logf("B's probe score %.3f -> %.3f with Redis down", before, after)
}
