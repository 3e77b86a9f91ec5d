package main

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// load is one kind of request: how to make the next one and which status means success.
type load struct {
	name   string
	target func(base string) vegeta.Targeter
	want   int // the expected status
}

// sample is what one attack measured.
type sample struct {
	rate      float64         // expected answers per second over the attack
	cpu       time.Duration   // the server's CPU time (user+system) per expected answer; 0 when unknown
	services  []time.Duration // the same for each of the server's services (see server), summed over their processes
	requests  int
	errors    int // transport errors and unexpected statuses
	codes     map[int]int
	latencies []time.Duration // sorted
}

// quantile returns the q-th latency (exact: every request is kept).
func (s sample) quantile(q float64) time.Duration {
	if len(s.latencies) == 0 {
		return 0
	}
	i := int(q*float64(len(s.latencies))+0.5) - 1
	return s.latencies[min(max(i, 0), len(s.latencies)-1)]
}

// boundedPacer stops an attack after max hits.
type boundedPacer struct {
	vegeta.Pacer
	max uint64
}

func (p boundedPacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	if hits >= p.max {
		return 0, true
	}
	return p.Pacer.Pace(elapsed, hits)
}

// attack runs tr for at most d and maxRequests requests. rate 0 is a closed
// loop of workers that each send the next request when the last is answered
// (the highest rate the server sustains at that concurrency); otherwise the
// requests arrive at rate per second whatever the answers take.
func attack(ctx context.Context, srv server, tr vegeta.Targeter, want, rate, workers int, d time.Duration, maxRequests int) sample {
	cpu0, cpuOK := cpuTime(srv.pid)
	svc0 := readServices(srv.services)
	opts := []func(*vegeta.Attacker){vegeta.MaxBody(0), vegeta.Timeout(10 * time.Second), vegeta.KeepAlive(true)}
	if rate == 0 {
		opts = append(opts, vegeta.Workers(uint64(workers)), vegeta.MaxWorkers(uint64(workers)))
	} else {
		opts = append(opts, vegeta.Workers(uint64(workers)), vegeta.MaxWorkers(2000))
	}
	atk := vegeta.NewAttacker(opts...)
	pacer := boundedPacer{Pacer: vegeta.Rate{Freq: rate, Per: time.Second}, max: uint64(maxRequests)}
	s := sample{codes: map[int]int{}}
	var first, last time.Time
	ok := 0
	for res := range atk.Attack(tr, pacer, d, "") {
		if ctx.Err() != nil {
			atk.Stop()
		}
		s.requests++
		s.codes[int(res.Code)]++
		if int(res.Code) != want { // a transport error has code 0
			s.errors++
		} else {
			ok++
		}
		end := res.Timestamp.Add(res.Latency)
		if first.IsZero() || res.Timestamp.Before(first) {
			first = res.Timestamp
		}
		if end.After(last) {
			last = end
		}
		s.latencies = append(s.latencies, res.Latency)
	}
	slices.Sort(s.latencies)
	if el := last.Sub(first); el > 0 {
		s.rate = float64(ok) / el.Seconds()
	}
	if cpu1, ok1 := cpuTime(srv.pid); cpuOK && ok1 && ok > 0 {
		s.cpu = (cpu1 - cpu0) / time.Duration(ok)
	}
	if ok > 0 {
		for _, t := range readServices(srv.services).since(svc0, len(srv.services)) {
			s.services = append(s.services, t/time.Duration(ok))
		}
	}
	return s
}

// server is what an attack targets: its base URL and, when known, its process
// and the names of the processes it relies on (Redis, PostgreSQL).
type server struct {
	url      string
	pid      int
	services []string
}

// procKey tells a process from a later one given the same PID: by its start time.
type procKey struct {
	pid   int
	start int64 // clock ticks after boot
}

// procCPU is one process of a service: the index of the service's name, and its CPU time.
type procCPU struct {
	name int
	cpu  time.Duration
}

// serviceProcs is a reading of every running process of the named services.
type serviceProcs map[procKey]procCPU

// readServices finds the processes whose /proc/PID/comm is one of names and
// reads their CPU time.
func readServices(names []string) serviceProcs {
	procs := serviceProcs{}
	if len(names) == 0 {
		return procs
	}
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		comm, err := os.ReadFile("/proc/" + d.Name() + "/comm")
		if err != nil {
			continue
		}
		if i := slices.Index(names, strings.TrimSpace(string(comm))); i >= 0 {
			if cpu, start, ok := procStat(pid); ok {
				procs[procKey{pid, start}] = procCPU{name: i, cpu: cpu}
			}
		}
	}
	return procs
}

// since returns, for each of n names, the CPU time its processes spent between
// the reading before and now: a process that started in between counts in
// full, and one that ended in between takes its time with it (PostgreSQL's
// backends live as long as the server's pool keeps their connections).
func (now serviceProcs) since(before serviceProcs, n int) []time.Duration {
	total := make([]time.Duration, n)
	for k, p := range now {
		total[p.name] += p.cpu - before[k].cpu // a missing key reads as zero
	}
	return total
}

// cpuTime reads the user and system time of process pid from /proc.
func cpuTime(pid int) (time.Duration, bool) {
	cpu, _, ok := procStat(pid)
	return cpu, ok
}

// procStat reads the user and system time of process pid from /proc, and when
// it started.
func procStat(pid int) (cpu time.Duration, start int64, ok bool) {
	if pid <= 0 {
		return 0, 0, false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	// The fields after the command name, which is in parentheses and may hold
	// spaces; f[0] is the stat file's third field.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 20 {
		return 0, 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	start, err3 := strconv.ParseInt(f[19], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return 0, 0, false
	}
	const ticksPerSecond = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticksPerSecond, start, true
}

// median returns the sample of median rate.
func median(ss []sample) sample {
	ss = slices.Clone(ss)
	slices.SortFunc(ss, func(a, b sample) int {
		switch {
		case a.rate < b.rate:
			return -1
		case a.rate > b.rate:
			return 1
		}
		return 0
	})
	return ss[len(ss)/2]
}
