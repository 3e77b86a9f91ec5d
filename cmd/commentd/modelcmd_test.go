package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/commentd/commentd/internal/spam"
)

// scores are a model's scores and reasons for a few comments.
func scores(m *spam.Model) []any {
	var out []any
	for _, d := range []spam.Doc{
		{Text: "Buy cheap pills online now at https://pills7.example.top"},
		{Text: "Lovely recipe, the bread rose beautifully", Author: "Ann"},
		{Text: "Nice post, visit my site", URL: "https://seo.example.xyz"},
	} {
		s, tw := m.Classify(d, 20)
		out = append(out, s, tw)
	}
	return out
}

func TestModelExportImport(t *testing.T) {
	ctx := context.Background()
	src, dst := dbEnv(t), dbEnv(t)
	if err := trainCmd(ctx, []string{"--corpus", writeCorpus(t, "c.jsonl", 25)}, src, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "model.snap")
	var out bytes.Buffer
	if err := modelCmd(ctx, []string{"export", file}, src, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "exported") {
		t.Errorf("export said %q", out.String())
	}

	running := openFilter(t, dst) // an instance of the other installation, already running
	if err := modelCmd(ctx, []string{"import", file}, dst, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := running.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	want := openFilter(t, src).Model()
	for name, m := range map[string]*spam.Model{"restarted": openFilter(t, dst).Model(), "running": running.Model()} {
		if got, w := m.Stats(), want.Stats(); got.HamDocs != w.HamDocs || got.SpamDocs != w.SpamDocs || got.Vocabulary != w.Vocabulary {
			t.Errorf("%s instance: %+v, want %+v", name, got, w)
		}
		if !reflect.DeepEqual(scores(m), scores(want)) {
			t.Errorf("%s instance scores differently from the exported model", name)
		}
	}
}

func TestModelStats(t *testing.T) {
	getenv := dbEnv(t)
	var out bytes.Buffer
	if err := modelCmd(context.Background(), []string{"stats"}, getenv, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"classes      ham, spam", "documents", "vocabulary", "memory       about"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("stats lacks %q:\n%s", w, out.String())
		}
	}
	out.Reset()
	if err := modelCmd(context.Background(), []string{"stats", "--json"}, getenv, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var st modelStats
	if err := json.Unmarshal(out.Bytes(), &st); err != nil || st.HamDocs == 0 || st.Vocabulary == 0 || st.MemoryBytes == 0 {
		t.Errorf("stats --json = %s (%v)", out.String(), err)
	}
}

func TestModelErrors(t *testing.T) {
	getenv := dbEnv(t)
	junk := filepath.Join(t.TempDir(), "junk")
	if err := os.WriteFile(junk, []byte("not a model\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string][]string{
		"no subcommand":  nil,
		"unknown":        {"frob"},
		"export no file": {"export"},
		"import junk":    {"import", junk},
		"import missing": {"import", junk + ".none"},
		"export bad dir": {"export", filepath.Join(junk, "x")},
	} {
		t.Run(name, func(t *testing.T) {
			if err := modelCmd(context.Background(), args, getenv, io.Discard, io.Discard); err == nil {
				t.Error("no error")
			}
		})
	}
}
