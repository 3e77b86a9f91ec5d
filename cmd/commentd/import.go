package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/commentd/commentd/internal/config"
	"github.com/commentd/commentd/internal/dump"
	"github.com/commentd/commentd/internal/importer"
	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

const importUsage = `usage: commentd import <wordpress|disqus|json> [flags] FILE

  wordpress [--post-id=path|link|guid|id] [--site NAME] [--dry-run] FILE
            a WordPress export (WXR, from Tools > Export)
  disqus    [--post-id=path|link|id] [--site NAME] [--dry-run] FILE
            a Disqus export (XML)
  json      FILE
            a commentd export (commentd export --format json), into an empty installation

FILE may be gzipped, or - for standard input. Flags come before FILE.

--post-id names each post in commentd: path (default) is the permalink's path,
"2026/sourdough" for https://blog.example.org/2026/sourdough/; link the whole
permalink; guid the WordPress guid; id the WordPress post id or the Disqus
thread identifier. --site replaces the site in the comments' keys
("wordpress:SITE:ID"), which is read from the file otherwise.

Comments keep their author, email, URL, IP, time, threading and status;
approved ones teach the filter ham, spam ones spam. An import runs in one
transaction: a malformed file imports nothing and says where it went wrong.
Importing a file again skips the comments imported before, also those
deleted since. --dry-run reads the file and counts without importing.
`

// importStore is what the import commands need of either engine.
type importStore interface {
	store
	trainStore
	transferStore
	// ImportComments stores, in one transaction, the comments not imported before.
	ImportComments(ctx context.Context, items iter.Seq2[models.ImportedComment, error], audit *models.AuditEntry) (models.ImportResult, error)
	// ImportBatches stores an export's batches in one transaction.
	ImportBatches(ctx context.Context, batches iter.Seq2[storage.Batch, error], audit *models.AuditEntry) error
}

// openImportStore opens the configured database as an importStore.
func openImportStore(ctx context.Context, cfg *config.Config) (importStore, error) {
	s, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	is, ok := s.(importStore)
	if !ok {
		s.Close()
		return nil, fmt.Errorf("%T cannot import", s)
	}
	return is, nil
}

