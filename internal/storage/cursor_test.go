package storage_test

import (
	"math"
	"testing"

	"github.com/commentd/commentd/internal/storage"
)

func TestCursor(t *testing.T) {
	for _, p := range []storage.Position{{0, 1}, {-1, 1}, {1 << 62, 1 << 62}, {-1 << 63, 1<<63 - 1}} {
		got, ok := storage.DecodeCursor(storage.EncodeCursor(p))
		if !ok || got != p {
			t.Errorf("round trip of %+v = %+v, %v", p, got, ok)
		}
	}
	if _, ok := storage.DecodeCursor(storage.EncodeCursor(storage.Position{CreatedAt: 5, ID: 0})); ok {
		t.Error("a cursor with id 0 decoded")
	}
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(storage.EncodeCursor(storage.Position{CreatedAt: 1, ID: 2}))
	f.Add("!")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := storage.DecodeCursor(s)
		if ok && storage.EncodeCursor(p) != s {
			t.Errorf("%q decoded to %+v, which encodes to %q", s, p, storage.EncodeCursor(p))
		}
	})
}

func TestKeysetCursor(t *testing.T) {
	kinds := []byte{storage.CursorNewest, storage.CursorOldest, storage.CursorScore, storage.CursorAudit}
	for _, k := range []storage.Keyset{{0, 1}, {math.Float64bits(0.5), 7}, {math.Float64bits(-1), 1 << 62}, {1 << 63, 1<<63 - 1}} {
		for _, kind := range kinds {
			c := storage.EncodeKeyset(kind, k)
			if got, ok := storage.DecodeKeyset(kind, c); !ok || got != k {
				t.Errorf("round trip of %c %+v = %+v, %v", kind, k, got, ok)
			}
			for _, other := range kinds {
				if _, ok := storage.DecodeKeyset(other, c); ok != (other == kind) {
					t.Errorf("a %c cursor decoded as %c: %v", kind, other, ok)
				}
			}
			if _, ok := storage.DecodeCursor(c); ok {
				t.Errorf("a %c cursor decoded as a ListByStatus cursor", kind)
			}
		}
	}
	if _, ok := storage.DecodeKeyset(storage.CursorNewest, storage.EncodeKeyset(storage.CursorNewest, storage.Keyset{Key: 5})); ok {
		t.Error("a cursor with id 0 decoded")
	}
	if _, ok := storage.DecodeKeyset(storage.CursorScore, storage.EncodeKeyset(storage.CursorScore, storage.Keyset{Key: math.Float64bits(math.NaN()), ID: 1})); ok {
		t.Error("a score cursor with NaN decoded")
	}
	if _, ok := storage.DecodeKeyset(storage.CursorNewest, storage.EncodeCursor(storage.Position{CreatedAt: 1, ID: 2})); ok {
		t.Error("a ListByStatus cursor decoded as a queue cursor")
	}
}

func FuzzDecodeKeyset(f *testing.F) {
	f.Add(storage.EncodeKeyset(storage.CursorScore, storage.Keyset{Key: math.Float64bits(0.25), ID: 2}))
	f.Add("!")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		k, ok := storage.DecodeKeyset(storage.CursorScore, s)
		if !ok {
			return
		}
		if k.ID <= 0 || math.IsNaN(math.Float64frombits(k.Key)) || storage.EncodeKeyset(storage.CursorScore, k) != s {
			t.Errorf("storage.DecodeKeyset(%q) = %+v", s, k)
		}
	})
}
