package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/commentd/commentd/internal/account"
	"github.com/commentd/commentd/internal/config"
	"github.com/commentd/commentd/models"
)

const moderatorUsage = `usage: commentd moderator <add|passwd|delete|list|token|tokens|revoke> [flags]

  add     --name N --role admin|moderator   create an account; the password is read from
                                            standard input (asked twice on a terminal)
  passwd  --name N                          set a new password the same way
  delete  --name N                          delete an account, its sessions and tokens
  list                                      list accounts
  token   --name N [--label L]              issue an API token (printed once on stdout)
  tokens                                    list API tokens
  revoke  --id ID                           revoke an API token
`

// moderatorCmd manages accounts directly in the configured database.
func moderatorCmd(ctx context.Context, args []string, getenv config.Getenv, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(moderatorUsage)
	}
	if isHelp(args[0]) {
		_, err := io.WriteString(stdout, moderatorUsage)
		return err
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("moderator "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "", "account name")
	role := fs.String("role", "moderator", "admin or moderator")
	label := fs.String("label", "cli", "token label")
	id := fs.Int64("id", 0, "token id")
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
	svc := account.New(store, nil, account.Options{PasswordCost: cfg.PasswordCost})
	const actor = "cli"
	need := func() error {
		if *name == "" {
			return fmt.Errorf("moderator %s: --name is required", sub)
		}
		return nil
	}
	switch sub {
	case "add", "passwd":
		if err := need(); err != nil {
			return err
		}
		pw, err := readPassword(stdin, stderr)
		if err != nil {
			return err
		}
		if sub == "passwd" {
			if err := svc.SetPassword(ctx, actor, *name, pw); err != nil {
				return explain(err)
			}
			fmt.Fprintf(stdout, "password of %s changed\n", *name)
			return nil
		}
		m, err := svc.CreateModerator(ctx, actor, *name, models.Role(*role), pw)
		if err != nil {
			return explain(err)
		}
		fmt.Fprintf(stdout, "created %s (%s), id %d\n", m.Name, m.Role, m.ID)
	case "delete":
		if err := need(); err != nil {
			return err
		}
		if err := svc.Delete(ctx, actor, *name); err != nil {
			return explain(err)
		}
		fmt.Fprintf(stdout, "deleted %s\n", *name)
	case "list":
		ms, err := svc.List(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tROLE\tCREATED")
		for _, m := range ms {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", m.ID, m.Name, m.Role, m.CreatedAt.Format("2006-01-02 15:04"))
		}
		return tw.Flush()
	case "token":
		if err := need(); err != nil {
			return err
		}
		secret, t, err := svc.IssueToken(ctx, actor, *name, *label)
		if err != nil {
			return explain(err)
		}
		fmt.Fprintf(stderr, "token %d for %s; it is shown only now:\n", t.ID, *name)
		fmt.Fprintln(stdout, secret)
	case "tokens":
		ts, err := svc.Tokens(ctx, 0)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tMODERATOR\tLABEL\tCREATED\tREVOKED")
		for _, t := range ts {
			revoked := "-"
			if t.RevokedAt != nil {
				revoked = t.RevokedAt.Format("2006-01-02 15:04")
			}
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\n", t.ID, t.ModeratorID, t.Name, t.CreatedAt.Format("2006-01-02 15:04"), revoked)
		}
		return tw.Flush()
	case "revoke":
		if *id <= 0 {
			return errors.New("moderator revoke: --id is required")
		}
		if err := svc.RevokeToken(ctx, actor, *id); err != nil {
			return explain(err)
		}
		fmt.Fprintf(stdout, "revoked token %s\n", strconv.FormatInt(*id, 10))
	default:
		return fmt.Errorf("unknown moderator command %q\n%s", sub, moderatorUsage)
	}
	return nil
}

// readPassword asks twice on a terminal (hidden), or takes the first line when piped.
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "Password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stderr, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", errors.New("the passwords differ")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", errors.New("no password on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// explain turns validation errors into a readable line.
func explain(err error) error {
	var v *models.ValidationError
	if errors.As(err, &v) {
		return fmt.Errorf("%s (passwords need at least %d characters)", v.Error(), account.MinPasswordLength)
	}
	if errors.Is(err, models.ErrConflict) {
		return errors.New("an account with that name exists already")
	}
	if errors.Is(err, models.ErrNotFound) {
		return errors.New("no such account or token")
	}
	return err
}
