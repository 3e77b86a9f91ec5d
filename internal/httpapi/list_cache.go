package httpapi

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"hash/maphash"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/commentd/commentd/internal/moderation"
	"github.com/commentd/commentd/models"
)

// The list cache keeps the encoded first page of each post's approved comments
// with its ETag, so that a read is a map lookup instead of a query, an encode
// and a hash. What may change a page invalidates it:
//
//   - a comment posted here as approved, before its 201 is sent;
//   - a decision or deletion made through this instance's handlers, before
//     the moderator's answer is sent;
//   - the events of every instance (comment.created as approved,
//     comment.decided to or from approved, comment.deleted), which the
//     live.Broker relays over Redis pub/sub, a millisecond or so after the change.
//
// An entry also expires listTTL after it was loaded: that bounds how stale a
// page can be when an event is lost (Redis down between instances, a console
// burst overflowing the feed). A load that overlaps an invalidation of its post
// is served but not kept, so a page read before a change is never cached after it.
const (
	listTTL        = time.Second
	listCacheBytes = 16 << 20 // bodies kept at most, over all posts
	genStripes     = 256
)

// listPage is one cached answer.
type listPage struct {
	body    []byte
	gz      []byte // body gzipped, for the clients that accept it; nil when not worth it
	etag    string
	gzETag  string // gz's own: etag with "-gz"
	expires time.Time
}

// size is the memory p holds against listCacheBytes.
func (p *listPage) size() int { return len(p.body) + len(p.gz) }

// listKey names a cached page: the first page of post at limit.
type listKey struct {
	post  string
	limit int
}

// listCache is safe for concurrent use.
type listCache struct {
	mu      sync.RWMutex
	pages   map[listKey]*listPage
	posts   map[string][]listKey // the keys of each post, to invalidate it
	flights map[listKey]*flight  // loads under way
	bytes   int
	seed    maphash.Seed
	gen     [genStripes]uint64 // bumped by each invalidation of a post hashing there
	all     uint64             // bumped by each invalidation of every post
	now     func() time.Time
}

func newListCache() *listCache {
	return &listCache{pages: map[listKey]*listPage{}, posts: map[string][]listKey{}, flights: map[listKey]*flight{},
		seed: maphash.MakeSeed(), now: time.Now}
}

// stamp is the invalidation state of a post when its load began.
type stamp struct{ post, all uint64 }

// stamp reads post's state; mu is held.
func (lc *listCache) stamp(post string) stamp {
	return stamp{post: lc.gen[lc.stripe(post)], all: lc.all}
}

func (lc *listCache) stripe(post string) uint64 {
	return maphash.String(lc.seed, post) % genStripes
}

// flight is a load of a page that other readers of the same page may wait for.
type flight struct {
	done chan struct{}
	st   stamp
	page *listPage
	err  error
}

