package storage

import (
	"strconv"
	"strings"
)

// Dialect is an engine's SQL, as far as the queries built here differ by it.
type Dialect int

const (
	// SQLite writes every parameter as ?; its LIKE ignores ASCII case.
	SQLite Dialect = iota
	// Postgres numbers the parameters $1, $2 ...; the filtered text columns
	// are COLLATE "C", so its ILIKE ignores ASCII case only, as SQLite's LIKE does.
	Postgres
)

// like is the operator matching a LIKE pattern ignoring ASCII case.
func (d Dialect) like() string {
	if d == Postgres {
		return "ILIKE"
	}
	return "LIKE"
}

// Where collects the conditions of a query built from a filter, and their
// arguments, in the parameters of its dialect.
type Where struct {
	dialect Dialect
	conds   []string
	Args    []any // the arguments of the conditions, then of Limit
}

// NewWhere returns a Where without conditions for queries in d.
func NewWhere(d Dialect) *Where { return &Where{dialect: d} }

// Add adds cond, written with a ? for each of args, in order.
func (w *Where) Add(cond string, args ...any) {
	var b strings.Builder
	for _, r := range cond {
		if r != '?' {
			b.WriteRune(r)
			continue
		}
		w.Args = append(w.Args, args[0])
		args = args[1:]
		b.WriteString(w.param())
	}
	w.conds = append(w.conds, b.String())
}

// param is the parameter of the argument added last.
func (w *Where) param() string {
	if w.dialect == Postgres {
		return "$" + strconv.Itoa(len(w.Args))
	}
	return "?"
}

// SQL is the WHERE clause, with a leading space, or "" without conditions.
func (w *Where) SQL() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// Limit adds n as the next argument and returns the LIMIT clause, with a
// leading space; call it after the last Add.
func (w *Where) Limit(n int) string {
	w.Args = append(w.Args, n)
	return " LIMIT " + w.param()
}
