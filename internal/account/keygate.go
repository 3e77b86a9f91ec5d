package account

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/commentd/commentd/models"
)

// throttled runs check, which tests a credential sent from the client address
// ip, under a budget of failures: while ip (models.ClientKey: an IPv6 address
// by its /64) is over it, check is not run and the *models.RateLimitError is
// returned, so that a guesser learns nothing until it refills; a failed check
// (models.ErrUnauthorized) spends one unit, a right one never does. Checks run
// one per address at a time in this process (the gate), so that concurrent
// guesses each see the failures spent before them (several instances: one
// each). what names the credential in errors. A nil limit runs check alone.
func throttled[T any](ctx context.Context, limit FailureLimiter, gate *keyGate, ip, what string, check func() (T, error)) (T, error) {
	if limit == nil {
		return check()
	}
	var zero T
	addr := models.ClientKey(ip)
	defer gate.lock(addr)()
	if err := limit.Check(ctx, "ip:"+addr); err != nil {
		return zero, fmt.Errorf("account: %s: %w", what, err)
	}
	v, err := check()
	if errors.Is(err, models.ErrUnauthorized) {
		if lerr := limit.Allow(ctx, "ip:"+addr); lerr != nil {
			return zero, fmt.Errorf("account: %s: %w", what, lerr) // over the budget since the check
		}
	}
	return v, err
}

// keyGate lets one credential check per client address run at a time in this
// process. The budget of failures is looked at before a credential is checked
// and spent after it failed; without the gate, a volley of guesses sent at
// once would all pass the look before the first failure was spent.
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
