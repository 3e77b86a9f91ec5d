package spam

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		name string
		doc  Doc
		want []string // tokens that must be there
		not  []string // tokens that must not
	}{
		{
			name: "lowercase words and bigrams, stop words only in bigrams",
			doc:  Doc{Text: "Hello World, it's a GREAT day"},
			want: []string{"hello", "world", "great", "day", "hello_world", "world_it", "it_great", "links:0", "words:3-5"},
			not:  []string{"Hello", "s", "a", "it", "tok:shout"},
		},
		{
			name: "html entities",
			doc:  Doc{Text: "Fish &amp; chips &#8211; caf&eacute; &#x76;iagra &amp;#118;alium"},
			want: []string{"fish", "chips", "café", "viagra", "valium"},
			not:  []string{"amp", "eacute", "8211"},
		},
		{
			name: "invisible characters",
			doc:  Doc{Text: "vi\u200bag\u200dra \ufeffcheap c\u00adialis \u202eevil"},
			want: []string{"viagra", "cheap", "cialis", "evil", "tok:invisible"},
			not:  []string{"vi", "ag", "ra"},
		},
		{
			name: "nfkc folds full-width and math letters",
			doc:  Doc{Text: "ＦＲＥＥ 𝐜𝐚𝐬𝐢𝐧𝐨 ﬁne"},
			want: []string{"free", "casino", "fine", "tok:fancytext"},
		},
		{
			name: "urls become domains",
			doc:  Doc{Text: "see https://Shop.Example.co.uk/buy-now?id=1 and www.pills.com."},
			want: []string{"url:shop.example.co.uk", "url:example.co.uk", "tld:uk", "url:pills.com", "tld:com", "buy", "now", "links:2"},
			not:  []string{"https", "www", "shop", "example"},
		},
		{
			name: "href kept, tags dropped",
			doc:  Doc{Text: `<p>Click <a href="http://bad.example.net/x">here</a> for <b>vi</b><i>agra</i></p>`},
			want: []string{"click", "here", "url:bad.example.net", "url:example.net", "viagra", "links:1", "tok:html"},
			not:  []string{"href", "p", "vi", "agra"},
		},
		{
			name: "shortener, bare domains count as links",
			doc:  Doc{Text: "go to bit.ly/abc or https://tinyurl.com/x1"},
			want: []string{"url:bit.ly", "url:shortener", "url:tinyurl.com", "links:2", "tok:domain"},
		},
		{
			name: "three links or more",
			doc:  Doc{Text: "http://a.com http://b.com http://c.com http://d.com"},
			want: []string{"links:3+"},
		},
		{
			name: "leet folding",
			doc:  Doc{Text: "V1AGRA c1al1s fr33 v@lium ca$h mp3 2024"},
			want: []string{"v1agra", "viagra", "cialis", "free", "valium", "cash", "tok:leet", "mp3", "2024"},
			not:  []string{"mpe"},
		},
		{
			name: "spaced letters",
			doc:  Doc{Text: "buy v i a g r a and c.a.s.i.n.o now"},
			want: []string{"viagra", "casino", "tok:spaced", "buy", "now"},
			not:  []string{"v", "a"},
		},
		{
			name: "cyrillic look-alikes",
			doc:  Doc{Text: "сheap vіagra", URL: ""},
			want: []string{"cheap", "viagra", "tok:mixedscript"},
		},
		{
			name: "phone, email, money, percent, shouting",
			doc:  Doc{Text: "CALL NOW FOR FREE MONEY +1 (415) 555-0199 or write to Help.Desk@Fast-Loans.biz, 50% off $99!!"},
			want: []string{"tok:phone", "tok:email", "mail:fast-loans.biz", "tok:percent", "tok:money", "tok:shout", "tok:exclaim"},
			not:  []string{"help", "desk"},
		},
		{
			name: "dates are not phones",
			doc:  Doc{Text: "on 2024-01-15 at 10:30 we paid 1,000,000"},
			not:  []string{"tok:phone"},
		},
		{
			name: "metadata fields",
			doc:  Doc{Text: "hi", Author: "Best SEO Services", Email: "Seo.Guy@GMAIL.com", URL: "https://www.rank-fast.xyz/"},
			want: []string{"author:best", "author:seo", "author:services", "author:long", "emaildomain:gmail.com", "site:rank-fast.xyz", "sitetld:xyz"},
		},
		{
			name: "empty metadata",
			doc:  Doc{Text: "hi there"},
			want: []string{"author:none", "emaildomain:none", "site:none"},
		},
		{
			name: "author with a link",
			doc:  Doc{Text: "hi", Author: "cheap-pills.com", Email: "not an email", URL: "javascript:alert(1)"},
			want: []string{"author:link", "emaildomain:invalid", "site:invalid"},
		},
		{
			name: "invalid utf-8",
			doc:  Doc{Text: "bad\xff\xfebytes \xc3 ok", Author: "\xff", Email: "a@\xffb.com", URL: "http://\xfe.com"},
			want: []string{"bad", "bytes", "ok"},
		},
		{
			name: "han and kana one token each",
			doc:  Doc{Text: "日本語のテキスト"},
			want: []string{"日", "本", "語", "の", "テ"},
		},
		{
			name: "huge words and numbers",
			doc:  Doc{Text: strings.Repeat("a", 100) + " 1234567"},
			want: []string{"tok:longword", "tok:longnum"},
		},
		{
			name: "prefix stems join inflections",
			doc:  Doc{Text: "Subscribe! I subscribed, subscribing to subscribers"},
			want: []string{"subscr", "subscr_subscr", "subscr_to", "to_subscr"},
			not:  []string{"subscribe", "subscribed", "subscribers"},
		},
		{
			name: "elongated letters squeezed, digits kept",
			doc:  Doc{Text: "PLEASSSSE SUBSCRIBEEEEE soooo goood, 1000 views"},
			want: []string{"pleass", "subscr", "soo", "good", "1000", "tok:elongated", "tok:shout"},
			not:  []string{"100", "pleassssse"},
		},
		{
			name: "domains hidden by spaces or under country codes",
			doc:  Doc{Text: "she used pimpmyviews. com, see crazy-celeb-news.eu.pn"},
			want: []string{"url:pimpmyviews.com", "tok:spaceddomain", "url:news.eu.pn", "tld:pn", "links:2"},
		},
		{
			name: "no bigram across a link",
			doc:  Doc{Text: "visit http://x.example.com now"},
			want: []string{"visit", "now"},
			not:  []string{"visit_now"},
		},
		{
			name: "long comment",
			doc:  Doc{Text: strings.Repeat("lovely words here ", 15)},
			want: []string{"words:41+"},
		},
		{
			name: "file names are not domains",
			doc:  Doc{Text: "edit main.go and notes.md, e.g. now. I like it . com"},
			not:  []string{"tok:domain", "url:main.go", "url:it.com"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Tokenize(tt.doc)
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("missing %q in %q", w, got)
				}
			}
			for _, w := range tt.not {
				if slices.Contains(got, w) {
					t.Errorf("unexpected %q in %q", w, got)
				}
			}
			checkTokens(t, got)
		})
	}
}