// fetch returns k's page from the cache, or from load (once for all the
// readers asking meanwhile) and keeps it. A reader never waits for a load that
// began before the latest invalidation of its post.
func (lc *listCache) fetch(ctx context.Context, k listKey, load func(context.Context) (*listPage, error)) (*listPage, error) {
	lc.mu.RLock()
	p, ok := lc.pages[k]
	lc.mu.RUnlock()
	if ok && !lc.now().After(p.expires) {
		return p, nil
	}
	lc.mu.Lock()
	st := lc.stamp(k.post)
	f, ok := lc.flights[k]
	if ok && f.st == st {
		lc.mu.Unlock()
		select {
		case <-f.done:
			return f.page, f.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f = &flight{done: make(chan struct{}), st: st}
	lc.flights[k] = f
	lc.mu.Unlock()

	// The load serves every waiter: one reader leaving must not fail the others.
	f.page, f.err = load(context.WithoutCancel(ctx))
	lc.mu.Lock()
	if lc.flights[k] == f {
		delete(lc.flights, k)
	}
	if f.err == nil {
		lc.put(k, f.page, st)
	}
	lc.mu.Unlock()
	close(f.done)
	return f.page, f.err
}

// put keeps p unless k's post was invalidated since st; mu is held.
func (lc *listCache) put(k listKey, p *listPage, st stamp) {
	if p.size() > listCacheBytes/16 || lc.stamp(k.post) != st {
		return
	}
	p.expires = lc.now().Add(listTTL)
	if old, ok := lc.pages[k]; ok {
		lc.bytes -= old.size()
	} else {
		lc.posts[k.post] = append(lc.posts[k.post], k)
	}
	lc.pages[k] = p
	lc.bytes += p.size()
	for key := range lc.pages { // over budget: drop arbitrary others
		if lc.bytes <= listCacheBytes {
			break
		}
		switch {
		case key.post != k.post:
			lc.dropPost(key.post)
		case key != k: // the same post at another ?limit=
			lc.dropPage(key)
		}
	}
}

// invalidate forgets post's pages.
func (lc *listCache) invalidate(post string) {
	lc.mu.Lock()
	lc.gen[lc.stripe(post)]++
	lc.dropPost(post)
	lc.mu.Unlock()
}

// invalidateAll forgets every page.
func (lc *listCache) invalidateAll() {
	lc.mu.Lock()
	lc.all++
	clear(lc.pages)
	clear(lc.posts)
	lc.bytes = 0
	lc.mu.Unlock()
}

// dropPost removes post's pages; mu is held.
func (lc *listCache) dropPost(post string) {
	for _, k := range lc.posts[post] {
		lc.forget(k)
	}
	delete(lc.posts, post)
}

// dropPage removes one page; mu is held.
func (lc *listCache) dropPage(k listKey) {
	lc.forget(k)
	lc.posts[k.post] = slices.DeleteFunc(lc.posts[k.post], func(x listKey) bool { return x == k })
}

// forget removes k's page and gives back its bytes, leaving lc.posts; mu is held.
func (lc *listCache) forget(k listKey) {
	if p, ok := lc.pages[k]; ok {
		lc.bytes -= p.size()
		delete(lc.pages, k)
	}
}

// apply invalidates what e may have changed.
func (lc *listCache) apply(e models.Event) {
	switch e.Type {
	case "comment.created":
		if e.Status != models.StatusApproved {
			return
		}
	case "comment.decided":
		if e.Status != models.StatusApproved && e.From != models.StatusApproved {
			return
		}
	case "comment.deleted":
	default:
		return
	}
	if e.Post == "" { // an instance that does not name the post
		lc.invalidateAll()
		return
	}
	lc.invalidate(e.Post)
}

// follow applies events until ctx ends.
func (lc *listCache) follow(ctx context.Context, events Events) {
	ch := events.Subscribe(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-ch:
			lc.apply(e)
		}
	}
}

// newListPage makes a page of body, with its ETag.
func newListPage(body []byte) *listPage {
	sum := sha256.Sum256(body)
	return &listPage{body: body, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
}

// gzipMin is the smallest body worth compressing: below it, the gzip header
// and a round trip's worth of bytes leave little to save.
const gzipMin = 1024

// compress adds the gzipped body to a page that is about to be cached: it is
// compressed once per load (at most once a second per post, see listTTL) and
// then served to every reader that accepts gzip. The representations share the
// ETag, as embed.js's do; responses say Vary: Accept-Encoding.
func (p *listPage) compress() *listPage {
	if len(p.body) < gzipMin {
		return p
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed) // a valid level: no error
	if _, err := zw.Write(p.body); err != nil || zw.Close() != nil {
		return p // cannot fail on a bytes.Buffer; serve the body as is
	}
	if buf.Len() < len(p.body) {
		p.gz = bytes.Clone(buf.Bytes()) // not the buffer's spare capacity: size() counts len
		p.gzETag = strings.TrimSuffix(p.etag, `"`) + `-gz"`
	}
	return p
}

// invalidating is the moderation service as the handlers see it: each decision
// made here invalidates the pages it changed before the handler answers.
type invalidating struct {
	ModerationService
	lists *listCache
}

func (m invalidating) Decide(ctx context.Context, actor models.Principal, id int64, act moderation.Action, expect models.Status) (models.Comment, error) {
	c, err := m.ModerationService.Decide(ctx, actor, id, act, expect)
	switch {
	case err != nil:
	case c.Post != "":
		m.lists.invalidate(c.Post)
	default:
		m.lists.invalidateAll() // a deletion does not return the post
	}
	return c, err
}

func (m invalidating) Bulk(ctx context.Context, actor models.Principal, act moderation.Action, ids []int64, expect models.Status) (moderation.BulkResult, error) {
	res, err := m.ModerationService.Bulk(ctx, actor, act, ids, expect)
	m.lists.invalidateAll()
	return res, err
}

func (m invalidating) BulkMatching(ctx context.Context, actor models.Principal, act moderation.Action, f models.QueueFilter) (moderation.BulkResult, error) {
	res, err := m.ModerationService.BulkMatching(ctx, actor, act, f)
	m.lists.invalidateAll()
	return res, err
}
