package spam

import (
	"strings"
	"unsafe"
)

// Doc is what gets tokenized: a comment's text and the other fields its author filled in.
type Doc struct {
	Text, Author, Email, URL string
}

// Caps on the tokens of one document.
const (
	maxTextTokens  = 2000 // tokens taken from the text; the rest of a huge text is ignored
	maxWordBytes   = 40   // a longer run of letters becomes "tok:longword"
	maxAuthorWords = 6
)

// Tokenize returns the tokens for d, in a deterministic order: the terms of
// the text's words (lowercase NFKC, invisible characters removed, entities
// decoded, tags dropped, cut to six letters; see term) except stop words, the
// bigrams of neighbouring words ("check_out"), folded forms of obfuscated
// words, "url:" domains of its links, "tok:" markers, "links:N", "words:N",
// then "author:", "emaildomain:" and "site:" tokens from the other fields. Tokens never contain spaces. It never panics, whatever
// the input, and looks at no more than the first 20,000 bytes of a field.
func Tokenize(d Doc) []string {
	n := min(len(d.Text), maxFieldBytes)
	z := tokenizer{toks: make([]string, 0, n/3+24), arena: make([]byte, 0, 2*n+192), joins: make([]join, 0, n/6+16)}
	return z.tokenize(d)
}

// tokenize returns the tokens of d (see Tokenize). They may point into z's
// buffers: they stay valid until z is reset.
func (z *tokenizer) tokenize(d Doc) []string {
	z.text(d.Text)
	z.author(d.Author)
	z.email(d.Email)
	z.site(d.URL)
	return z.finish()
}

// reset empties z for another document, keeping its buffers. Tokens z
// returned before are invalid from now on.
func (z *tokenizer) reset() {
	clear(z.toks) // do not pin the last document's text
	*z = tokenizer{toks: z.toks[:0], arena: z.arena[:0], joins: z.joins[:0], run: z.run[:0], lower: z.lower[:0]}
}

// tokenizer collects the tokens of one document.
type tokenizer struct {
	toks       []string
	links      int
	run        []byte // the characters of a run of single letters: "v i a g r a"
	runN       int    // characters in run
	runLetters int    // letters in run
	runEnd     int    // where the run's last character ends in the text

	noDomainUntil int // words starting before this offset are not tried as domains

	nwords    int    // words of the text
	prev      string // the term before, for bigrams; "" after a break
	elongated bool   // a word had a character repeated three times or more

	joins []join // tokens made of several strings, built in arena by finish
	arena []byte
	lower []byte // the lowercased text, when it differs from the text
}

// join is a token made of arena[start:end], which belongs at toks[at].
type join struct{ at, start, end int }

func (z *tokenizer) add(tok string) { z.toks = append(z.toks, tok) }

// addJoin adds the token a+b+c. Such tokens share one allocation, made by finish.
func (z *tokenizer) addJoin(a, b, c string) {
	start := len(z.arena)
	z.arena = append(append(append(z.arena, a...), b...), c...)
	z.joins = append(z.joins, join{at: len(z.toks), start: start, end: len(z.arena)})
	z.toks = append(z.toks, "")
}

// truncate keeps the first n tokens.
func (z *tokenizer) truncate(n int) {
	if len(z.toks) <= n {
		return
	}
	z.toks = z.toks[:n]
	for len(z.joins) > 0 && z.joins[len(z.joins)-1].at >= n {
		z.joins = z.joins[:len(z.joins)-1]
	}
}

// finish puts the joined tokens in place and returns the tokens. The joined
// tokens share arena's bytes, which nothing writes until reset.
func (z *tokenizer) finish() []string {
	s := unsafe.String(unsafe.SliceData(z.arena), len(z.arena))
	for _, j := range z.joins {
		z.toks[j.at] = s[j.start:j.end]
	}
	return z.toks
}

func (z *tokenizer) full() bool { return len(z.toks) >= maxTextTokens }

// text adds the tokens of the comment text.
func (z *tokenizer) text(s string) {
	c := clean(s)
	t, shout := z.lowerShouting(c.text, c.ascii)
	u := urlScan{t: t, next: [3]int{-2, -2, -2}}
	for i := 0; i < len(t) && !z.full(); {
		start, end := u.find(i)
		if start < 0 {
			z.plain(t, i, len(t))
			break
		}
		z.plain(t, i, start)
		z.link(t, start, end)
		i = end
	}
	z.flushRun()
	z.truncate(maxTextTokens)
	z.add([...]string{"links:0", "links:1", "links:2", "links:3+"}[min(z.links, 3)])
	z.add(lengthToken(z.nwords))
	for _, m := range [...]struct {
		on  bool
		tok string
	}{
		{c.html, "tok:html"},
		{c.invisible, "tok:invisible"},
		{c.fancy, "tok:fancytext"},
		{shout, "tok:shout"},
		{hasPhone(t), "tok:phone"},
		{hasMoney(t, c.ascii), "tok:money"},
		{strings.IndexByte(t, '%') >= 0, "tok:percent"},
		{strings.Contains(t, "!!"), "tok:exclaim"},
		{z.elongated, "tok:elongated"},
	} {
		if m.on {
			z.add(m.tok)
		}
	}
}

// link adds the tokens of the link t[start:end]: its domains and the words of its path.
func (z *tokenizer) link(t string, start, end int) {
	u := t[start:end]
	host := hostOf(u)
	if host == "" {
		z.words(t, start, end)
		return
	}
	z.links++
	z.breakBigrams()
	z.hostTokens("url:", "tld:", host)
	off := 0
	if i := strings.Index(u, "://"); i >= 0 {
		off = i + 3
	}
	if i := strings.IndexAny(u[off:], "/?#"); i >= 0 {
		z.words(t, start+off+i, end)
	}
}

// plain adds the tokens of t[i:end], a stretch without links: e-mail
// addresses as "mail:" domains, everything else as words.
func (z *tokenizer) plain(t string, i, end int) {
	from := i
	for p := i; p < end; {
		k := strings.IndexByte(t[p:end], '@')
		if k < 0 {
			break
		}
		at := p + k
		ls, de := emailAround(t, from, at, end)
		if ls < 0 {
			p = at + 1
			continue
		}
		z.words(t, from, ls)
		z.breakBigrams()
		z.add("tok:email")
		z.addJoin("mail:", t[at+1:de], "")
		from, p = de, de
	}
	z.words(t, from, end)
}

// emailAround returns the bounds of the address around the '@' at t[at]
// (not reaching before from or after end), or -1, -1.
func emailAround(t string, from, at, end int) (int, int) {
	ls := at
	for ls > from && (isAlnum(t[ls-1]) || t[ls-1] == '.' || t[ls-1] == '_' || t[ls-1] == '%' || t[ls-1] == '+' || t[ls-1] == '-') {
		ls--
	}
	de := at + 1
	for de < end && (isAlnum(t[de]) || t[de] == '.' || t[de] == '-') {
		de++
	}
	for de > at+1 && (t[de-1] == '.' || t[de-1] == '-') {
		de--
	}
	dot := strings.LastIndexByte(t[at+1:de], '.')
	if ls == at || !isAlnum(t[ls]) || dot <= 0 || de-(at+1+dot+1) < 2 || de-at > 254 {
		return -1, -1
	}
	return ls, de
}
