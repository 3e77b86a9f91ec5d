package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/commentd/commentd/models"
)

// An outage is the database out of reach, not a bad request nor a bug: a
// connection the server dropped (terminated, restarted, a network cut), a
// server that refuses or cannot take connections, or one that does not answer
// in time. Its errors wrap models.ErrUnavailable (503), so that clients retry.

// outage wraps err in models.ErrUnavailable when it is an outage's.
func outage(err error) error {
	if err == nil || !unreachable(err) {
		return err
	}
	return fmt.Errorf("%w: %w", models.ErrUnavailable, err)
}

// unreachable reports the errors of an outage.
func unreachable(err error) bool {
	var connect *pgconn.ConnectError
	switch code := sqlState(err); {
	case strings.HasPrefix(code, "53"), // insufficient resources: too many connections, disk full
		code == "57014", // a statement cancelled by statement_timeout
		code == "25006": // a read-only server, as during a failover
		return true
	case errors.As(err, &connect), pgconn.Timeout(err):
		return true
	}
	return broken(err)
}

// broken reports a connection that was open and broke: the server ended it
// (class 08, 57P01 terminated by an administrator, 57P02 crash, 57P05 idle
// timeout) or the network did. A transaction on it was rolled back by the
// server unless its COMMIT had been sent. A connection that could not be
// opened is not broken: the server is down.
func broken(err error) bool {
	var connect *pgconn.ConnectError
	if err == nil || errors.As(err, &connect) {
		return false
	}
	if code := sqlState(err); code != "" {
		return strings.HasPrefix(code, "08") || strings.HasPrefix(code, "57P")
	}
	var nerr net.Error
	return pgconn.SafeToRetry(err) || errors.As(err, &nerr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// db is the pool as the store reads through it: the errors of an outage come
// back wrapping models.ErrUnavailable.
type db struct{ *pgxpool.Pool }

// Exec runs sql on a pooled connection.
func (d db) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	tag, err := d.Pool.Exec(ctx, sql, args...)
	return tag, outage(err)
}

// Query runs sql on a pooled connection.
func (d db) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	rows, err := d.Pool.Query(ctx, sql, args...)
	if rows == nil {
		return nil, outage(err)
	}
	return outageRows{rows}, outage(err)
}

// QueryRow runs sql on a pooled connection; its error comes with Scan.
func (d db) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return outageRow{d.Pool.QueryRow(ctx, sql, args...)}
}

type outageRows struct{ pgx.Rows }

func (r outageRows) Err() error             { return outage(r.Rows.Err()) }
func (r outageRows) Scan(dest ...any) error { return outage(r.Rows.Scan(dest...)) }
func (r outageRows) Values() ([]any, error) { v, err := r.Rows.Values(); return v, outage(err) }

type outageRow struct{ pgx.Row }

func (r outageRow) Scan(dest ...any) error { return outage(r.Row.Scan(dest...)) }
