package models

import "net/netip"

// ClientKey is what a client is counted under by the rate limits: an IPv4
// address itself, an IPv6 address's /64, the network one subscriber gets (a
// client holding a /64 could otherwise take a fresh budget per address).
// Anything that is not an IP address is its own key.
func ClientKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.WithZone("").Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}
