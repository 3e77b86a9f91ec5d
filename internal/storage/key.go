package storage

import (
	"net/netip"
	"slices"
	"strings"
)

// NormEmail is the form emails are compared in (comments.email_norm).
func NormEmail(email string) string { return strings.ToLower(email) }

// NormName is the form moderator names and listed words are compared in.
func NormName(name string) string { return strings.ToLower(name) }

// IPKey is the comments.ip_key of s: the family byte (4 or 6) and the address
// bytes, so that keys of one family compare like the addresses do. It is nil
// when s is not an address. IPv4-mapped IPv6 addresses count as IPv4; zones
// are dropped.
func IPKey(s string) []byte {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return nil
	}
	return addrKey(a)
}

func addrKey(a netip.Addr) []byte {
	a = a.Unmap().WithZone("")
	if a.Is4() {
		b := a.As4()
		return append([]byte{4}, b[:]...)
	}
	b := a.As16()
	return append([]byte{6}, b[:]...)
}

// IPRange returns the lowest and highest ip_key an IP filter matches: one
// address (lo == hi), or every address of a CIDR range, host bits ignored.
// ok is false when s is neither.
func IPRange(s string) (lo, hi []byte, ok bool) {
	if !strings.Contains(s, "/") {
		key := IPKey(s)
		return key, key, key != nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return nil, nil, false
	}
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	p = p.Masked()
	lo = addrKey(p.Addr())
	hi = slices.Clone(lo)
	for bit := p.Bits(); bit < p.Addr().BitLen(); bit++ {
		hi[1+bit/8] |= 0x80 >> (bit % 8)
	}
	return lo, hi, true
}

// ContainsPattern is a LIKE pattern, with ESCAPE '\', matching s anywhere.
func ContainsPattern(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s) + "%"
}
