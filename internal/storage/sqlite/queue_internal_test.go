package sqlite

import (
	"bytes"
	"database/sql"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/commentd/commentd/internal/storage"
	"github.com/commentd/commentd/models"
)

// TestQueuePlans checks that the console's reads use the index meant for
// them, on an empty database and on one with planner statistics, and that
// the sorts an index can serve need no sort step.
func TestQueuePlans(t *testing.T) {
	cursor := func(kind byte) string {
		return storage.EncodeKeyset(kind, storage.Keyset{Key: math.Float64bits(0.5), ID: 9})
	}
	queue := func(f models.QueueFilter) func(t *testing.T) (string, []any) {
		return func(t *testing.T) (string, []any) {
			f.Status = models.StatusPending
			q, args, _, err := queuePageSQL(f, 51)
			if err != nil {
				t.Fatal(err)
			}
			return q, args
		}
	}
	audit := func(f models.AuditFilter) func(t *testing.T) (string, []any) {
		return func(t *testing.T) (string, []any) {
			q, args, err := auditPageSQL(f, 51)
			if err != nil {
				t.Fatal(err)
			}
			return q, args
		}
	}
	fixed := func(q string, args ...any) func(t *testing.T) (string, []any) {
		return func(*testing.T) (string, []any) { return q, args }
	}
	tests := []struct {
		name   string
		query  func(t *testing.T) (string, []any)
		index  string
		sorted bool // the plan may sort: the index narrows, it does not order
	}{
		{"newest", queue(models.QueueFilter{}), "comments_by_status", false},
		{"newest page 2", queue(models.QueueFilter{Cursor: cursor(storage.CursorNewest)}), "comments_by_status", false},
		{"oldest", queue(models.QueueFilter{Sort: models.SortOldest}), "comments_by_status", false},
		{"score", queue(models.QueueFilter{Sort: models.SortScore}), "comments_by_score", false},
		{"score page 2", queue(models.QueueFilter{Sort: models.SortScore, Cursor: cursor(storage.CursorScore)}), "comments_by_score", false},
		{"post", queue(models.QueueFilter{Post: "p"}), "comments_by_post", false},
		{"post by score", queue(models.QueueFilter{Post: "p", Sort: models.SortScore}), "comments_by_post", true},
		{"post by score page 2", queue(models.QueueFilter{Post: "p", Sort: models.SortScore, Cursor: cursor(storage.CursorScore)}), "comments_by_post", true},
		{"email", queue(models.QueueFilter{Email: "e"}), "comments_by_email", false},
		{"email by score", queue(models.QueueFilter{Email: "e", Sort: models.SortScore}), "comments_by_email", true},
		{"address", queue(models.QueueFilter{IP: "192.0.2.1"}), "comments_by_ip", false},
		{"address by score", queue(models.QueueFilter{IP: "192.0.2.1", Sort: models.SortScore}), "comments_by_ip", true},
		{"AuthorHistory", fixed(authorHistorySQL(2), "a", "b"), "comments_by_email", false},
		{"audit", audit(models.AuditFilter{}), "audit_by_at", false},
		{"audit page 2", audit(models.AuditFilter{Cursor: storage.EncodeKeyset(storage.CursorAudit, storage.Keyset{Key: 5, ID: 9})}), "audit_by_at", false},
		{"audit by actor", audit(models.AuditFilter{Actor: "ada"}), "audit_by_actor", false},
		{"audit by action", audit(models.AuditFilter{Action: "approve"}), "audit_by_action", false},
		{"audit by comment", audit(models.AuditFilter{CommentID: 7}), "audit_by_comment", false},
		{"token by hash", fixed(tokenByHashSQL, []byte{1}), "sqlite_autoindex_api_tokens", false},
		{"session by id", fixed(sessionByIDSQL, []byte{1}), "PRIMARY KEY", false},
	}
	empty, _ := openTest(t, defaultOptions)
	analyzed, _ := openTest(t, defaultOptions)
	seedQueue(t, analyzed, 3000, models.StatusPending, time.Now())
	seedQueue(t, analyzed, 300, models.StatusSpam, time.Now())
	if _, err := analyzed.write.ExecContext(t.Context(), "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	for _, db := range []struct {
		name string
		s    *Store
	}{{"empty", empty}, {"analyzed", analyzed}} {
		for _, tt := range tests {
			t.Run(db.name+"/"+tt.name, func(t *testing.T) {
				query, args := tt.query(t)
				plan := queryPlan(t, db.s, query, args...)
				all := strings.Join(plan, "\n")
				bad := !strings.Contains(all, tt.index) || (!tt.sorted && strings.Contains(all, "TEMP B-TREE"))
				for _, line := range plan { // a scan only in the order of the index, stopped by LIMIT
					bad = bad || (strings.HasPrefix(line, "SCAN") && !strings.Contains(line, "USING INDEX "+tt.index))
				}
				if bad {
					t.Errorf("plan does not use %s as meant:\n%s", tt.index, all)
				}
			})
		}
	}
}

// TestMigrationFillsIPKeys opens a database migrated to version 1 only, with
// comments, and checks that migration 2 gives them their ip_key.
func TestMigrationFillsIPKeys(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "v1.db")
	ms, err := storage.Migrations(migrationFS)
	if err != nil || ms[0].Version != 1 {
		t.Fatalf("migrations: %v", err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	ips := []string{"203.0.113.7", "203.0.113.9", "2001:db8::1", "", "not-an-ip", "::ffff:203.0.113.8"}
	stmts := []string{
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`,
		ms[0].SQL,
		`INSERT INTO schema_migrations VALUES (1, '` + ms[0].Name + `', 0)`,
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for i, ip := range ips {
		_, err := db.ExecContext(ctx, `INSERT INTO comments (post, author, email, email_norm, text, ip, status, created_at, updated_at)
			VALUES ('p', 'a', 'a@example.org', 'a@example.org', 't', ?, 'pending', ?, ?)`, ip, i, i)
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkKeys := func() {
		t.Helper()
		for i, ip := range ips {
			var key []byte
			if err := s.read.QueryRowContext(ctx, `SELECT ip_key FROM comments WHERE id = ?`, i+1).Scan(&key); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(key, storage.IPKey(ip)) {
				t.Errorf("ip_key of %q = %v, want %v", ip, key, storage.IPKey(ip))
			}
		}
	}
	checkKeys()
	ids, err := s.QueueIDs(ctx, models.QueueFilter{Status: models.StatusPending, IP: "203.0.113.0/24", Sort: models.SortOldest}, 10)
	if err != nil || len(ids) != 3 || ids[0] != 1 || ids[1] != 2 || ids[2] != 6 {
		t.Errorf("QueueIDs by range = %v, %v; want [1 2 6]", ids, err)
	}

	// In batches smaller than the table, every row is filled all the same.
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE comments SET ip_key = NULL`); err != nil {
			return err
		}
		return fillIPKeysBy(ctx, tx, 2)
	})
	if err != nil {
		t.Fatal(err)
	}
	checkKeys()
}
