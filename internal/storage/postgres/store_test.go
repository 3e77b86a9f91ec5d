package postgres_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/commentd/commentd/internal/storage/postgres"
	"github.com/commentd/commentd/internal/storage/postgres/pgtest"
	"github.com/commentd/commentd/internal/storage/storagetest"
)

var _ storagetest.Store = (*postgres.Store)(nil)

// testDB is this test binary's own database.
var testDB *pgtest.Database

func TestMain(m *testing.M) {
	db, err := pgtest.Create(context.Background(), "storage")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testDB = db
	code := m.Run()
	if err := db.Drop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(code)
}

// openFresh opens a store on a schema of its own; the caller closes it.
func openFresh(t testing.TB) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), testDB.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storagetest.Store { return openFresh(t) })
}
