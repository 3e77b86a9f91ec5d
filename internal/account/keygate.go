package account

import "sync"

// keyGate lets one key check per client address run at a time in this
// process. The wrong-key budget is looked at before a key is checked and
// spent after it failed; without the gate, a volley of guesses sent at once
// would all pass the look before the first failure was spent.
type keyGate struct {
	mu    sync.Mutex
	addrs map[string]*gateEntry
}

// gateEntry is one address's turn: its lock and how many wait for it.
type gateEntry struct {
	mu    sync.Mutex
	users int
}

// lock waits for addr's turn and returns the function that ends it.
func (g *keyGate) lock(addr string) (unlock func()) {
	g.mu.Lock()
	if g.addrs == nil {
		g.addrs = map[string]*gateEntry{}
	}
	e := g.addrs[addr]
	if e == nil {
		e = &gateEntry{}
		g.addrs[addr] = e
	}
	e.users++
	g.mu.Unlock()
	e.mu.Lock()
	return func() {
		e.mu.Unlock()
		g.mu.Lock()
		if e.users--; e.users == 0 {
			delete(g.addrs, addr) // the map holds only addresses in use
		}
		g.mu.Unlock()
	}
}
