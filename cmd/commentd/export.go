package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/commentd/commentd/internal/config"
	"github.com/commentd/commentd/internal/dump"
)

const exportUsage = `usage: commentd export --format json [--out FILE] [--with-password-hashes]

Writes everything needed to rebuild this installation as JSON Lines, read in
one snapshot while the service runs: comments with their status and import
keys, training events, settings, listed words, bans, moderator accounts, API
tokens (their hashes), the audit log, the sites' API keys (their hashes), the
spam checks their reports teach from, and the webhook outbox (delivered
events, and waiting ones, which the restored installation delivers). Sessions
are left out, and so is the model, which the training events rebuild. Password hashes are left out
unless --with-password-hashes: after a restore, set passwords with
commentd moderator passwd. commentd import json FILE restores the file into
an empty installation. Without --out the export goes to standard output; a
file is written whole or not at all, readable by its owner only.
`

// exportCmd writes the configured database as a dump.
func exportCmd(ctx context.Context, args []string, getenv config.Getenv, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { io.WriteString(stderr, exportUsage) }
	format := fs.String("format", "json", "the export's format: json (JSON Lines)")
	out := fs.String("out", "-", "the `file` to write; - for standard output")
	hashes := fs.Bool("with-password-hashes", false, "keep the moderators' password hashes (bcrypt)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New(exportUsage)
	}
	if *format != "json" {
		return fmt.Errorf("export: --format %s: only json is known", *format)
	}
	cfg, err := config.Load(getenv, defaultConfigPath)
	if err != nil {
		return err
	}
	s, err := openImportStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()

	w, commit, abort := stdout, func() error { return nil }, func() {}
	if *out != "-" {
		f, err := os.CreateTemp(filepath.Dir(*out), "."+filepath.Base(*out)+".*.tmp") // CreateTemp makes it 0600
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		w = f
		abort = func() { f.Close(); os.Remove(f.Name()) }
		commit = func() error {
			if err := f.Sync(); err != nil {
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			return os.Rename(f.Name(), *out)
		}
	}
	dw, err := dump.NewWriter(w, *hashes)
	if err == nil {
		err = s.Export(ctx, dw.Write)
	}
	if err == nil {
		err = dw.Close()
	}
	if err == nil {
		err = commit()
	}
	if err != nil {
		abort()
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(stderr, "exported %s (export %s)\n", dump.Summary(dw.Counts()), dw.Header.ExportID)
	return nil
}
