package main

import (
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/commentd/commentd/internal/importer/importertest"
)

// importComments is how many comments BenchmarkImport's export holds.
var importComments = flag.Int("import-comments", 50_000, "comments in the export BenchmarkImport generates")

// BenchmarkImport runs `commentd import wordpress` on a generated export into
// an empty installation, on SQLite and on PostgreSQL, and reports its rate
// and the peak of the heap. For a 180 MB file:
//
//	go test ./cmd/commentd -run XXX -bench Import -benchtime 1x -args -import-comments=200000
func BenchmarkImport(b *testing.B) {
	n := *importComments
	file := filepath.Join(b.TempDir(), "export.xml")
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	if err := importertest.WriteWXR(f, n, 50); err != nil {
		b.Fatal(err)
	}
	f.Close()
	fi, _ := os.Stat(file)
	mb := float64(fi.Size()) / (1 << 20)
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				env := testEnv(b, nil)
				if engine == "postgres" {
					env["COMMENTD_DATABASE_URL"] = postgresURL(b)
				}
				peak := watchHeap()
				b.StartTimer()
				start := time.Now()
				out := runOK(b, env, "import", "wordpress", file)
				elapsed := time.Since(start)
				b.StopTimer()
				b.ReportMetric(float64(n)/elapsed.Seconds(), "comments/s")
				b.ReportMetric(mb/elapsed.Seconds(), "MB/s")
				b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MB")
				b.Logf("%d comments, %.0f MB in %s\n%s", n, mb, elapsed.Round(time.Millisecond), out)
			}
		})
	}
}

// watchHeap samples the heap every 10 ms until the function it returns is
// called, which returns the highest HeapAlloc seen.
func watchHeap() func() uint64 {
	done, result := make(chan struct{}), make(chan uint64)
	go func() {
		var ms runtime.MemStats
		peak := uint64(0)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
			select {
			case <-done:
				result <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 { close(done); return <-result }
}
