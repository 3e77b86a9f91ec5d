// Package sqlite is commentd's Store on SQLite (modernc.org/sqlite, no cgo).
//
// The database runs in WAL mode behind two pools: one writer connection, so
// writes queue in-process instead of fighting over the file lock, and a
// read-only pool, so reads never wait on writes. Times are stored as UTC unix
// nanoseconds and come back in UTC.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// MaxPageSize caps the limit of ListApproved, ListByStatus, ListQueue and
// ListAudit; larger limits are clamped.
const MaxPageSize = storage.MaxPageSize

// busyTimeout is how long SQLite itself waits for a lock before answering SQLITE_BUSY.
const busyTimeout = 5 * time.Second

// Store is the SQLite storage. It is safe for concurrent use.
type Store struct {
	write  *sql.DB    // exactly one connection; every write goes through it
	read   *sql.DB    // read-only connections
	stmts  stmts      // the hot reads, prepared on the read pool
	cache  *stmtCache // the reads built from filters, prepared on the read pool
	commit *committer // writes concurrent CreateComment calls in shared transactions

	webhooks atomic.Bool // write webhook events with comment changes (RecordWebhookEvents)

	busyRetries int           // extra attempts of a write transaction that met SQLITE_BUSY
	busyBackoff time.Duration // first pause between those attempts; doubles each time
	onBusy      func()        // called before each retry; tests only
}

// options tune Open; tests shorten the timeouts.
type options struct {
	busyTimeout  time.Duration
	busyRetries  int
	busyBackoff  time.Duration
	onCheckpoint func(frames, copied int) // called after each idle checkpoint; tests only
}

var defaultOptions = options{busyTimeout: busyTimeout, busyRetries: 5, busyBackoff: 20 * time.Millisecond}

// Open opens the database at path, creating the file and its directory when
// missing, and applies the pending migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, defaultOptions)
}

func open(ctx context.Context, path string, o options) (*Store, error) {
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("sqlite: open: a file path is required, got %q", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s := &Store{busyRetries: o.busyRetries, busyBackoff: o.busyBackoff}

	// The writer comes first: it creates the file, switches it to WAL and migrates,
	// all before a reader may look at it.
	s.write, err = sql.Open("sqlite", dsn(abs, o, false))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s.write.SetMaxOpenConns(1)
	s.write.SetMaxIdleConns(1)
	s.write.SetConnMaxLifetime(0)
	s.write.SetConnMaxIdleTime(0)
	if err := s.migrate(ctx); err != nil {
		s.write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}

	s.read, err = sql.Open("sqlite", dsn(abs, o, true))
	if err != nil {
		s.write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	s.read.SetMaxOpenConns(n)
	s.read.SetMaxIdleConns(n)
	s.cache = newStmtCache(s.read)
	if err := s.stmts.prepare(ctx, s.read); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: open %s: readers: %w", path, err)
	}
	if err := s.startCommitter(ctx, o.onCheckpoint); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: open %s: writer: %w", path, err)
	}
	return s, nil
}

// stmts are the reads on the public pages and of every console request,
// prepared once rather than per call.
type stmts struct {
	getComment, listApproved, listByStatus *sql.Stmt
	tokenByHash, sessionByID               *sql.Stmt
}

func (st *stmts) all() []*sql.Stmt {
	return []*sql.Stmt{st.getComment, st.listApproved, st.listByStatus, st.tokenByHash, st.sessionByID}
}

func (st *stmts) prepare(ctx context.Context, db *sql.DB) error {
	for _, p := range []struct {
		stmt  **sql.Stmt
		query string
	}{
		{&st.getComment, getCommentSQL},
		{&st.listApproved, listApprovedSQL},
		{&st.listByStatus, listByStatusSQL},
		{&st.tokenByHash, tokenByHashSQL},
		{&st.sessionByID, sessionByIDSQL},
	} {
		var err error
		if *p.stmt, err = db.PrepareContext(ctx, p.query); err != nil {
			return err
		}
	}
	return nil
}

func (st *stmts) close() error {
	var errs []error
	for _, stmt := range st.all() {
		if stmt != nil {
			errs = append(errs, stmt.Close())
		}
	}
	return errors.Join(errs...)
}

// dsn builds a file: URI so that any path (spaces, '?', '#', '%') survives.
// synchronous=NORMAL in WAL mode keeps every commit across a crash of the
// process; a power loss may lose the last commits, never the file's integrity.
func dsn(path string, o options, readOnly bool) string {
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(o.busyTimeout.Milliseconds()))
	q.Set("_foreign_keys", "1")
	// Statement journals and the sorts of filtered queue pages stay off the disk.
	q.Set("_pragma", "temp_store(memory)")
	if readOnly {
		q.Set("mode", "ro")
		q.Set("_query_only", "1")
	} else {
		q.Set("_journal_mode", "WAL")
		q.Set("_synchronous", "NORMAL")
		q.Set("_txlock", "immediate") // take the write lock at BEGIN, where busy_timeout applies
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: q.Encode()}
	return u.String()
}

// Close stops taking comments, after those being written, and closes both pools.
func (s *Store) Close() error {
	s.stopCommitter()
	errs := []error{s.stmts.close()}
	if s.cache != nil {
		errs = append(errs, s.cache.close())
	}
	if s.read != nil {
		errs = append(errs, s.read.Close())
	}
	if s.write != nil {
		// Let SQLite refresh its query planner statistics before going away.
		_, _ = s.write.Exec("PRAGMA optimize")
		errs = append(errs, s.write.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	return nil
}

// Ping checks that both pools reach the database.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.write.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping writer: %w", err)
	}
	if err := s.read.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping readers: %w", err)
	}
	return nil
}

// inTx runs fn in one write transaction (BEGIN IMMEDIATE) and commits it. When
// SQLite answers SQLITE_BUSY anyway (another process held the lock past
// busy_timeout), the whole transaction is rolled back and run again, so fn
// must not leave effects outside tx. When the lock stays held past the
// retries, the error wraps models.ErrUnavailable: the database is out of
// reach for now, which is no bug of this request.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	backoff := s.busyBackoff
	for attempt := 0; ; attempt++ {
		err := s.tryTx(ctx, fn)
		if err == nil || !isBusy(err) {
			return err
		}
		if attempt >= s.busyRetries {
			return fmt.Errorf("%w: %w", models.ErrUnavailable, err)
		}
		if s.onBusy != nil {
			s.onBusy()
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w: %w", models.ErrUnavailable, errors.Join(err, ctx.Err()))
		case <-t.C:
		}
		backoff = min(2*backoff, time.Second)
	}
}

func (s *Store) tryTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, rbErr)
		}
		return err
	}
	return tx.Commit()
}

// isBusy reports SQLITE_BUSY and its extended codes.
func isBusy(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}
