// Package pgtest gives tests a PostgreSQL database of their own: a test
// binary creates one in TestMain and drops it at the end, and each test that
// needs a clean slate takes a fresh schema in it. It never touches another
// database.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// ServerEnv names the variable holding the URL of the maintenance database
// through which test databases are created; DefaultServer is used when it is unset.
const (
	ServerEnv     = "COMMENTD_TEST_POSTGRES_URL"
	DefaultServer = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
)

// Database is a throwaway database.
type Database struct {
	URL    string // the database's URL
	name   string
	server string

	mu      sync.Mutex
	schemas int      // how many Schema created
	free    []string // the schemas of ended tests
}

// Create creates a database named commentd_test_<name>_<random> on the
// server of ServerEnv. Drop it when done.
func Create(ctx context.Context, name string) (*Database, error) {
	server := os.Getenv(ServerEnv)
	if server == "" {
		server = DefaultServer
	}
	b := make([]byte, 6)
	rand.Read(b)
	db := &Database{name: "commentd_test_" + name + "_" + hex.EncodeToString(b), server: server}
	u, err := url.Parse(server)
	if err != nil {
		return nil, fmt.Errorf("pgtest: %s: %w", ServerEnv, err)
	}
	u.Path = "/" + db.name
	q := u.Query()
	q.Set("synchronous_commit", "off") // a test database need not survive a crash
	u.RawQuery = q.Encode()
	db.URL = u.String()
	if err := db.admin(ctx, `CREATE DATABASE `+pgx.Identifier{db.name}.Sanitize()+` ENCODING 'UTF8' TEMPLATE template0`); err != nil {
		return nil, fmt.Errorf("pgtest: create database (is PostgreSQL up? bash scripts/services.sh starts it): %w", err)
	}
	return db, nil
}

// Drop drops the database, closing its connections.
func (db *Database) Drop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return db.admin(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{db.name}.Sanitize()+` WITH (FORCE)`)
}

// admin runs one statement on the maintenance database.
func (db *Database) admin(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, db.server)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, sql)
	return err
}

// Schema returns the database's URL with a schema of t's own as its search
// path, so that a store opened on it starts empty: a new schema, or one an
// ended test used, its tables emptied and its sequences restarted (the table
// schema_migrations aside), which is much cheaper than migrating anew.
func (db *Database) Schema(t testing.TB) string {
	t.Helper()
	return db.schema(t, true)
}

// NewSchema is Schema without the reuse: the schema is new, with no tables,
// for a test of what happens to an empty database.
func (db *Database) NewSchema(t testing.TB) string {
	t.Helper()
	return db.schema(t, false)
}

func (db *Database) schema(t testing.TB, reuse bool) string {
	t.Helper()
	ctx := context.Background()
	db.mu.Lock()
	name, reused := "", reuse && len(db.free) > 0
	if reused {
		name, db.free = db.free[len(db.free)-1], db.free[:len(db.free)-1]
	} else {
		db.schemas++
		name = fmt.Sprintf("t%d", db.schemas)
	}
	db.mu.Unlock()
	u := WithParam(db.URL, "search_path", name)
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer conn.Close(ctx)
	if reused {
		err = truncate(ctx, conn)
	} else {
		_, err = conn.Exec(ctx, `CREATE SCHEMA `+name)
	}
	if err != nil {
		t.Fatalf("pgtest: schema %s: %v", name, err)
	}
	t.Cleanup(func() {
		db.mu.Lock()
		db.free = append(db.free, name)
		db.mu.Unlock()
	})
	return u
}

// truncate empties every table of the connection's schema but
// schema_migrations and restarts its sequences. DELETE is much faster than
// TRUNCATE on the few rows a test leaves.
func truncate(ctx context.Context, conn *pgx.Conn) error {
	rows, err := conn.Query(ctx, `SELECT 'DELETE FROM ' || quote_ident(tablename) FROM pg_tables
		WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'
		UNION ALL
		SELECT 'SELECT setval(' || quote_literal(quote_ident(sequencename)) || ', 1, false)' FROM pg_sequences
		WHERE schemaname = current_schema()`)
	if err != nil {
		return err
	}
	stmts, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(stmts) == 0 {
		return err
	}
	_, err = conn.Exec(ctx, strings.Join(stmts, ";\n"))
	return err
}

// Breakable returns the database URL u with an application name of its own,
// name, so that Terminate can break the connections of a store opened on it
// and of no one else.
func Breakable(u string) (url, name string) {
	b := make([]byte, 6)
	rand.Read(b)
	name = "commentd_break_" + hex.EncodeToString(b)
	return WithParam(u, "application_name", name), name
}

// Terminate terminates the connections to the database whose application
// name is name (see Breakable), as a restart or an administrator would, times
// times, every apart, and returns how many it terminated: an error when none,
// as a test that breaks nothing proves nothing.
func (db *Database) Terminate(ctx context.Context, name string, times int, every time.Duration) (int, error) {
	conn, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		return 0, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	total := 0
	for range times {
		time.Sleep(every)
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND application_name = $1`, name).Scan(&n); err != nil {
			return total, fmt.Errorf("pgtest: terminate: %w", err)
		}
		total += n
	}
	if total == 0 {
		return 0, fmt.Errorf("pgtest: terminate: no connection is named %s", name)
	}
	return total, nil
}

// WithParam returns the database URL u with a query parameter set, such as a
// run-time parameter (search_path) or a pool setting (pool_max_conns).
func WithParam(u, key, value string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		panic(err)
	}
	q := parsed.Query()
	q.Set(key, value)
	parsed.RawQuery = q.Encode()
	return parsed.String()
}
