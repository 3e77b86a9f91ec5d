package main

import (
	"io"
	"sync"
	"time"
)

// logFlushDelay is how long a log line may wait in logBuffer for others to join it.
const logFlushDelay = 50 * time.Millisecond

// logBuffer gathers log lines and writes them to w together, at most
// logFlushDelay after the first of them: under load one write(2) carries the
// lines of many requests instead of one each. Close writes what is left.
type logBuffer struct {
	w       io.Writer
	mu      sync.Mutex
	buf     []byte
	pending bool // a flush is scheduled
	closed  bool
}

func newLogBuffer(w io.Writer) *logBuffer { return &logBuffer{w: w} }

// Write keeps a copy of p (a whole line: slog writes each record at once).
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return b.w.Write(p)
	}
	b.buf = append(b.buf, p...)
	if !b.pending {
		b.pending = true
		time.AfterFunc(logFlushDelay, b.flush)
	}
	return len(p), nil
}

func (b *logBuffer) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
}

func (b *logBuffer) flushLocked() {
	b.pending = false
	if len(b.buf) == 0 {
		return
	}
	_, _ = b.w.Write(b.buf) // nowhere to report a failing log
	if cap(b.buf) > 1<<20 {
		b.buf = nil // a burst does not keep its memory
	} else {
		b.buf = b.buf[:0]
	}
}

// Close writes what is buffered; later lines are written at once.
func (b *logBuffer) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
	b.closed = true
	return nil
}
