package main

import (
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestServicesSince finds this test's own process by its name and reports
// the CPU time it spent between two readings; an unknown name spends none, and
// a process missing from the first reading counts in full.
func TestServicesSince(t *testing.T) {
	comm, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Fatal(err) // the load tool reads /proc; it runs on Linux only
	}
	names := []string{"no-such-process", strings.TrimSpace(string(comm))}
	before := readServices(names)
	start, ok := cpuTime(os.Getpid())
	spent := time.Duration(0)
	for deadline := time.Now().Add(10 * time.Second); ok && spent == 0 && time.Now().Before(deadline); {
		var now time.Duration
		now, ok = cpuTime(os.Getpid()) // spend CPU until it shows: one clock tick
		spent = now - start
	}
	if !ok || spent == 0 {
		t.Fatalf("cpuTime(self) spent %v, %v", spent, ok)
	}
	now := readServices(names)
	if len(now) == 0 {
		t.Fatalf("readServices(%q) found no process", names)
	}
	if got := now.since(before, 2); got[0] != 0 || got[1] < spent {
		t.Errorf("since = %v, want 0 and at least %v", got, spent)
	}
	if got := now.since(serviceProcs{}, 2); got[1] < start+spent { // as if new since then
		t.Errorf("since an empty reading = %v, want at least %v", got, start+spent)
	}
}

// TestPerService formats the services' column of the table.
func TestPerService(t *testing.T) {
	for _, tt := range []struct {
		names []string
		cpu   []time.Duration
		want  string
	}{
		{nil, nil, "-"},
		{[]string{"redis-server"}, nil, "-"},
		{[]string{"redis-server", "postgres"}, []time.Duration{55 * time.Microsecond, 109 * time.Microsecond}, "redis-server 55µs postgres 109µs"},
		{[]string{"postgres"}, []time.Duration{0}, "postgres -"},
	} {
		if got := perService(tt.names, tt.cpu); got != tt.want {
			t.Errorf("perService(%v, %v) = %q, want %q", tt.names, tt.cpu, got, tt.want)
		}
	}
}

// TestParseServices: -services takes names as /proc/PID/comm spells them.
func TestParseServices(t *testing.T) {
	for _, tt := range []struct {
		flag string
		want []string
		ok   bool
	}{
		{"", nil, true},
		{"redis-server,postgres", []string{"redis-server", "postgres"}, true},
		{" redis-server , postgres ,", []string{"redis-server", "postgres"}, true},
		{"a-name-of-sixteen", nil, false},
	} {
		s, err := parseRun([]string{"-services", tt.flag}, io.Discard)
		if (err == nil) != tt.ok || !slices.Equal(s.services, tt.want) {
			t.Errorf("-services %q: %q, %v", tt.flag, s.services, err)
		}
	}
}
