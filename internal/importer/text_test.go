package importer

import "testing"

func TestPlainText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "  Just text.\n\nTwo paragraphs.  ", "Just text.\n\nTwo paragraphs."},
		{"entities", "Fish &amp; chips &#8211; 5&nbsp;&euro; &lt;b&gt;", "Fish & chips – 5\u00a0€ <b>"},
		{"a bare less-than", "if x < 3 and y <= 4 <3", "if x < 3 and y <= 4 <3"},
		{"inline tags", "<strong>bold</strong> and <em>ital</em>ic", "bold and italic"},
		{"paragraphs", "<p>One</p><p>Two<br>lines<br/>here</p>", "One\n\nTwo\nlines\nhere"},
		{"paragraphs and newlines", "<p>One</p>\n<p>Two</p>\n", "One\n\nTwo"},
		{"link with text", `see <a href="https://x.example/a" rel="nofollow">the notes</a>.`, "see the notes (https://x.example/a)."},
		{"link as its address", `<a href="https://x.example/a">https://x.example/a</a>`, "https://x.example/a"},
		{"link without text", `<a href="https://x.example/a"></a>`, "https://x.example/a"},
		{"anchor", `<a href="#c3">@Jo</a> yes`, "@Jo yes"},
		{"list", "<ul><li>flour</li><li>water</li></ul>after", "flour\nwater\n\nafter"},
		{"quote", "<blockquote>quoted</blockquote>reply", "quoted\n\nreply"},
		{"script", "hi<script>alert(1)</script><style>p{}</style> there", "hi there"},
		{"image", `<img src="x.png" alt="a loaf"> nice`, "a loaf nice"},
		{"control characters", "a\x00b\x1bc\r\nd\re", "abc\nd\ne"},
		{"many blank lines", "a\n\n\n\n<p>b</p>", "a\n\nb"},
		{"unclosed tag", "a <b>bold", "a bold"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := plainText(tt.in); got != tt.want {
				t.Errorf("plainText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
