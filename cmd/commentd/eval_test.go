package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeCorpus writes n generated comments of each class as JSON Lines, plus extra lines.
func writeCorpus(t *testing.T, name string, n int, extra ...string) string {
	t.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"id":"h%d","text":"Lovely recipe, thanks! The bread rose beautifully, batch %d.","label":"ham","author":"Ann %d"}`+"\n", i, i, i)
		fmt.Fprintf(&b, `{"id":"s%d","text":"Buy cheap pills online now at https://pills%d.example.top","label":"spam"}`+"\n", i, i%4)
	}
	for _, l := range extra {
		b.WriteString(l + "\n")
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func noEnv(string) string { return "" }

func TestEvalJSON(t *testing.T) {
	train := writeCorpus(t, "train.jsonl", 30)
	test := writeCorpus(t, "test.jsonl", 10, `{"text": broken`, `{"text":"x","label":"maybe"}`)
	var out, errOut bytes.Buffer
	if err := evalCmd([]string{"--no-starter", "--train", train, "--test", test, "--json"}, noEnv, &out, &errOut); err != nil {
		t.Fatalf("eval: %v\n%s", err, errOut.String())
	}
	var m map[string]float64
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, out.String())
	}
	for _, k := range []string{"n", "spam", "ham", "auc", "ham_threshold", "spam_threshold", "precision", "recall", "f1", "fpr", "mcc",
		"ham_approved", "ham_queued", "ham_spam", "spam_approved", "spam_queued", "spam_caught"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, out.String())
		}
	}
	if m["n"] != 20 || m["spam"] != 10 || m["ham"] != 10 || m["skipped"] != 2 {
		t.Errorf("counts n=%v spam=%v ham=%v skipped=%v, want 20, 10, 10, 2", m["n"], m["spam"], m["ham"], m["skipped"])
	}
	if m["ham_threshold"] != 0.35 || m["spam_threshold"] != 0.85 {
		t.Errorf("thresholds %v/%v, want the configured defaults", m["ham_threshold"], m["spam_threshold"])
	}
	if m["auc"] < 0.99 || m["ham_spam"] != 0 {
		t.Errorf("separable data scored badly: %s", out.String())
	}
	for _, line := range []string{test + ":21:", test + ":22:"} {
		if !strings.Contains(errOut.String(), line) {
			t.Errorf("stderr does not report %q:\n%s", line, errOut.String())
		}
	}
}

func TestEvalText(t *testing.T) {
	test := writeCorpus(t, "test.jsonl", 12)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"starter model", []string{"--test", test}, []string{"24 comments: 12 spam, 12 ham", "ROC AUC", "threshold sweep", "(shipped)"}},
		{"folds", []string{"--folds", "3", "--test", test}, []string{"24 comments", "MCC"}},
		{"thresholds", []string{"--test", test, "--ham-threshold", "0.2", "--spam-threshold", "0.6"}, []string{"approved below 0.20, spam from 0.60"}},
		{"explain", []string{"--test", test, "--explain", "s3"}, []string{"- s3  spam -> ", "tokens "}},
		{"show errors", []string{"--test", test, "--spam-threshold", "1", "--show-errors", "2"}, []string{"worst spam not caught (2 shown)"}},
		{"row header", []string{"--row", "header"}, []string{"| run | n | AUC |", "|---|"}},
		{"row", []string{"--test", test, "--row", "mine"}, []string{"| mine | 24 | "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if err := evalCmd(tt.args, noEnv, &out, &errOut); err != nil {
				t.Fatalf("eval: %v\n%s", err, errOut.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}

func TestEvalErrors(t *testing.T) {
	test := writeCorpus(t, "test.jsonl", 2)
	for name, args := range map[string][]string{
		"no test file":       {"--no-starter"},
		"one fold":           {"--test", test, "--folds", "1"},
		"thresholds crossed": {"--test", test, "--ham-threshold", "0.9", "--spam-threshold", "0.5"},
		"unknown id":         {"--test", test, "--explain", "nope"},
		"missing file":       {"--test", test + ".missing"},
		"stray argument":     {"--test", test, "extra"},
	} {
		t.Run(name, func(t *testing.T) {
			if err := evalCmd(args, noEnv, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
				t.Error("no error")
			}
		})
	}
}
