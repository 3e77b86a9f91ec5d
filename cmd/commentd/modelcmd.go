package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/commentd/commentd/internal/config"
	"github.com/commentd/commentd/internal/spam"
)

const modelUsage = `usage: commentd model <export FILE|import FILE|stats [--json]>

  export FILE   write the installation's model (starter corpus plus every lesson) to FILE
  import FILE   make a model written by export this installation's model: the difference
                goes to the training log, so running instances take it up too
  stats         classes, documents, vocabulary and memory of the installation's model
`

// modelCmd moves a trained model between installations and describes it.
func modelCmd(ctx context.Context, args []string, getenv config.Getenv, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(modelUsage)
	}
	if isHelp(args[0]) {
		_, err := io.WriteString(stdout, modelUsage)
		return err
	}
	sub, args := args[0], args[1:]
	var file string
	switch {
	case (sub == "export" || sub == "import") && len(args) == 1:
		file = args[0]
	case sub == "stats" && (len(args) == 0 || len(args) == 1 && args[0] == "--json"):
	default:
		return errors.New(modelUsage)
	}
	cfg, err := config.Load(getenv, defaultConfigPath)
	if err != nil {
		return err
	}
	var imported *spam.Model
	if sub == "import" { // read it before touching the database
		if imported, err = readModel(file); err != nil {
			return err
		}
	}
	store, closeStore, err := openTrainStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeStore()
	f, err := loadFilter(ctx, store, cfg, stderr)
	if err != nil {
		return err
	}
	switch sub {
	case "export":
		if err := writeModel(file, f.Model()); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "exported %s to %s\n", describe(f.Stats()), file)
	case "import":
		if err := importModel(ctx, store, f, imported); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "imported %s from %s\n", describe(f.Stats()), file)
	case "stats":
		return writeStats(stdout, f.Stats(), len(args) == 1)
	}
	return nil
}

// readModel reads a model written by export.
func readModel(name string) (*spam.Model, error) {
	r, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("model import: %w", err)
	}
	defer r.Close()
	m, err := spam.ReadSnapshot(r)
	if err != nil {
		return nil, fmt.Errorf("model import: %s: %w", name, err)
	}
	return m, nil
}

// writeModel writes m to name through a temporary file, so a failed export
// leaves no half-written model behind.
func writeModel(name string, m *spam.Model) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".commentd-model-*")
	if err != nil {
		return fmt.Errorf("model export: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := m.WriteSnapshot(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("model export: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("model export: %w", err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("model export: %w", err)
	}
	return nil
}

// importModel appends the events that turn the live model into m, in one
// transaction, applies them and saves a snapshot.
func importModel(ctx context.Context, store trainStore, f *spam.Filter, m *spam.Model) error {
	evs, err := f.Model().ReplaceEvents(m)
	if err != nil {
		return fmt.Errorf("model import: %w", err)
	}
	if _, err := store.AppendTrainingEvents(ctx, evs); err != nil {
		return fmt.Errorf("model import: %w", err)
	}
	if err := f.Sync(ctx); err != nil {
		return fmt.Errorf("model import: %w", err)
	}
	return f.Snapshot(ctx)
}

// modelStats is what `model stats` prints.
type modelStats struct {
	Classes     []string `json:"classes"`
	HamDocs     int      `json:"ham_documents"`
	SpamDocs    int      `json:"spam_documents"`
	HamTokens   int      `json:"ham_tokens"`
	SpamTokens  int      `json:"spam_tokens"`
	Vocabulary  int      `json:"vocabulary"`
	MaxVocab    int      `json:"max_vocabulary"`
	MemoryBytes int      `json:"memory_bytes"`
	Starter     string   `json:"starter_version"`
}

func writeStats(w io.Writer, s spam.Stats, asJSON bool) error {
	st := modelStats{Classes: []string{"ham", "spam"}, HamDocs: s.HamDocs, SpamDocs: s.SpamDocs,
		HamTokens: s.HamTokens, SpamTokens: s.SpamTokens, Vocabulary: s.Vocabulary, MaxVocab: spam.MaxVocabulary,
		MemoryBytes: s.MemoryBytes, Starter: spam.StarterVersion()}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	_, err := fmt.Fprintf(w, `classes      ham, spam
documents    %d ham, %d spam
tokens       %d in ham documents, %d in spam documents (each document's distinct tokens)
vocabulary   %d distinct tokens (pruned past %d)
memory       about %.1f MB
starter      %s
`, st.HamDocs, st.SpamDocs, st.HamTokens, st.SpamTokens, st.Vocabulary, st.MaxVocab, float64(st.MemoryBytes)/(1<<20), st.Starter)
	return err
}
