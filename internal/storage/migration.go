package storage

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Migration is one numbered file of an engine's migrations/, such as
// 0002_add_votes.sql.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the migrations/*.sql files of fsys in version order.
// Errors: a file whose name does not start with a positive number, two files
// sharing a version, or a failure to read fsys.
func Migrations(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, name := range names {
		base := path.Base(name)
		num, _, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: the name must start with a positive number", base)
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: base, SQL: string(body)})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	for i := 1; i < len(ms); i++ {
		if ms[i].Version == ms[i-1].Version {
			return nil, fmt.Errorf("migrations %s and %s share version %d", ms[i-1].Name, ms[i].Name, ms[i].Version)
		}
	}
	return ms, nil
}

// CheckSchema refuses a database at schema version newest, the highest it
// recorded, when that is beyond the last of ms: a newer commentd migrated it.
func CheckSchema(newest int, ms []Migration) error {
	if len(ms) > 0 && newest > ms[len(ms)-1].Version {
		return fmt.Errorf("database is at schema version %d, newer than this binary's %d", newest, ms[len(ms)-1].Version)
	}
	return nil
}
