package importer

import (
	"flag"
	"io"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/commentd/commentd/internal/importer/importertest"
	"github.com/commentd/commentd/models"
)

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// bigExport is how many comments TestWordPressBoundedMemory reads; run it with
// -args -comments=200000 for a file of 180 MB.
var bigExport = flag.Int("comments", 20_000, "comments in the export TestWordPressBoundedMemory generates")

// TestWordPressBoundedMemory reads a generated export of 20,000 comments
// (18 MB) through an io.Pipe, so that no file holds it, and checks that the
// heap stays small: the reader holds a comment at a time.
func TestWordPressBoundedMemory(t *testing.T) {
	n := *bigExport
	pr, pw := io.Pipe()
	var size atomic.Int64
	go func() { pw.CloseWithError(importertest.WriteWXR(countingWriter{pw, &size}, n, 50)) }()

	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapAlloc, ms.HeapAlloc
	w := &WordPress{}
	start, count, trained := time.Now(), 0, 0
	for it, err := range w.Comments(pr) {
		if err != nil {
			t.Fatal(err)
		}
		count++
		if it.Comment.TrainedAs != models.ClassNone {
			trained++
		}
		if count%2000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	elapsed := time.Since(start)
	mb := float64(size.Load()) / (1 << 20)
	t.Logf("%d comments (%d teaching the filter), %.0f MB of XML in %s: %.0f MB/s, %.0f comments/s; heap peak %.1f MB (%.1f MB before)",
		count, trained, mb, elapsed.Round(time.Millisecond), mb/elapsed.Seconds(), float64(count)/elapsed.Seconds(),
		float64(peak)/(1<<20), float64(base)/(1<<20))
	if count != n {
		t.Fatalf("read %d comments, want %d", count, n)
	}
	if limit := uint64(24 << 20); peak-min(base, peak) > limit {
		t.Errorf("the heap grew by %.1f MB reading %.0f MB, want under %d MB", float64(peak-base)/(1<<20), mb, limit>>20)
	}
}
