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
	cursor := func(kind byte) string { return encodeKeyset(kind, keyset{key: math.Float64bits(0.5), id: 9}) }
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
		{"newest page 2", queue(models.QueueFilter{Cursor: cursor(cursorNewest)}), "comments_by_status", false},
		{"oldest", queue(models.QueueFilter{Sort: models.SortOldest}), "comments_by_status", false},
		{"score", queue(models.QueueFilter{Sort: models.SortScore}), "comments_by_score", false},
		{"score page 2", queue(models.QueueFilter{Sort: models.SortScore, Cursor: cursor(cursorScore)}), "comments_by_score", false},
		{"post", queue(models.QueueFilter{Post: "p"}), "comments_by_post", false},
		{"post by score", queue(models.QueueFilter{Post: "p", Sort: models.SortScore}), "comments_by_post", true},
		{"post by score page 2", queue(models.QueueFilter{Post: "p", Sort: models.SortScore, Cursor: cursor(cursorScore)}), "comments_by_post", true},
		{"email", queue(models.QueueFilter{Email: "e"}), "comments_by_email", false},
		{"email by score", queue(models.QueueFilter{Email: "e", Sort: models.SortScore}), "comments_by_email", true},
		{"address", queue(models.QueueFilter{IP: "192.0.2.1"}), "comments_by_ip", false},
		{"address by score", queue(models.QueueFilter{IP: "192.0.2.1", Sort: models.SortScore}), "comments_by_ip", true},
		{"AuthorHistory", fixed(authorHistorySQL(2), "a", "b"), "comments_by_email", false},
		{"audit", audit(models.AuditFilter{}), "audit_by_at", false},
		{"audit page 2", audit(models.AuditFilter{Cursor: encodeKeyset(cursorAudit, keyset{key: 5, id: 9})}), "audit_by_at", false},
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

func TestIPRange(t *testing.T) {
	key := func(b ...byte) []byte { return b }
	tests := []struct {
		in     string
		lo, hi []byte // nil: invalid
	}{
		{"203.0.113.7", key(4, 203, 0, 113, 7), key(4, 203, 0, 113, 7)},
		{"::ffff:203.0.113.7", key(4, 203, 0, 113, 7), key(4, 203, 0, 113, 7)},
		{"10.1.16.0/20", key(4, 10, 1, 16, 0), key(4, 10, 1, 31, 255)},
		{"10.1.20.9/20", key(4, 10, 1, 16, 0), key(4, 10, 1, 31, 255)},
		{"10.0.0.1/32", key(4, 10, 0, 0, 1), key(4, 10, 0, 0, 1)},
		{"0.0.0.0/0", key(4, 0, 0, 0, 0), key(4, 255, 255, 255, 255)},
		{"::ffff:10.0.0.0/104", key(4, 10, 0, 0, 0), key(4, 10, 255, 255, 255)},
		{"2001:db8::/32", key(6, 0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
			key(6, 0x20, 1, 0x0d, 0xb8, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255)},
		{"fe80::1%eth0", key(6, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), key(6, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)},
		{"", nil, nil},
		{"example.org", nil, nil},
		{"10.0.0.0/33", nil, nil},
		{"/8", nil, nil},
		{"10.0.0/8", nil, nil},
		{"fe80::1%eth0/64", nil, nil},
	}
	for _, tt := range tests {
		lo, hi, ok := storage.IPRange(tt.in)
		if ok != (tt.lo != nil) || !bytes.Equal(lo, tt.lo) || !bytes.Equal(hi, tt.hi) {
			t.Errorf("storage.IPRange(%q) = %v, %v, %v; want %v, %v", tt.in, lo, hi, ok, tt.lo, tt.hi)
		}
	}
	// Keys of one family compare like the addresses; the families never mix.
	if a, b := storage.IPKey("9.255.255.255"), storage.IPKey("10.0.0.0"); bytes.Compare(a, b) >= 0 {
		t.Errorf("%v sorts after %v", a, b)
	}
	if v4, v6 := storage.IPKey("255.255.255.255"), storage.IPKey("::"); bytes.Compare(v4, v6) >= 0 {
		t.Errorf("IPv4 key %v sorts after IPv6 key %v", v4, v6)
	}
}

func TestKeysetCursor(t *testing.T) {
	kinds := []byte{cursorNewest, cursorOldest, cursorScore, cursorAudit}
	for _, k := range []keyset{{0, 1}, {math.Float64bits(0.5), 7}, {math.Float64bits(-1), 1 << 62}, {1 << 63, 1<<63 - 1}} {
		for _, kind := range kinds {
			c := encodeKeyset(kind, k)
			if got, ok := decodeKeyset(kind, c); !ok || got != k {
				t.Errorf("round trip of %c %+v = %+v, %v", kind, k, got, ok)
			}
			for _, other := range kinds {
				if _, ok := decodeKeyset(other, c); ok != (other == kind) {
					t.Errorf("a %c cursor decoded as %c: %v", kind, other, ok)
				}
			}
			if _, ok := decodeCursor(c); ok {
				t.Errorf("a %c cursor decoded as a ListByStatus cursor", kind)
			}
		}
	}
	if _, ok := decodeKeyset(cursorNewest, encodeKeyset(cursorNewest, keyset{key: 5})); ok {
		t.Error("a cursor with id 0 decoded")
	}
	if _, ok := decodeKeyset(cursorScore, encodeKeyset(cursorScore, keyset{key: math.Float64bits(math.NaN()), id: 1})); ok {
		t.Error("a score cursor with NaN decoded")
	}
	if _, ok := decodeKeyset(cursorNewest, encodeCursor(position{createdAt: 1, id: 2})); ok {
		t.Error("a ListByStatus cursor decoded as a queue cursor")
	}
}

func FuzzDecodeKeyset(f *testing.F) {
	f.Add(encodeKeyset(cursorScore, keyset{key: math.Float64bits(0.25), id: 2}))
	f.Add("!")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		k, ok := decodeKeyset(cursorScore, s)
		if !ok {
			return
		}
		if k.id <= 0 || math.IsNaN(math.Float64frombits(k.key)) || encodeKeyset(cursorScore, k) != s {
			t.Errorf("decodeKeyset(%q) = %+v", s, k)
		}
	})
}

// TestMigrationFillsIPKeys opens a database migrated to version 1 only, with
// comments, and checks that migration 2 gives them their ip_key.
func TestMigrationFillsIPKeys(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "v1.db")
	ms, err := migrations()
	if err != nil || ms[0].version != 1 {
		t.Fatalf("migrations: %v", err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	ips := []string{"203.0.113.7", "203.0.113.9", "2001:db8::1", "", "not-an-ip", "::ffff:203.0.113.8"}
	stmts := []string{
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`,
		ms[0].sql,
		`INSERT INTO schema_migrations VALUES (1, '` + ms[0].name + `', 0)`,
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
