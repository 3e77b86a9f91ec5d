package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// settings are runCmd's flags.
type settings struct {
	target      string
	label       string
	loads       []string
	concurrency int
	duration    time.Duration // each closed-loop attack
	halfFor     time.Duration // the attack at half the highest rate
	repeat      int
	maxRequests int
	adminToken  string
	header      bool
	tsv         bool
	pid         int      // the server's process, for its CPU time per request
	services    []string // names of the processes it relies on, for theirs
	postGoal    float64  // the POST ratio to reach
}

func parseRun(args []string, stderr io.Writer) (settings, error) {
	var s settings
	var loads string
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&s.target, "target", "http://127.0.0.1:8080", "the running commentd (loopback only)")
	fs.StringVar(&s.label, "label", "commentd", "the first column of the table, e.g. the store")
	fs.StringVar(&loads, "loads", "post,list,list304", "which loads to run")
	fs.IntVar(&s.concurrency, "concurrency", 32, "requests in flight while looking for the highest rate")
	fs.DurationVar(&s.duration, "duration", 3*time.Second, "length of each closed-loop attack")
	fs.DurationVar(&s.halfFor, "half-duration", 5*time.Second, "length of the attack at half the highest rate")
	fs.IntVar(&s.repeat, "repeat", 3, "closed-loop attacks per load and server, alternating; the median counts")
	fs.IntVar(&s.maxRequests, "max-requests", 200000, "upper bound of requests in any one attack")
	fs.StringVar(&s.adminToken, "admin-token", "", "moderator token, to approve seeded comments the filter held")
	fs.BoolVar(&s.header, "header", true, "print the table's header")
	fs.BoolVar(&s.tsv, "tsv", false, "print the table tab-separated, for aligning several runs (column -t -s TAB)")
	fs.IntVar(&s.pid, "pid", 0, "the server's process id, to report its CPU time per request (0: not reported)")
	services := fs.String("services", "", "comma-separated process names (as in /proc/PID/comm, e.g. redis-server,postgres) whose CPU time per request is reported too")
	fs.Float64Var(&s.postGoal, "post-goal", 0.40, "the POST ratio to reach (0.40 on SQLite, 0.25 on PostgreSQL)")
	if err := fs.Parse(args); err != nil {
		return s, err
	}
	s.loads = strings.Split(loads, ",")
	for name := range strings.SplitSeq(*services, ",") {
		switch name = strings.TrimSpace(name); {
		case name == "":
		case len(name) > 15:
			return s, fmt.Errorf("run: -services %q: /proc/PID/comm holds at most 15 bytes of a name", name)
		default:
			s.services = append(s.services, name)
		}
	}
	if err := loopbackOnly(s.target); err != nil {
		return s, err
	}
	if s.repeat < 1 || s.concurrency < 1 || s.duration <= 0 || s.halfFor <= 0 || s.maxRequests < 1 {
		return s, fmt.Errorf("run: -repeat, -concurrency, -duration, -half-duration and -max-requests must be positive")
	}
	return s, nil
}

// loopbackOnly refuses any target that is not on this machine's loopback.
func loopbackOnly(target string) error {
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "http" {
		return fmt.Errorf("run: -target %q: want http://127.0.0.1:PORT", target)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("run: -target %q: only loopback addresses may be loaded", target)
	}
	return nil
}

// bench is one run: the server, the seeded list and the floors.
type bench struct {
	settings
	runID    string
	next     atomic.Uint64 // the visitor counter: client IP, email, text
	listPost string
	etag     string
	listSize int
	floors   map[string]*floorProc
}

func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	s, err := parseRun(args, stderr)
	if err != nil {
		return err
	}
	b := &bench{settings: s, runID: strings.ToLower(rand.Text()[:8]), floors: map[string]*floorProc{}}
	b.listPost = "load-list-" + b.runID
	if err := waitHealthy(ctx, s.target); err != nil {
		return err
	}
	if err := b.seedList(ctx, stderr); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "commentd-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bodyFile := filepath.Join(dir, "list.json")
	if err := b.saveList(ctx, bodyFile); err != nil {
		return err
	}
	for _, kind := range []string{floorDecode, floorList} {
		f, err := startFloor(ctx, kind, bodyFile)
		if err != nil {
			return err
		}
		defer f.stop()
		b.floors[kind] = f
	}
	var rows []row
	for _, name := range s.loads {
		l, floor, err := b.load(name)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "load %s: %d× %s closed loop at %d in flight, then half rate for %s\n", name, s.repeat, s.duration, s.concurrency, s.halfFor)
		rows = append(rows, b.measure(ctx, l, b.floors[floor], floor))
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	printTable(stdout, s.label, rows, s.services, defaultGoals(s.postGoal), s.header, s.tsv)
	return nil
}

