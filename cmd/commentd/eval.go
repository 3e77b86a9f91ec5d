package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/commentd/commentd/internal/config"
	"github.com/commentd/commentd/internal/eval"
	"github.com/commentd/commentd/internal/spam"
)

// files is a flag that may be given several times.
type files []string

func (f *files) String() string     { return fmt.Sprint(*f) }
func (f *files) Set(v string) error { *f = append(*f, v); return nil }

// evalFlags are the options of `commentd eval`.
type evalFlags struct {
	train, test   files
	noStarter     bool
	folds         int
	json          bool
	row           string
	showErrors    int
	explain       string
	hamThreshold  float64
	spamThreshold float64
}

// evalCmd measures the filter on labelled files without touching any installation.
func evalCmd(args []string, getenv config.Getenv, stdout, stderr io.Writer) error {
	cfg, err := config.Load(getenv, defaultConfigPath)
	if err != nil {
		return err
	}
	var f evalFlags
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Var(&f.test, "test", "labelled `file` to score (JSON Lines, or CSV by its .csv name); repeatable")
	fs.Var(&f.train, "train", "labelled `file` to train on before scoring; repeatable")
	fs.BoolVar(&f.noStarter, "no-starter", false, "start from an empty model instead of the shipped starter model")
	fs.IntVar(&f.folds, "folds", 0, "`K`-fold cross-validation of the --test files (each fold scored by a model trained on the others)")
	fs.BoolVar(&f.json, "json", false, "print the figures as one JSON object")
	fs.StringVar(&f.row, "row", "", "print the figures as one Markdown table row named `label` (make eval; header with --row header)")
	fs.IntVar(&f.showErrors, "show-errors", 0, "print the `N` worst mistakes of each kind with their reasons")
	fs.StringVar(&f.explain, "explain", "", "print the verdict on the record with this `id` and its reasons")
	fs.Float64Var(&f.hamThreshold, "ham-threshold", cfg.HamThreshold, "approve below this score")
	fs.Float64Var(&f.spamThreshold, "spam-threshold", cfg.SpamThreshold, "spam from this score")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case f.row == "header":
		_, err := io.WriteString(stdout, eval.RowHeader)
		return err
	case fs.NArg() > 0:
		return fmt.Errorf("eval: unexpected argument %q", fs.Arg(0))
	case len(f.test) == 0:
		return errors.New("eval: --test FILE is required")
	case f.folds == 1 || f.folds < 0:
		return errors.New("eval: --folds must be 2 or more")
	case !(0 <= f.hamThreshold && f.hamThreshold <= f.spamThreshold && f.spamThreshold <= 1):
		return errors.New("eval: want 0 <= ham threshold <= spam threshold <= 1")
	}
	test, err := readCorpus(stderr, f.test)
	if err != nil {
		return err
	}
	train, err := readCorpus(stderr, f.train)
	if err != nil {
		return err
	}
	policy := policyOf(cfg)
	policy.HamThreshold, policy.SpamThreshold = f.hamThreshold, f.spamThreshold
	judge := eval.Judge{Policy: policy}
	base := func() *spam.Model {
		m := spam.NewModel()
		if !f.noStarter {
			m = spam.NewStarterModel()
		}
		eval.Train(m, train.Records)
		return m
	}
	var results []eval.Result
	if f.folds > 0 {
		results = judge.CrossValidate(base, test.Records, f.folds)
	} else {
		results = judge.Judge(base(), test.Records)
	}
	m := eval.Compute(results, f.hamThreshold, f.spamThreshold)
	m.Skipped = len(test.Skipped) + len(train.Skipped)
	return report(f, m, results, judge, stdout, stderr)
}

// report writes the figures, then the mistakes and explanations asked for
// (to stderr when stdout carries JSON).
func report(f evalFlags, m eval.Metrics, results []eval.Result, judge eval.Judge, stdout, stderr io.Writer) error {
	detail := stdout
	if f.row != "" {
		return eval.WriteRow(stdout, f.row, m)
	}
	if f.json {
		detail = stderr
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(m); err != nil {
			return err
		}
	} else if err := eval.WriteTable(stdout, m, results, judge.Policy); err != nil {
		return err
	}
	if f.showErrors > 0 {
		if err := eval.WriteMistakes(detail, results, f.showErrors); err != nil {
			return err
		}
	}
	if f.explain != "" {
		for _, r := range results {
			if r.Record.ID == f.explain {
				fmt.Fprintln(detail)
				return eval.WriteExplanation(detail, r)
			}
		}
		return fmt.Errorf("eval: no record with id %q among the --test records", f.explain)
	}
	return nil
}

// maxReported is how many malformed lines are listed one by one.
const maxReported = 20

// readCorpus reads labelled files and lists their malformed lines on stderr.
func readCorpus(stderr io.Writer, names []string) (eval.Corpus, error) {
	c, err := eval.ReadFiles(names...)
	if err != nil {
		return eval.Corpus{}, err
	}
	for i, e := range c.Skipped {
		if i == maxReported {
			fmt.Fprintf(stderr, "... and %d more malformed lines\n", len(c.Skipped)-i)
			break
		}
		fmt.Fprintf(stderr, "skipped %v\n", e)
	}
	return c, nil
}
