package main

import (
	"os"
	"strings"
	"testing"
	"time"
)

// TestServicesCPU finds this test's own process by its name and reads at
// least the CPU time it had read for the process just before; an unknown name
// reads zero.
func TestServicesCPU(t *testing.T) {
	comm, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Skip("no /proc here:", err)
	}
	self := strings.TrimSpace(string(comm))
	spent, ok := cpuTime(os.Getpid())
	for deadline := time.Now().Add(10 * time.Second); ok && spent == 0 && time.Now().Before(deadline); {
		spent, ok = cpuTime(os.Getpid()) // spend CPU until it shows: one clock tick
	}
	if !ok || spent == 0 {
		t.Fatalf("cpuTime(self) = %v, %v", spent, ok)
	}
	got := servicesCPU([]string{self, "no-such-process-name"})
	if len(got) != 2 || got[0] < spent || got[1] != 0 {
		t.Errorf("servicesCPU(%q, unknown) = %v, want at least %v and 0", self, got, spent)
	}
	if servicesCPU(nil) != nil {
		t.Error("servicesCPU(nil) is not nil")
	}
}

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
