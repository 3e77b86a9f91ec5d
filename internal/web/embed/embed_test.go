package embed

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// maxScriptGzip is the budget of embed.js as it goes over the wire.
const maxScriptGzip = 20 * 1024

func TestScript(t *testing.T) {
	w, err := New(Options{HoneypotField: "fax"})
	if err != nil {
		t.Fatal(err)
	}
	s := w.Script()
	t.Run("under 20 kB gzipped", func(t *testing.T) {
		if len(s.Gzip) >= maxScriptGzip {
			t.Fatalf("embed.js is %d bytes gzipped, over the %d budget", len(s.Gzip), maxScriptGzip)
		}
		t.Logf("embed.js: %d bytes, %d gzipped", len(s.Body), len(s.Gzip))
	})
	t.Run("gzip is the body", func(t *testing.T) {
		zr, err := gzip.NewReader(bytes.NewReader(s.Gzip))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(zr)
		if !bytes.Equal(b, s.Body) {
			t.Fatal("gzip differs from the body")
		}
	})
	t.Run("style and honeypot filled in", func(t *testing.T) {
		body := string(s.Body)
		if strings.Contains(body, "__COMMENTD_") {
			t.Fatal("a placeholder is left in the script")
		}
		if !strings.Contains(body, `const HONEYPOT = "fax";`) || !strings.Contains(body, `--commentd-accent`) {
			t.Fatal("the honeypot name or the style sheet is missing")
		}
	})
	t.Run("version follows the honeypot", func(t *testing.T) {
		other, err := New(Options{HoneypotField: "website2"})
		if err != nil {
			t.Fatal(err)
		}
		if other.Script().Version == s.Version || len(s.Version) != 12 {
			t.Fatalf("versions %q and %q", s.Version, other.Script().Version)
		}
	})
	t.Run("no honeypot, no field", func(t *testing.T) {
		none, err := New(Options{})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := none.RenderPage(&b, Page{Post: "p"}); err != nil || strings.Contains(b.String(), `class="hp"`) {
			t.Fatalf("%v: %s", err, b.String())
		}
		if !strings.Contains(string(none.Script().Body), `const HONEYPOT = "";`) {
			t.Fatal("the script names a honeypot")
		}
	})
}

func TestThread(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cs := []Comment{
		{ID: 3, Parent: 1, Author: "orphan"}, // its parent is on an earlier page
		{ID: 4, Author: "top"},
		{ID: 5, Parent: 4, Author: "reply"},
		{ID: 6, Parent: 5, Author: "reply to reply"},
		{ID: 7, Author: "second top"},
		{ID: 8, Parent: 4, Author: "second reply"},
	}
	for i := range cs {
		cs[i].CreatedAt = at
	}
	v := pageView{Page: Page{Post: "2026/bread", Comments: cs, Cursor: "abc"}}
	top := thread(v)
	shape := func(ns []*node) string {
		var walk func([]*node) string
		walk = func(ns []*node) string {
			var parts []string
			for _, n := range ns {
				p := n.Author
				if n.Orphan {
					p += "*"
				}
				if len(n.Replies) > 0 {
					p += "(" + walk(n.Replies) + ")"
				}
				parts = append(parts, p)
			}
			return strings.Join(parts, ", ")
		}
		return walk(ns)
	}
	want := "orphan*, top(reply(reply to reply), second reply), second top"
	if got := shape(top); got != want {
		t.Fatalf("thread %q, want %q", got, want)
	}
	if got := top[1].ReplyLink; got != "/embed?cursor=abc&post=2026%2Fbread&reply=4#respond" {
		t.Fatalf("reply link %q", got)
	}
}

func TestPath(t *testing.T) {
	cases := []struct{ post, want string }{
		{"bread", "/embed/bread"},
		{"a b?c#d", "/embed/a%20b%3Fc%23d"},
		{"2026/bread", "/embed?post=2026%2Fbread"},
		{"..", "/embed?post=.."},
		{`back\slash`, "/embed/back%5Cslash"},
	}
	for _, tc := range cases {
		t.Run(tc.post, func(t *testing.T) {
			if got := Path(tc.post, nil); got != tc.want {
				t.Fatalf("%q, want %q", got, tc.want)
			}
		})
	}
	if got := Path("bread", url.Values{"cursor": {"x"}}); got != "/embed/bread?cursor=x" {
		t.Fatalf("with a query: %q", got)
	}
}

func TestIdenticon(t *testing.T) {
	hash := strings.Repeat("0123456789abcdef", 4)
	svg := string(Identicon(hash))
	if svg != string(Identicon(hash)) || !strings.HasPrefix(svg, "<svg") {
		t.Fatalf("not a stable drawing: %s", svg)
	}
	// Hue 0x012 = 18; cells are the even nibbles from index 3, mirrored.
	if !strings.Contains(svg, `fill="hsl(18,55%,42%)"`) || !regexp.MustCompile(`d="(M\d \dh1v1h-1z)+"`).MatchString(svg) {
		t.Fatalf("drawing %s", svg)
	}
	for _, bad := range []string{"", "xyz", strings.Repeat("G", 64), `"><script>`} {
		if Identicon(bad) != "" {
			t.Fatalf("drew %q", bad)
		}
	}
}

func TestAgo(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		d    time.Duration
		want string
	}{
		{10 * time.Second, "just now"}, {time.Minute, "1 minute ago"}, {3 * time.Hour, "3 hours ago"},
		{25 * time.Hour, "yesterday"}, {15 * 24 * time.Hour, "2 weeks ago"}, {400 * 24 * time.Hour, "1 year ago"},
		{-time.Hour, "just now"},
	}
	for _, tc := range cases {
		if got := ago(now.Add(-tc.d), now); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestRenderPageEscapes(t *testing.T) {
	w, err := New(Options{HoneypotField: "fax"})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	err = w.RenderPage(&b, Page{Post: `p"><script>x</script>`, Count: 1, Comments: []Comment{{
		ID: 1, Author: `<img src=x onerror=alert(1)>`, URL: "javascript:alert(1)", Avatar: "nope", HTML: "<p>safe</p>",
	}}})
	if err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{"<img src=x", "<script>x", `href="javascript:`} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	for _, good := range []string{"&lt;img src=x onerror=alert(1)&gt;", "<p>safe</p>", `name="fax"`, "1 comment"} {
		if !strings.Contains(page, good) {
			t.Errorf("page lacks %q", good)
		}
	}
}
