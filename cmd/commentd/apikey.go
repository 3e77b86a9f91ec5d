package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/commentd/commentd/internal/account"
	"github.com/commentd/commentd/internal/config"
	"github.com/commentd/commentd/models"
)

const apikeyUsage = `usage: commentd apikey <create|list|revoke> [flags]

  create  --site URL   create a key for a site's Akismet client (printed once on stdout);
                       URL is the site's front page, as the client sends it in blog
  list                 list the keys, revoked ones included
  revoke  --id ID      revoke a key: the site's calls are refused from then on
`

// apikeyCmd manages the sites' keys to the Akismet-compatible API directly in
// the configured database.
func apikeyCmd(ctx context.Context, args []string, getenv config.Getenv, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(apikeyUsage)
	}
	if isHelp(args[0]) {
		_, err := io.WriteString(stdout, apikeyUsage)
		return err
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("apikey "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	site := fs.String("site", "", "the site's front page URL")
	id := fs.Int64("id", 0, "key id")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(getenv, defaultConfigPath)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	svc := account.New(store, nil, account.Options{})
	const actor = "cli"
	switch sub {
	case "create":
		if *site == "" {
			return errors.New("apikey create: --site is required")
		}
		key, k, err := svc.CreateAPIKey(ctx, actor, *site)
		var v *models.ValidationError
		if errors.As(err, &v) {
			return fmt.Errorf("apikey create: --site must be the site's front page, such as https://blog.example.org (%v)", v)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "key %d for %s; it is shown only now:\n", k.ID, k.Site)
		fmt.Fprintln(stdout, key)
	case "list":
		ks, err := svc.APIKeys(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSITE\tCREATED\tBY\tREVOKED")
		for _, k := range ks {
			revoked := "-"
			if k.RevokedAt != nil {
				revoked = k.RevokedAt.Format("2006-01-02 15:04")
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", k.ID, k.Site, k.CreatedAt.Format("2006-01-02 15:04"), k.CreatedBy, revoked)
		}
		return tw.Flush()
	case "revoke":
		if *id <= 0 {
			return errors.New("apikey revoke: --id is required")
		}
		switch err := svc.RevokeAPIKey(ctx, actor, *id); {
		case errors.Is(err, models.ErrNotFound):
			return fmt.Errorf("apikey revoke: no key %d", *id)
		case errors.Is(err, models.ErrConflict):
			return fmt.Errorf("apikey revoke: key %d is revoked already", *id)
		case err != nil:
			return err
		}
		fmt.Fprintf(stdout, "revoked key %d\n", *id)
	default:
		return fmt.Errorf("unknown apikey command %q\n%s", sub, apikeyUsage)
	}
	return nil
}
