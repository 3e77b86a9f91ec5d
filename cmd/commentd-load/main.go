// Command commentd-load measures a running commentd on this machine: it posts
// realistic comments (ham and spam, many client IPs through X-Forwarded-For)
// and reads comment lists with vegeta, finds each load's highest rate, then
// measures latency at half of it. In the same run it measures two floors served
// by bare Gin (a handler that only decodes the body and answers 201, and one
// that writes a pre-built list body of the real list's size) and prints each
// ratio real/floor. The floors are the one place outside internal/httpapi that
// imports Gin: they are what the real handlers are compared with.
//
// Every load is bounded in time and count and targets loopback only.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: commentd-load <command> [flags]

commands:
  run    measure a running commentd against the floors (default; run -h for flags)
  floor  serve one floor on 127.0.0.1 (started by run as a child process)
  seed   fill a database directly through the store (the memory check)
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "commentd-load:", err)
		os.Exit(1)
	}
}

// run dispatches a subcommand.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := "run"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "run":
		return runCmd(ctx, args, stdout, stderr)
	case "floor":
		return floorCmd(ctx, args, stdout)
	case "seed":
		return seedCmd(ctx, args, stdout)
	case "help":
		_, err := io.WriteString(stdout, usage)
		return err
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}