// importCmd imports another system's export, or restores a commentd export.
func importCmd(ctx context.Context, args []string, getenv config.Getenv, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && isHelp(args[0]) {
		_, err := io.WriteString(stdout, importUsage)
		return err
	}
	if len(args) == 0 || (args[0] != "wordpress" && args[0] != "disqus" && args[0] != "json") {
		return errors.New(importUsage)
	}
	kind := args[0]
	fs := flag.NewFlagSet("import "+kind, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { io.WriteString(stderr, importUsage) }
	postID := fs.String("post-id", "path", "what names a post: path, link, guid (WordPress) or id")
	site := fs.String("site", "", "the site in the comments' keys, instead of the file's")
	dryRun := fs.Bool("dry-run", false, "read and count, import nothing")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() < 1 {
		return errors.New(importUsage)
	}
	file := fs.Arg(0)
	if err := fs.Parse(fs.Args()[1:]); err != nil { // flags after the file, too
		return err
	}
	if fs.NArg() != 0 {
		return errors.New(importUsage)
	}
	post, err := importer.ParsePostName(*postID)
	if err == nil && kind == "disqus" && post == importer.ByGUID {
		err = errors.New("--post-id=guid: Disqus threads have no guid")
	}
	if err != nil {
		return err
	}
	cfg, err := config.Load(getenv, defaultConfigPath)
	if err != nil {
		return err
	}
	name := file
	in, closeIn, err := openInput(name, stdin)
	if err != nil {
		return err
	}
	defer closeIn()
	if kind == "json" {
		return restore(ctx, cfg, name, in, stdout, stderr)
	}
	src := source{kind: kind, name: name, opts: importer.Options{Post: post, Site: *site}}
	if *dryRun {
		return src.dryRun(in, stdout)
	}
	return src.importFrom(ctx, cfg, in, stdout, stderr)
}

// source is a WordPress or Disqus file to import.
type source struct {
	kind, name string
	opts       importer.Options
	statuses   map[models.Status]int // of the comments read
}

// scorer is what an import asks of the filter.
type scorer interface {
	// Tokens returns the features of a comment.
	Tokens(c models.NewComment) []string
	// Score returns the spam probability of tokens and the strongest of them.
	Score(tokens []string) (float64, []models.TokenWeight)
}

// comments reads in as src's format: the comments, and what the reader counts.
// With a filter each comment gets its score and strongest tokens, as a posted
// one does, so that the queue sorts imported comments by them too, and, when
// it teaches the filter, the tokens it teaches.
func (src *source) comments(in io.Reader, f scorer) (iter.Seq2[models.ImportedComment, error], *importer.Stats) {
	var (
		items iter.Seq2[models.ImportedComment, error]
		stats *importer.Stats
	)
	if src.kind == "wordpress" {
		w := &importer.WordPress{Options: src.opts}
		items, stats = w.Comments(in), &w.Stats
	} else {
		d := &importer.Disqus{Options: src.opts}
		items, stats = d.Comments(in), &d.Stats
	}
	src.statuses = map[models.Status]int{}
	return func(yield func(models.ImportedComment, error) bool) {
		for it, err := range items {
			if err == nil {
				src.statuses[it.Comment.Status]++
				if f != nil {
					scoreImported(f, &it)
				}
			}
			if !yield(it, err) {
				return
			}
		}
	}, stats
}

// scoreImported sets the comment's score and strongest tokens, and the tokens it teaches when it teaches.
func scoreImported(f scorer, it *models.ImportedComment) {
	c := &it.Comment
	tokens := f.Tokens(models.NewComment{Post: c.Post, Author: c.Author, Email: c.Email, URL: c.URL, Text: c.Text})
	c.Score, c.Reasons.Tokens = f.Score(tokens)
	if c.TrainedAs != models.ClassNone {
		it.Tokens = tokens
	}
}

// dryRun reads the whole file and says what an import would read.
func (src *source) dryRun(in io.Reader, stdout io.Writer) error {
	items, stats := src.comments(in, nil)
	for _, err := range items {
		if err != nil {
			return located(src.name, err)
		}
	}
	fmt.Fprintln(stdout, src.describe(stats))
	fmt.Fprintln(stdout, "dry run: nothing imported")
	return nil
}

// importFrom imports the file in one transaction, then brings the model up to
// date and snapshots it, so that the next start is quick.
func (src *source) importFrom(ctx context.Context, cfg *config.Config, in io.Reader, stdout, stderr io.Writer) error {
	s, err := openImportStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	f, err := loadFilter(ctx, s, cfg, stderr)
	if err != nil {
		return err
	}
	items, stats := src.comments(in, f)
	audit := &models.AuditEntry{Actor: "cli", Action: "import." + src.kind, Detail: filepath.Base(src.name)}
	res, err := s.ImportComments(ctx, items, audit)
	if err != nil {
		return located(src.name, err)
	}
	fmt.Fprintln(stdout, src.describe(stats))
	fmt.Fprintf(stdout, "imported %d comments, skipped %d imported before; taught the filter %d ham and %d spam; "+
		"%d replies threaded, %d replies whose parent is missing stand alone\n",
		res.Imported, res.Skipped, res.Ham, res.Spam, res.Replies, res.Orphans)
	if err := f.Sync(ctx); err != nil {
		return err
	}
	if err := f.Snapshot(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "model: %s\n", describe(f.Stats()))
	return nil
}

// describe says what was read.
func (src *source) describe(stats *importer.Stats) string {
	var b strings.Builder
	fmt.Fprintf(&b, "read %s: %d posts, %d comments (%d approved, %d pending, %d spam, %d trash)", src.name,
		stats.Posts, stats.Comments, src.statuses[models.StatusApproved], src.statuses[models.StatusPending],
		src.statuses[models.StatusSpam], src.statuses[models.StatusTrash])
	sep := "; left out"
	for _, typ := range slices.Sorted(maps.Keys(stats.Skipped)) {
		fmt.Fprintf(&b, "%s %d %s", sep, stats.Skipped[typ], typ)
		sep = ","
	}
	return b.String()
}

// restore imports a commentd export into an empty installation, in one
// transaction recorded in the audit log with the export's id, so that running
// it again finds it imported and does nothing.
func restore(ctx context.Context, cfg *config.Config, name string, in io.Reader, stdout, stderr io.Writer) error {
	r, err := dump.NewReader(in)
	if err != nil {
		return located(name, err)
	}
	s, err := openImportStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	marker := "export " + r.Header.ExportID
	if done, err := restoredBefore(ctx, s, marker); err != nil || done {
		if done {
			fmt.Fprintf(stdout, "%s (export %s of %s) is imported already; nothing to do\n", name, r.Header.ExportID,
				r.Header.ExportedAt.Format("2006-01-02 15:04 MST"))
		}
		return err
	}
	if c, err := s.Counts(ctx); err != nil {
		return err
	} else if c.Held() > 0 {
		return fmt.Errorf("import json restores into an empty installation; this one holds %d comments, %d training events, "+
			"%d moderators, %d audit entries and more: point database_url at a new database", c.Comments, c.Events, c.Moderators, c.Audit)
	}
	audit := &models.AuditEntry{Actor: "cli", Action: "import.json",
		Detail: fmt.Sprintf("%s of %s from %s", marker, r.Header.ExportedAt.Format("2006-01-02T15:04:05Z"), filepath.Base(name))}
	if err := s.ImportBatches(ctx, r.Batches(), audit); err != nil {
		return located(name, err)
	}
	fmt.Fprintf(stdout, "restored %s from %s\n", dump.Summary(r.Counts()), name)
	if !r.Header.PasswordHashes && r.Counts()["moderator"] > 0 {
		fmt.Fprintln(stdout, "the export has no password hashes: set each moderator's with commentd moderator passwd --name NAME")
	}
	f, err := loadFilter(ctx, s, cfg, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "model: %s\n", describe(f.Stats()))
	return nil
}

// restoredBefore reports whether the audit log records the import of the export marker names.
func restoredBefore(ctx context.Context, s importStore, marker string) (bool, error) {
	for cursor := ""; ; {
		es, next, err := s.ListAudit(ctx, models.AuditFilter{Action: "import.json", Cursor: cursor, Limit: 100})
		if err != nil {
			return false, err
		}
		for _, e := range es {
			if strings.HasPrefix(e.Detail, marker+" ") {
				return true, nil
			}
		}
		if next == "" {
			return false, nil
		}
		cursor = next
	}
}

// located names the file, and the line and column when the error has them,
// in the compiler's way: FILE:LINE:COL: message.
func located(name string, err error) error {
	var (
		ie *importer.Error
		de *dump.Error
	)
	switch {
	case errors.As(err, &ie):
		return fmt.Errorf("%s:%w; nothing was imported", name, ie)
	case errors.As(err, &de):
		return fmt.Errorf("%s:%w; nothing was imported", name, de)
	}
	return fmt.Errorf("import %s: %w; nothing was imported", name, err)
}

// openInput opens name, or stdin for "-", and undoes gzip when the data is gzipped.
func openInput(name string, stdin io.Reader) (io.Reader, func(), error) {
	var (
		r    io.Reader = stdin
		done           = func() {}
	)
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, nil, err
		}
		r, done = f, func() { f.Close() }
	}
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		z, err := gzip.NewReader(br)
		if err != nil {
			done()
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		return z, done, nil
	}
	return br, done, nil
}
