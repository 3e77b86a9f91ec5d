package main

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for the flush timer and the test.
type lockedBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes++
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLogBuffer: lines from many goroutines come out whole, all of them,
// without Close (the timer flushes), and fewer writes than lines reach the file.
func TestLogBuffer(t *testing.T) {
	out := &lockedBuffer{}
	b := newLogBuffer(out)
	const writers, each = 8, 200
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				fmt.Fprintf(b, "writer=%d line=%d\n", w, i)
			}
		})
	}
	wg.Wait()
	deadline := time.Now().Add(30 * time.Second)
	for strings.Count(out.String(), "\n") < writers*each {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d lines written without Close", strings.Count(out.String(), "\n"), writers*each)
		}
		time.Sleep(10 * time.Millisecond)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		var w, i int
		if _, err := fmt.Sscanf(line, "writer=%d line=%d", &w, &i); err != nil || seen[line] {
			t.Fatalf("line %q torn or repeated", line)
		}
		seen[line] = true
	}
	if out.writes >= writers*each {
		t.Errorf("%d writes for %d lines: nothing was gathered", out.writes, writers*each)
	}
	b.Close()
	fmt.Fprintln(b, "after close")
	if !strings.HasSuffix(out.String(), "after close\n") {
		t.Error("a line after Close was not written at once")
	}
}
