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
	"github.com/commentd/commentd/models"
)

const migrateUsage = `usage: commentd migrate-store --from URL --to URL

Copies every comment, training event, account, API token, session, setting,
listed word, ban, audit entry, site API key, spam check, webhook event
(delivered or waiting) and the newest model snapshot from one database to
another, keeping ids, then checks that both hold as many rows. The URLs are
database_url values: sqlite://PATH, postgres://USER:PASS@HOST:5432/DB. Stop
the service on both first. The target must be a new, empty database or an
earlier copy of the same source: one holding anything else is refused before
anything is written. Running it again copies what changed and is otherwise a
no-op; rows deleted from the source since are not deleted from the target.
`

// transferStore is a store that can be copied: both engines are.
type transferStore interface {
	Export(ctx context.Context, fn func(storage.Batch) error) error
	Import(ctx context.Context, b storage.Batch) error
	Counts(ctx context.Context) (storage.Counts, error)
	GetComment(ctx context.Context, id int64) (models.Comment, error)
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
	if err := checkTarget(ctx, src, dst); err != nil {
		return fmt.Errorf("migrate-store: %w", err)
	}

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

// errEnough ends an Export once it has given what was asked for.
var errEnough = errors.New("enough")

// checkTarget refuses a target that holds rows and is not an earlier copy of
// src: copying keeps ids, so it would overwrite another installation's
// comments and accounts with the source's and leave a mix of both. A copy
// has the source's moderators and comments under the same ids (statuses may
// have moved on since; rows deleted from the source since are skipped): the
// target's first moderators and comments, in id order, are compared with the
// source's, and at least one must be found in both.
func checkTarget(ctx context.Context, src, dst transferStore) error {
	c, err := dst.Counts(ctx)
	if err != nil {
		return err
	}
	if c.Held() == 0 {
		return nil
	}
	refuse := func(what string) error {
		return fmt.Errorf("the target holds %d comments, %d training events and %d moderators, and %s: it is not "+
			"a copy of this source; copy into a new, empty database", c.Comments, c.Events, c.Moderators, what)
	}
	first := func(s transferStore) (mods []models.Moderator, comments []models.Comment, err error) {
		err = s.Export(ctx, func(b storage.Batch) error {
			if mods == nil && len(b.Moderators) > 0 {
				mods = b.Moderators
			}
			if len(b.Comments) > 0 {
				comments = b.Comments
				return errEnough
			}
			return nil
		})
		if errors.Is(err, errEnough) {
			err = nil
		}
		return mods, comments, err
	}
	dstMods, dstComments, err := first(dst)
	if err != nil {
		return err
	}
	srcMods, _, err := first(src)
	if err != nil {
		return err
	}
	names := make(map[int64]string, len(srcMods))
	for _, m := range srcMods {
		names[m.ID] = m.Name
	}
	matched := 0 // rows found in both, alike: an earlier copy has some, as ids are kept and never reused
	for _, m := range dstMods {
		name, ok := names[m.ID]
		if !ok {
			continue // not among the source's first (or deleted since): nothing to compare
		}
		if name != m.Name {
			return refuse(fmt.Sprintf("its moderator %d is %q, the source's %q", m.ID, m.Name, name))
		}
		matched++
	}
	for _, dc := range dstComments {
		sc, err := src.GetComment(ctx, dc.ID)
		if errors.Is(err, models.ErrNotFound) {
			continue // deleted from the source since the earlier copy
		}
		if err != nil {
			return err
		}
		if sc.Post != dc.Post || sc.Text != dc.Text || !sc.CreatedAt.Equal(dc.CreatedAt) {
			return refuse(fmt.Sprintf("its comment %d (on %q) is not the source's", dc.ID, dc.Post))
		}
		matched++
	}
	if matched == 0 {
		return refuse("none of its first moderators and comments is the source's")
	}
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