// checkTokens fails on tokens that are empty, hold white space or are not valid UTF-8.
func checkTokens(t testing.TB, toks []string) {
	t.Helper()
	for _, tok := range toks {
		if tok == "" || strings.ContainsFunc(tok, isSpaceRune) || !utf8.ValidString(tok) {
			t.Fatalf("bad token %q in %q", tok, toks)
		}
	}
}

func isSpaceRune(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\u00a0' || r == '\u3000' || r == '\u2028'
}

func TestTokenizeDeterministic(t *testing.T) {
	d := Doc{Text: "Buy <a href='http://x.example.com'>v1agra</a> now &amp; save 50%!!", Author: "A B", Email: "a@b.com", URL: "http://c.org"}
	first := Tokenize(d)
	for range 20 {
		if got := Tokenize(d); !slices.Equal(got, first) {
			t.Fatalf("Tokenize not deterministic:\n%q\n%q", got, first)
		}
	}
}

func TestTokenizeHugeInput(t *testing.T) {
	d := Doc{Text: strings.Repeat("word http://x.com/a ", 50000), Author: strings.Repeat("x", 1<<20), URL: strings.Repeat("y", 1<<20)}
	got := Tokenize(d)
	if len(got) > maxTextTokens+32 {
		t.Fatalf("got %d tokens, want at most %d", len(got), maxTextTokens+32)
	}
	if !slices.Contains(got, "links:3+") {
		t.Errorf("missing links:3+")
	}
}

