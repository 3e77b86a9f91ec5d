package httpapi

import (
	"context"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/commentd/commentd/models"
)

// loader counts loads and returns a page naming the load.
type loader struct {
	mu sync.Mutex
	n  int
}

func (l *loader) load(context.Context) (*listPage, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	return newListPage([]byte(strconv.Itoa(l.n))), nil
}

func (l *loader) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

func TestListCache(t *testing.T) {
	k := listKey{post: "p", limit: 200}
	other := listKey{post: "q", limit: 200}
	tests := []struct {
		name      string
		change    func(lc *listCache, clk *time.Time)
		wantLoads int // after the first fetch, the change and a second fetch of k
	}{
		{"kept", func(*listCache, *time.Time) {}, 1},
		{"expired", func(_ *listCache, clk *time.Time) { *clk = clk.Add(listTTL + time.Millisecond) }, 2},
		{"post invalidated", func(lc *listCache, _ *time.Time) { lc.invalidate("p") }, 2},
		{"other post invalidated", func(lc *listCache, _ *time.Time) { lc.invalidate("q") }, 1},
		{"all invalidated", func(lc *listCache, _ *time.Time) { lc.invalidateAll() }, 2},
		{"approved comment event", func(lc *listCache, _ *time.Time) {
			lc.apply(models.Event{Type: "comment.created", Post: "p", Status: models.StatusApproved})
		}, 2},
		{"pending comment event", func(lc *listCache, _ *time.Time) {
			lc.apply(models.Event{Type: "comment.created", Post: "p", Status: models.StatusPending})
		}, 1},
		{"unapproved event", func(lc *listCache, _ *time.Time) {
			lc.apply(models.Event{Type: "comment.decided", Post: "p", From: models.StatusApproved, Status: models.StatusSpam})
		}, 2},
		{"spam to trash event", func(lc *listCache, _ *time.Time) {
			lc.apply(models.Event{Type: "comment.decided", Post: "p", From: models.StatusSpam, Status: models.StatusTrash})
		}, 1},
		{"deleted without post", func(lc *listCache, _ *time.Time) { lc.apply(models.Event{Type: "comment.deleted", CommentID: 1}) }, 2},
		{"policy event", func(lc *listCache, _ *time.Time) { lc.apply(models.Event{Type: "policy.changed"}) }, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := time.Unix(1_800_000_000, 0)
			lc := newListCache()
			lc.now = func() time.Time { return clk }
			var l, lo loader
			ctx := t.Context()
			first, _ := lc.fetch(ctx, k, l.load)
			lc.fetch(ctx, other, lo.load)
			tt.change(lc, &clk)
			second, err := lc.fetch(ctx, k, l.load)
			if err != nil {
				t.Fatal(err)
			}
			if got := l.count(); got != tt.wantLoads {
				t.Errorf("%d loads, want %d", got, tt.wantLoads)
			}
			if (tt.wantLoads == 1) != (first.etag == second.etag) {
				t.Errorf("etags %s then %s after %d loads", first.etag, second.etag, l.count())
			}
		})
	}
}

// TestListCacheLoadOverlapsInvalidation: a page read before a change that
// lands while it is being read is served to its reader but not kept.
func TestListCacheLoadOverlapsInvalidation(t *testing.T) {
	lc := newListCache()
	k := listKey{post: "p", limit: 50}
	var l loader
	_, err := lc.fetch(t.Context(), k, func(ctx context.Context) (*listPage, error) {
		p, err := l.load(ctx)
		lc.invalidate("p") // the change commits while the old page is encoded
		return p, err
	})
	if err != nil {
		t.Fatal(err)
	}
	lc.fetch(t.Context(), k, l.load)
	if got := l.count(); got != 2 {
		t.Errorf("%d loads, want 2: the overlapped page was kept", got)
	}
}

// TestListCacheOneLoad: concurrent readers of a missing page share one load.
func TestListCacheOneLoad(t *testing.T) {
	lc := newListCache()
	k := listKey{post: "p", limit: 50}
	var l loader
	release := make(chan struct{})
	slow := func(ctx context.Context) (*listPage, error) {
		<-release
		return l.load(ctx)
	}
	fetch := func() {
		if _, err := lc.fetch(t.Context(), k, slow); err != nil {
			t.Error(err)
		}
	}
	var wg sync.WaitGroup
	wg.Go(fetch)
	for deadline := time.Now().Add(10 * time.Second); ; { // wait for the first load to be under way
		lc.mu.RLock()
		_, loading := lc.flights[k]
		lc.mu.RUnlock()
		if loading {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first load never started")
		}
		runtime.Gosched()
	}
	for range 19 {
		wg.Go(fetch) // each joins the load, or finds its page once kept
	}
	close(release)
	wg.Wait()
	if got := l.count(); got != 1 {
		t.Errorf("%d loads for 20 concurrent readers, want 1", got)
	}
}

// TestListCacheBudget: the pages kept stay within listCacheBytes, whether
// they are first pages of many posts or of one post at many limits (?limit=
// is the client's: each value is a page of its own).
func TestListCacheBudget(t *testing.T) {
	tests := []struct {
		name string
		key  func(i int) listKey
	}{
		{"many posts", func(i int) listKey { return listKey{post: strconv.Itoa(i), limit: 50} }},
		{"one post at many limits", func(i int) listKey { return listKey{post: "p", limit: 201 + i} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lc := newListCache()
			body := make([]byte, listCacheBytes/32)
			for i := range 100 {
				lc.fetch(t.Context(), tt.key(i), func(context.Context) (*listPage, error) { return newListPage(body), nil })
			}
			if lc.bytes > listCacheBytes || len(lc.pages) > 32 {
				t.Errorf("%d bytes in %d pages, budget %d", lc.bytes, len(lc.pages), listCacheBytes)
			}
			kept := 0
			for _, keys := range lc.posts {
				kept += len(keys)
			}
			if kept != len(lc.pages) {
				t.Errorf("%d keys listed by post for %d pages", kept, len(lc.pages))
			}
		})
	}
}

func TestETagMatches(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{`"a"`, true}, {`W/"a"`, true}, {`"b", "a"`, true}, {`"b",W/"a"`, true}, {`*`, true},
		{``, false}, {`"b"`, false}, {`"a`, false}, {`,`, false},
	}
	for _, tt := range tests {
		if got := etagMatches(tt.header, `"a"`); got != tt.want {
			t.Errorf("etagMatches(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}
