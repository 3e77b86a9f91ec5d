// Package postgres is commentd's Store on PostgreSQL (pgx, a connection pool),
// for running several instances on one database.
//
// It keeps the SQLite store's behaviour, which the storagetest suite pins:
// times are UTC unix nanoseconds in bigint columns, cursors are the same opaque
// keysets, and errors map to models.ErrNotFound, ErrConflict and ErrInvalid.
// Statements are prepared once per connection by pgx's statement cache.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// MaxPageSize caps the limit of ListApproved, ListByStatus, ListQueue and
// ListAudit; larger limits are clamped.
const MaxPageSize = storage.MaxPageSize

// Server-side limits set on every connection unless the URL names them: a
// statement or an idle transaction never holds a connection for long, even
// when a caller's context has no deadline.
var defaultParams = map[string]string{
	"statement_timeout":                   "30s",
	"idle_in_transaction_session_timeout": "60s",
	"application_name":                    "commentd",
}

// txRetries is how many times a transaction that lost a deadlock or a
// serialization conflict is run again.
const txRetries = 3

// Store is the PostgreSQL storage. It is safe for concurrent use, also by
// several processes on one database.
type Store struct {
	pool     db                         // reports an outage as models.ErrUnavailable
	conns    int                        // the pool's size: how many connections an outage may have broken
	group    *storage.Group[newComment] // writes concurrent CreateComment calls in shared transactions
	webhooks atomic.Bool                // write webhook events with comment changes (RecordWebhookEvents)
}

// Open connects to the database at url (postgres://user:pass@host:port/db?...;
// pool_max_conns and the other pgxpool parameters apply) and applies the
// pending migrations, once however many instances start together.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	for k, v := range defaultParams {
		if _, ok := cfg.ConnConfig.RuntimeParams[k]; !ok {
			cfg.ConnConfig.RuntimeParams[k] = v
		}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	s := &Store{pool: db{pool}, conns: int(cfg.MaxConns)}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open %s@%s/%s: %w", cfg.ConnConfig.User, cfg.ConnConfig.Host,
			cfg.ConnConfig.Database, err)
	}
	// Data and constraint errors (bad text in one comment, classes 22 and 23)
	// belong to one comment: the others are retried alone. Anything else (a
	// lost connection, a lock or statement timeout, a read-only server)
	// would fail each alone as well.
	s.group = storage.NewGroup(s.insertAll, func(err error) bool {
		code := sqlState(err)
		return strings.HasPrefix(code, "22") || strings.HasPrefix(code, "23")
	}, nil)
	return s, nil
}

// Close commits the comments being written, then closes the pool, waiting for
// the connections in use.
func (s *Store) Close() error {
	s.group.Close()
	s.pool.Close()
	return nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// inTx runs fn in one transaction and commits it. A transaction that lost a
// deadlock or a serialization conflict is rolled back and run again, and so is
// one whose connection broke before its COMMIT was sent (the server rolled it
// back): once per pooled connection, as an outage may have broken them all.
// fn must therefore not leave effects outside tx. A connection that broke
// during the COMMIT leaves the outcome unknown, and is not retried: its error,
// like every outage's, wraps models.ErrUnavailable.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	conflicts, breaks := 0, 0
	for {
		sent, err := s.tryTx(ctx, fn)
		switch code := sqlState(err); {
		case (code == "40001" || code == "40P01") && conflicts < txRetries:
			conflicts++
			continue
		case broken(err) && (!sent || pgconn.SafeToRetry(err)) && breaks < s.conns && ctx.Err() == nil:
			breaks++
			continue
		}
		return mapErr(err)
	}
}

// tryTx runs fn in a transaction and commits it; sent reports whether the
// COMMIT went out, after which an error leaves the outcome unknown. The
// transaction is READ COMMITTED whatever default the role or database sets:
// the store's statements count on seeing what committed before each of them
// (the duplicate check after its lock, see duplicateLockKeys).
func (s *Store) tryTx(ctx context.Context, fn func(tx pgx.Tx) error) (sent bool, err error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return false, err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback(ctx) // fn's error is the one to return
		return false, err
	}
	return true, tx.Commit(ctx)
}

// querier is what runs statements: the pool or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// sqlState returns the SQLSTATE of a server error, or "".
func sqlState(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// isUnique reports a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool { return sqlState(err) == "23505" }

// mapErr turns the server errors that mean bad input into models.ErrInvalid
// (text that is not valid UTF-8 or holds a NUL byte, which SQLite would
// store), and those of an outage into models.ErrUnavailable.
func mapErr(err error) error {
	switch sqlState(err) {
	case "22021", "22P05":
		return fmt.Errorf("%w: %w", storage.Invalid("text", "invalid_encoding"), err)
	}
	return outage(err)
}

// notFound turns pgx.ErrNoRows into models.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return models.ErrNotFound
	}
	return err
}

// affectedOne turns the result of an UPDATE or DELETE by id into
// models.ErrNotFound when it touched no row.
func affectedOne(tag pgconn.CommandTag, err error) error {
	if err == nil && tag.RowsAffected() == 0 {
		return models.ErrNotFound
	}
	return err
}

// collect reads every row of rows with scan.
func collect[T any](rows pgx.Rows, err error, scan func(row pgx.Row) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
