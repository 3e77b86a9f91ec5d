package storage_test

import (
	"slices"
	"testing"
	"testing/fstest"

	"github.com/commentd/commentd/internal/storage"
)

func TestMigrations(t *testing.T) {
	file := func(sql string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(sql)} }
	tests := []struct {
		name    string
		fsys    fstest.MapFS
		want    []string // names, in order
		wantErr bool
	}{
		{"in version order, not name order", fstest.MapFS{
			"migrations/10_ten.sql": file("10"),
			"migrations/0002_b.sql": file("2"),
			"migrations/0001_a.sql": file("1"),
			"migrations/README.txt": file("not a migration"),
			"elsewhere/0003_c.sql":  file("3"),
		}, []string{"0001_a.sql", "0002_b.sql", "10_ten.sql"}, false},
		{"none", fstest.MapFS{}, nil, false},
		{"no number", fstest.MapFS{"migrations/init.sql": file("")}, nil, true},
		{"version 0", fstest.MapFS{"migrations/0000_zero.sql": file("")}, nil, true},
		{"a shared version", fstest.MapFS{"migrations/0001_a.sql": file(""), "migrations/1_b.sql": file("")}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := storage.Migrations(tt.fsys)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			var names []string
			for _, m := range ms {
				names = append(names, m.Name)
			}
			if !slices.Equal(names, tt.want) {
				t.Errorf("got %v, want %v", names, tt.want)
			}
		})
	}
}

func TestCheckSchema(t *testing.T) {
	ms := []storage.Migration{{Version: 1}, {Version: 3}}
	tests := []struct {
		name    string
		newest  int
		ms      []storage.Migration
		wantErr bool
	}{
		{"empty database", 0, ms, false},
		{"behind", 1, ms, false},
		{"current", 3, ms, false},
		{"migrated by a newer binary", 4, ms, true},
		{"no migrations known", 4, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := storage.CheckSchema(tt.newest, tt.ms); (err != nil) != tt.wantErr {
				t.Errorf("CheckSchema(%d) = %v, want error %v", tt.newest, err, tt.wantErr)
			}
		})
	}
}
