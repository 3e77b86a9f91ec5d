package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/commentd/commentd/models"
)

// queryer runs statements inside a write transaction: a *sql.Tx, or a
// *preparer when the same statements run many times.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// preparer runs a transaction's statements, preparing each query once: a batch
// of thousands of decisions parses its few statements once, not once a row.
// Its statements are closed with the transaction.
type preparer struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func newPreparer(tx *sql.Tx) *preparer {
	return &preparer{tx: tx, stmts: make(map[string]*sql.Stmt)}
}

func (p *preparer) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := p.stmts[query]; ok {
		return st, nil
	}
	st, err := p.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	p.stmts[query] = st
	return st, nil
}

// ExecContext runs query prepared.
func (p *preparer) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// QueryRowContext runs query prepared. When preparing fails it runs query on
// the transaction, so that the *sql.Row carries the error.
func (p *preparer) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := p.stmt(ctx, query)
	if err != nil {
		return p.tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// maxCachedQueries bounds stmtCache. The queries built from filters have a few
// hundred shapes at most, so the bound is a guard, not an eviction policy.
const maxCachedQueries = 512

// stmtCache prepares the reads built from filters (the queue, the audit log)
// on the read pool, once per query shape.
type stmtCache struct {
	db    *sql.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: make(map[string]*sql.Stmt)}
}

// query runs query with args, prepared once and kept while the cache has room.
func (c *stmtCache) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	c.mu.Lock()
	st, ok := c.stmts[query]
	if !ok && len(c.stmts) < maxCachedQueries {
		var err error
		if st, err = c.db.PrepareContext(ctx, query); err != nil {
			c.mu.Unlock()
			return nil, err
		}
		c.stmts[query], ok = st, true
	}
	c.mu.Unlock()
	if !ok {
		return c.db.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for q, st := range c.stmts {
		errs = append(errs, st.Close())
		delete(c.stmts, q)
	}
	return errors.Join(errs...)
}

// insertRow runs query, an INSERT of one row, and returns the row's id. A
// UNIQUE violation answers conflict, when not nil.
func insertRow(ctx context.Context, tx *sql.Tx, conflict error, query string, args ...any) (int64, error) {
	res, err := tx.ExecContext(ctx, query, args...)
	if conflict != nil && isUnique(err) {
		return 0, conflict
	}
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// affectedOne turns the result of an UPDATE or DELETE by id into
// models.ErrNotFound when it touched no row.
func affectedOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return models.ErrNotFound
	}
	return nil
}

// eachRow calls fn for every row and closes rows.
func eachRow(rows *sql.Rows, fn func(*sql.Rows) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// isUnique reports a UNIQUE or PRIMARY KEY constraint violation.
func isUnique(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) &&
		(e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}
