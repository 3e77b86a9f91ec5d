package storage_test

import (
	"slices"
	"testing"

	"github.com/commentd/commentd/internal/storage"
)

func TestWhere(t *testing.T) {
	type cond struct {
		sql  string
		args []any
	}
	tests := []struct {
		name     string
		dialect  storage.Dialect
		conds    []cond
		wantSQL  string // with the LIMIT clause
		wantArgs []any
	}{
		{"no conditions, SQLite", storage.SQLite, nil, " LIMIT ?", []any{10}},
		{"no conditions, Postgres", storage.Postgres, nil, " LIMIT $1", []any{10}},
		{"SQLite keeps ?", storage.SQLite,
			[]cond{{"status = ?", []any{"pending"}}, {"(at, id) < (?, ?)", []any{int64(5), int64(9)}}},
			" WHERE status = ? AND (at, id) < (?, ?) LIMIT ?", []any{"pending", int64(5), int64(9), 10}},
		{"Postgres numbers on across conditions and LIMIT", storage.Postgres,
			[]cond{{"status = ?", []any{"pending"}}, {"(at, id) < (?, ?)", []any{int64(5), int64(9)}}},
			" WHERE status = $1 AND (at, id) < ($2, $3) LIMIT $4", []any{"pending", int64(5), int64(9), 10}},
		{"a backslash in a literal stays", storage.Postgres,
			[]cond{{`author ILIKE ? ESCAPE '\'`, []any{"%a%"}}},
			` WHERE author ILIKE $1 ESCAPE '\' LIMIT $2`, []any{"%a%", 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := storage.NewWhere(tt.dialect)
			for _, c := range tt.conds {
				w.Add(c.sql, c.args...)
			}
			got := w.SQL()
			got += w.Limit(10)
			if got != tt.wantSQL || !slices.Equal(w.Args, tt.wantArgs) {
				t.Errorf("got %q %v, want %q %v", got, w.Args, tt.wantSQL, tt.wantArgs)
			}
		})
	}
}