func TestCountLinks(t *testing.T) {
	tests := []struct {
		name string
		text string
		want int
	}{
		{"none", "no links here, just words. e.g. this", 0},
		{"bare", "see http://example.com and https://example.org/x?y=1.", 2},
		{"www", "visit www.example.com today", 1},
		{"href", `<a href="/local">x</a> <a HREF='https://a.example'>y</a>`, 1},
		{"href and text", `<a href="http://a.com">http://a.com</a>`, 2},
		{"entities", "&lt;a href=&quot;http://a.com&quot;&gt;x&lt;/a&gt;", 1},
		{"uppercase", "HTTP://EXAMPLE.COM", 1},
		{"scheme without host", "http:// and https://", 0},
		{"inside a word", "xhttp://a.com notwww.a.com", 0},
		{"bbcode", "[url=http://a.com]a[/url] [url]http://b.com[/url]", 2},
		{"invalid utf-8", "\xffhttp://a.com\xfe", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CountLinks(tt.text); got != tt.want {
				t.Errorf("CountLinks(%q) = %d, want %d", tt.text, got, tt.want)
			}
		})
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"", "<", "<a href=", "&#", "http://", "a@b.c", "\xff", "v i a g r a", "+1 555", "日本", "www.", "x.com."} {
		f.Add(s, s, s, s)
	}
	f.Fuzz(func(t *testing.T, text, author, email, url string) {
		checkTokens(t, Tokenize(Doc{Text: text, Author: author, Email: email, URL: url}))
		if CountLinks(text) < 0 {
			t.Fatal("negative link count")
		}
	})
}

func TestTerm(t *testing.T) {
	tests := []struct {
		in, want  string
		elongated bool
	}{
		{"hello", "hello", false},
		{"subscribers", "subscr", false},
		{"gooood", "good", true},
		{"sooo", "soo", true},
		{"1000000", "100000", false},
		{"héééllo", "hééllo", true},
		{"ééé", "éé", true},
		{"日本語の", "日本語の", false},
		{"ça", "ça", false},
		{"überlänge", "überlä", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, el := term(tt.in)
			if got != tt.want || el != tt.elongated {
				t.Errorf("term(%q) = %q, %v; want %q, %v", tt.in, got, el, tt.want, tt.elongated)
			}
		})
	}
}

func TestLowerShouting(t *testing.T) {
	for _, s := range []string{"", "hello", "Hello World", "BUY NOW CHEAP PILLS", "THIS IS a TEST of CAPS", "I AM OK", "café CRÈME BRÛLÉE TRÈS BIEN",
		"ABC1 DEF2 GHI3 JKL4", "MOSTLY CAPITALS HERE and a few", "x'Y'Z"} {
		var z tokenizer
		lower, shout := z.lowerShouting(s, isASCII(s))
		if lower != strings.ToLower(s) || shout != shouting(s) {
			t.Errorf("lowerShouting(%q) = %q, %v; want %q, %v", s, lower, shout, strings.ToLower(s), shouting(s))
		}
	}
}
