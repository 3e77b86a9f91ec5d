package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/commentd/commentd/internal/config"
)

// BenchmarkPostComment measures the whole POST /api/v1/comments path in process:
// decode, validate, rate limit, duplicate check, classify, insert, encode.
func BenchmarkPostComment(b *testing.B) {
	for _, limiter := range []string{"local", "redis"} {
		b.Run(limiter, func(b *testing.B) {
			env := testEnvB(b, map[string]string{"COMMENTD_POST_RATE": "100000000", "COMMENTD_POST_BURST": "100000000"})
			if limiter == "local" {
				env["COMMENTD_REDIS_URL"] = ""
			}
			cfg, err := config.Load(getenvFrom(env), "")
			if err != nil {
				b.Fatal(err)
			}
			a, err := build(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				b.Fatal(err)
			}
			defer a.close()
			text := `I tried this recipe with whole wheat flour and it came out a little dense. Would adding more water help, or should I let it rise longer? Also, thanks for the tip about the oven temperature, it made a big difference for the crust. Looking forward to the next post!`
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				body := []byte(`{"post":"bench","author":"Reader","email":"r` + strconv.Itoa(i) + `@example.org","text":"` + text + ` ` + strconv.Itoa(i) + `"}`)
				req := httptest.NewRequest(http.MethodPost, "/api/v1/comments", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.RemoteAddr = "10.1." + strconv.Itoa(i%200) + "." + strconv.Itoa(i%250) + ":1234"
				w := httptest.NewRecorder()
				a.handler.ServeHTTP(w, req)
				if w.Code != http.StatusCreated {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
		})
	}
}

// testEnvB is testEnv for benchmarks.
func testEnvB(b *testing.B, extra map[string]string) map[string]string {
	env := map[string]string{
		"COMMENTD_DATABASE_URL":     "sqlite://" + b.TempDir() + "/bench.db",
		"COMMENTD_REDIS_URL":        "redis://127.0.0.1:6379/0",
		"COMMENTD_REDIS_KEY_PREFIX": "commentd-bench:" + strconv.Itoa(b.N) + ":",
		"COMMENTD_LOG_LEVEL":        "error",
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}
