package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commentd/commentd/internal/config"
	"github.com/commentd/commentd/internal/spam"
)

// dbEnv is an environment naming a new SQLite database.
func dbEnv(t *testing.T) config.Getenv {
	t.Helper()
	url := "sqlite://" + filepath.Join(t.TempDir(), "commentd.db")
	return func(k string) string {
		if k == "COMMENTD_DATABASE_URL" {
			return url
		}
		return ""
	}
}

// openFilter opens the database of getenv and loads its model, as a running instance does.
func openFilter(t *testing.T, getenv config.Getenv) *spam.Filter {
	t.Helper()
	cfg, err := config.Load(getenv, "")
	if err != nil {
		t.Fatal(err)
	}
	store, err := openStore(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	f, err := spam.OpenFilter(context.Background(), store, 0, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestTrain(t *testing.T) {
	ctx := context.Background()
	getenv := dbEnv(t)
	running := openFilter(t, getenv)
	before := running.Stats()
	// 20 ham and 20 spam, the spam in 4 versions, plus one more copy and a broken line.
	corpus := writeCorpus(t, "c.jsonl", 20, `{"text":"Buy cheap pills online now at https://pills1.example.top","label":"spam"}`, `not json`)

	var out, errOut bytes.Buffer
	if err := trainCmd(ctx, []string{"--corpus", corpus}, getenv, &out, &errOut); err != nil {
		t.Fatalf("train: %v\n%s", err, errOut.String())
	}
	for _, w := range []string{"taught 24 comments (20 ham, 4 spam); 17 skipped as taught already, 1 malformed lines skipped", "documents"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, out.String())
		}
	}
	if !strings.Contains(errOut.String(), corpus+":42:") {
		t.Errorf("malformed line not reported:\n%s", errOut.String())
	}

	if err := running.Sync(ctx); err != nil { // what a running instance does every 2 s
		t.Fatal(err)
	}
	after := running.Stats()
	if after.HamDocs != before.HamDocs+20 || after.SpamDocs != before.SpamDocs+4 {
		t.Errorf("running instance has %+v, want %+v plus 20 ham and 4 spam", after, before)
	}

	out.Reset()
	if err := trainCmd(ctx, []string{"--corpus", corpus}, getenv, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "taught 0 comments (0 ham, 0 spam); 41 skipped as taught already") {
		t.Errorf("second run taught again:\n%s", out.String())
	}
	if st := openFilter(t, getenv).Stats(); st.HamDocs != after.HamDocs || st.SpamDocs != after.SpamDocs {
		t.Errorf("after the second run the model has %+v, want %+v", st, after)
	}
}

func TestTrainErrors(t *testing.T) {
	getenv := dbEnv(t)
	for name, args := range map[string][]string{
		"no corpus":    nil,
		"missing file": {"--corpus", filepath.Join(t.TempDir(), "none.jsonl")},
		"stray":        {"--corpus", "x.jsonl", "y"},
	} {
		t.Run(name, func(t *testing.T) {
			if err := trainCmd(context.Background(), args, getenv, io.Discard, io.Discard); err == nil {
				t.Error("no error")
			}
		})
	}
}
