package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/commentd/commentd/internal/config"
)

// defaultConfigPath is read when COMMENTD_CONFIG is unset and the file exists.
const defaultConfigPath = "configs/commentd.yaml"

const usage = `usage: commentd <command> [flags]

commands:
  serve     run the HTTP service (default)
  config    print the effective configuration, secrets masked
  moderator manage moderator accounts and API tokens (commentd moderator help)
  apikey    manage the sites' keys to the Akismet-compatible API (commentd apikey help)
  healthcheck  exit 0 when the local service answers /healthz (for container health checks)
  migrate-store  copy one database into another, ids kept: migrate-store --from sqlite://PATH --to postgres://...
  eval      measure the filter on labelled files: eval --test FILE [--no-starter --train FILE] [--folds K] [--json]
  train     teach this installation labelled comments: train --corpus FILE [--corpus FILE ...]
  model     export, import or describe this installation's model (commentd model help)
  import    import a WordPress or Disqus export, or restore a commentd export (commentd import help)
  export    write everything needed to rebuild this installation: export --format json [--out FILE]
  help      show this help
`

// run dispatches a subcommand. It is main without the process: tests call it.
func run(ctx context.Context, args []string, getenv config.Getenv, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stderr)
	case "config":
		cfg, err := config.Load(getenv, defaultConfigPath)
		if err != nil {
			return err
		}
		_, err = io.WriteString(stdout, cfg.String())
		return err
	case "moderator":
		return moderatorCmd(ctx, args, getenv, stdin, stdout, stderr)
	case "apikey":
		return apikeyCmd(ctx, args, getenv, stdout, stderr)
	case "healthcheck":
		return healthcheck(ctx, getenv)
	case "migrate-store":
		return migrateStoreCmd(ctx, args, stdout, stderr)
	case "eval":
		return evalCmd(args, getenv, stdout, stderr)
	case "train":
		return trainCmd(ctx, args, getenv, stdout, stderr)
	case "model":
		return modelCmd(ctx, args, getenv, stdout, stderr)
	case "import":
		return importCmd(ctx, args, getenv, stdin, stdout, stderr)
	case "export":
		return exportCmd(ctx, args, getenv, stdout, stderr)
	}
	if isHelp(cmd) {
		_, err := io.WriteString(stdout, usage)
		return err
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

// isHelp reports a request for a command's usage: "help", "-h" or "--help".
func isHelp(arg string) bool { return arg == "help" || arg == "-h" || arg == "--help" }

// healthcheck asks the service on COMMENTD_ADDR for /healthz.
func healthcheck(ctx context.Context, getenv config.Getenv) error {
	cfg, err := config.Load(getenv, defaultConfigPath)
	if err != nil {
		return err
	}
	host, port, _ := net.SplitHostPort(cfg.Addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: /healthz answered %d", resp.StatusCode)
	}
	return nil
}
