package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/commentd/commentd/internal/config"
	"github.com/commentd/commentd/internal/storage"
)

const migrateUsage = `usage: commentd migrate-store --from URL --to URL

Copies every comment, training event, account, API token, session, setting,
listed word, ban, audit entry, site API key, spam check, webhook event
(delivered or waiting) and the newest model snapshot from one database to
another, keeping ids, then checks that both hold as many rows. The URLs are
database_url values: sqlite://PATH, postgres://USER:PASS@HOST:5432/DB. Stop
the service first. Running it again copies what changed and is otherwise a
no-op; rows deleted from the source since are not deleted from the target.
`

// transferStore is a store that can be copied: both engines are.
type transferStore interface {
	Export(ctx context.Context, fn func(storage.Batch) error) error
	Import(ctx context.Context, b storage.Batch) error
	Counts(ctx context.Context) (storage.Counts, error)
	Close() error
}

// migrateStoreCmd copies one database into another.
func migrateStoreCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate-store", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { io.WriteString(stderr, migrateUsage) }
	from := fs.String("from", "", "database URL to copy from")
	to := fs.String("to", "", "database URL to copy to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		return errors.New(migrateUsage)
	}
	if *from == *to {
		return errors.New("migrate-store: --from and --to name the same database")
	}
	src, err := openTransfer(ctx, *from)
	if err != nil {
		return fmt.Errorf("migrate-store: --from: %w", err)
	}
	defer src.Close()
	dst, err := openTransfer(ctx, *to)
	if err != nil {
		return fmt.Errorf("migrate-store: --to: %w", err)
	}
	defer dst.Close()

	copied := 0
	err = src.Export(ctx, func(b storage.Batch) error {
		copied += b.Len()
		return dst.Import(ctx, b)
	})
	if err != nil {
		return fmt.Errorf("migrate-store: copy: %w", err)
	}
	want, err := src.Counts(ctx)
	if err != nil {
		return fmt.Errorf("migrate-store: %w", err)
	}
	got, err := dst.Counts(ctx)
	if err != nil {
		return fmt.Errorf("migrate-store: %w", err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "ROWS\tSOURCE\tTARGET\t")
	var bad []string
	for _, r := range countRows(want, got) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t\n", r.name, r.from, r.to)
		if r.to != r.from && (r.name != "model snapshots" || r.to < min(r.from, 1)) {
			bad = append(bad, r.name)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(bad) > 0 {
		return fmt.Errorf("migrate-store: the target's counts of %v differ from the source's: was the service still "+
			"writing, or did the target hold other rows?", bad)
	}
	fmt.Fprintf(stdout, "copied %d rows from %s to %s; the counts match\n", copied,
		config.RedactURL(*from), config.RedactURL(*to))
	return nil
}

// openTransfer opens the database at url like serve would, migrating it.
func openTransfer(ctx context.Context, url string) (transferStore, error) {
	cfg := &config.Config{DatabaseURL: url}
	if cfg.DatabaseEngine() == config.EngineSQLite {
		if _, err := cfg.SQLitePath(); err != nil {
			return nil, err
		}
	}
	s, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	t, ok := s.(transferStore)
	if !ok {
		s.Close()
		return nil, fmt.Errorf("%T cannot be copied", s)
	}
	return t, nil
}

type countRow struct {
	name     string
	from, to int64
}

// countRows pairs the counts of the source and the target, kind by kind. The
// target holds the newest model snapshot only.
func countRows(from, to storage.Counts) []countRow {
	return []countRow{
		{"moderators", from.Moderators, to.Moderators}, {"api tokens", from.Tokens, to.Tokens},
		{"sessions", from.Sessions, to.Sessions}, {"settings", from.Settings, to.Settings},
		{"words", from.Words, to.Words}, {"bans", from.Bans, to.Bans},
		{"comments", from.Comments, to.Comments}, {"comment sources", from.Sources, to.Sources},
		{"training events", from.Events, to.Events},
		{"audit entries", from.Audit, to.Audit}, {"site api keys", from.APIKeys, to.APIKeys},
		{"spam checks", from.SpamChecks, to.SpamChecks}, {"webhook events", from.Webhooks, to.Webhooks},
		{"model snapshots", from.Snapshots, to.Snapshots},
	}
}