// measure finds the highest rate of l on the server and on its floor, then
// latency at half of each.
func (b *bench) measure(ctx context.Context, l load, floor *floorProc, floorName string) row {
	const warmup = time.Second
	real := server{url: b.target, pid: b.pid, services: b.services}
	base := server{url: floor.addr, pid: floor.cmd.Process.Pid}
	floorWant := http.StatusOK
	if floorName == floorDecode {
		floorWant = http.StatusCreated
	}
	hit := func(srv server, want, rate, workers int, d time.Duration) sample {
		return attack(ctx, srv, l.target(srv.url), want, rate, workers, d, b.maxRequests)
	}
	hit(real, l.want, 0, b.concurrency, warmup)
	hit(base, floorWant, 0, b.concurrency, warmup)
	var reals, floors []sample
	for range b.repeat {
		reals = append(reals, hit(real, l.want, 0, b.concurrency, b.duration))
		floors = append(floors, hit(base, floorWant, 0, b.concurrency, b.duration))
	}
	r := row{load: l.name, floor: floorName, max: median(reals), floorMax: median(floors)}
	for _, s := range reals {
		r.errors += s.errors
	}
	r.half = hit(real, l.want, max(1, int(r.max.rate/2)), 16, b.halfFor)
	r.errors += r.half.errors
	r.floorHalf = hit(base, floorWant, max(1, int(r.floorMax.rate/2)), 16, b.halfFor)
	return r
}

// waitHealthy waits up to 30s for /healthz.
func waitHealthy(ctx context.Context, target string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, target+"/healthz", nil)
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("run: %s/healthz does not answer 200: %v", target, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// nextVisitor returns a new visitor number.
func (b *bench) nextVisitor() uint64 { return b.next.Add(1) }

// postTarget posts a comment from a new visitor to one of 100 posts; one in
// five is spam.
func (b *bench) postTarget(base string) vegeta.Targeter {
	return func(t *vegeta.Target) error {
		n := b.nextVisitor()
		t.Method, t.URL = http.MethodPost, base+"/api/v1/comments"
		t.Body = commentBody(fmt.Sprintf("load-%s-%d", b.runID, n%100), n, b.runID, n%5 == 0)
		t.Header = http.Header{"Content-Type": {"application/json"}, "X-Forwarded-For": {clientIP(n)}}
		return nil
	}
}

// listTarget reads the seeded post's 200 comments, revalidating when etag is set.
func (b *bench) listTarget(etag string) func(base string) vegeta.Targeter {
	return func(base string) vegeta.Targeter {
		u := base + "/api/v1/comments?limit=200&post=" + url.QueryEscape(b.listPost)
		return func(t *vegeta.Target) error {
			t.Method, t.URL = http.MethodGet, u
			// identity: the floor sends the plain list's size, and vegeta's
			// transport would otherwise ask for gzip and inflate every answer.
			t.Header = http.Header{"X-Forwarded-For": {clientIP(b.nextVisitor())}, "Accept-Encoding": {"identity"}}
			if etag != "" {
				t.Header.Set("If-None-Match", etag)
			}
			return nil
		}
	}
}

// load returns the named load and the floor it is compared with.
func (b *bench) load(name string) (load, string, error) {
	switch name {
	case "post":
		return load{name: name, target: b.postTarget, want: http.StatusCreated}, floorDecode, nil
	case "list":
		return load{name: name, target: b.listTarget(""), want: http.StatusOK}, floorList, nil
	case "list304":
		return load{name: name, target: b.listTarget(b.etag), want: http.StatusNotModified}, floorDecode, nil
	}
	return load{}, "", fmt.Errorf("run: unknown load %q (post, list, list304)", name)
}
