package render

import (
	"strings"
	"testing"
)

func TestCommentHTML(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "Hello", `<p dir="auto">Hello</p>`},
		{"escaped", `<script>alert("x")</script> & co`, `<p dir="auto">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co</p>`},
		{"paragraphs", "one\n\ntwo\nlines", `<p dir="auto">one</p><p dir="auto">two<br>lines</p>`},
		{"crlf", "a\r\n\r\nb", `<p dir="auto">a</p><p dir="auto">b</p>`},
		{"link", "see https://example.org/a?b=1&c=2.", `<p dir="auto">see <a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener">https://example.org/a?b=1&amp;c=2</a>.</p>`},
		{"no javascript scheme", "javascript:alert(1)", `<p dir="auto">javascript:alert(1)</p>`},
		{"quote breaks out of url", `http://x.org/"onmouseover="a`, `<p dir="auto"><a href="http://x.org/" rel="nofollow ugc noopener">http://x.org/</a>&#34;onmouseover=&#34;a</p>`},
		{"bidi override dropped", "abc\u202edef", `<p dir="auto">abcdef</p>`},
		{"blank only", "\n\n \n\n", ``},
		{"bare scheme", "http:// nothing", `<p dir="auto">http:// nothing</p>`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := CommentHTML(tc.in); got != tc.want {
				t.Fatalf("\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func FuzzCommentHTML(f *testing.F) {
	f.Add("hi <b>there</b> https://a.b/c")
	f.Fuzz(func(t *testing.T, s string) {
		out := CommentHTML(s)
		for _, bad := range []string{"<script", "<b>", "<img"} {
			if strings.Contains(out, bad) {
				t.Fatalf("raw HTML survived: %q -> %q", s, out)
			}
		}
	})
}
