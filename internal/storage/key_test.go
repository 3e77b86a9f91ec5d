package storage_test

import (
	"bytes"
	"testing"

	"github.com/commentd/commentd/internal/storage"
)

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
			t.Errorf("IPRange(%q) = %v, %v, %v; want %v, %v", tt.in, lo, hi, ok, tt.lo, tt.hi)
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
