package spam

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Caps on the work one field can cause.
const (
	maxFieldBytes = 20000 // bytes of a field looked at; the rest is ignored
	maxTagBytes   = 2048  // a '<' with no '>' within this many bytes is text
)

// cleaned is a field ready for scanning, and what cleaning it revealed.
type cleaned struct {
	text      string // valid UTF-8, entities decoded, tags dropped (hrefs kept), NFKC, not lowercased
	html      bool   // had HTML tags
	invisible bool   // had invisible or format characters
	fancy     bool   // had full-width or mathematical letters (folded by NFKC)
	ascii     bool   // text is plain ASCII
}

// clean prepares s for scanning. Each step returns its input unchanged, without
// allocating, when there is nothing to do, so plain ASCII text costs one pass.
func clean(s string) cleaned {
	var c cleaned
	s = truncate(s, maxFieldBytes)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	for range 2 { // twice, for double-encoded entities like &amp;#118;
		if strings.IndexByte(s, '&') < 0 {
			break
		}
		u := html.UnescapeString(s)
		if u == s {
			break
		}
		s = u
	}
	s, c.html = stripTags(s)
	c.ascii = isASCII(s)
	if !c.ascii {
		s, c.invisible, c.fancy = stripInvisible(s)
		s = norm.NFKC.String(s)
		c.ascii = isASCII(s)
	}
	c.text = s
	return c
}

// truncate cuts s to at most n bytes, at a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// invisible reports format characters (unicode.Cf: zero-width, BOM, bidi
// controls, soft hyphen, tags) and blank fillers that render as nothing.
func invisible(r rune) bool {
	switch r {
	case 0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800:
		return true
	}
	return (r >= 0xFE00 && r <= 0xFE0F) || (r >= 0x180B && r <= 0x180D) || unicode.Is(unicode.Cf, r)
}

// stripInvisible drops invisible characters and reports them, and whether s
// holds full-width or mathematical alphanumerics.
func stripInvisible(s string) (out string, found, fancy bool) {
	for _, r := range s {
		if r < utf8.RuneSelf {
			continue
		}
		if invisible(r) {
			found = true
		} else if (r >= 0xFF01 && r <= 0xFF5E) || (r >= 0x1D400 && r <= 0x1D7FF) || (r >= 0x24B6 && r <= 0x24E9) {
			fancy = true
		}
	}
	if !found {
		return s, false, fancy
	}
	return strings.Map(func(r rune) rune {
		if invisible(r) {
			return -1
		}
		return r
	}, s), true, fancy
}

// stripTags removes HTML tags, keeping each href value as text between spaces.
// Inline tags (b, span, a ...) vanish so that "vi<b></b>agra" stays one word;
// other tags become a space. A '<' that does not open a tag is kept.
func stripTags(s string) (string, bool) {
	i := strings.IndexByte(s, '<')
	if i < 0 {
		return s, false
	}
	var b strings.Builder
	b.Grow(len(s))
	found := false
	for i >= 0 {
		b.WriteString(s[:i])
		rest := s[i:]
		end := tagEnd(rest)
		if end < 0 {
			b.WriteByte('<')
			s = rest[1:]
		} else {
			found = true
			tag := rest[1:end]
			if href := attr(tag, "href"); href != "" {
				b.WriteByte(' ')
				b.WriteString(href)
				b.WriteByte(' ')
			} else if !inlineTag(tag) {
				b.WriteByte(' ')
			}
			s = rest[end+1:]
		}
		i = strings.IndexByte(s, '<')
	}
	b.WriteString(s)
	return b.String(), found
}

// tagEnd returns the index of the '>' closing the tag that s starts with, or -1.
func tagEnd(s string) int {
	if len(s) < 3 {
		return -1
	}
	c := s[1]
	if c != '/' && c != '!' && !isAlpha(c) {
		return -1
	}
	return strings.IndexByte(s[:min(len(s), maxTagBytes)], '>')
}

// attr returns the value of the attribute name (lowercase) in tag, or "".
func attr(tag, name string) string {
	for i := 0; i+len(name) < len(tag); i++ {
		if !strings.EqualFold(tag[i:i+len(name)], name) || (i > 0 && isAlnum(tag[i-1])) {
			continue
		}
		v := strings.TrimLeft(tag[i+len(name):], " \t\n")
		if v == "" || v[0] != '=' {
			continue
		}
		v = strings.TrimLeft(v[1:], " \t\n")
		if v == "" {
			return ""
		}
		if q := v[0]; q == '"' || q == '\'' {
			if j := strings.IndexByte(v[1:], q); j >= 0 {
				return strings.TrimSpace(v[1 : 1+j])
			}
			return strings.TrimSpace(v[1:])
		}
		if j := strings.IndexAny(v, " \t\n>"); j >= 0 {
			return v[:j]
		}
		return v
	}
	return ""
}

// inlineTag reports tags that sit inside a word without separating it.
func inlineTag(tag string) bool {
	tag = strings.TrimPrefix(tag, "/")
	n := 0
	for n < len(tag) && isAlnum(tag[n]) {
		n++
	}
	switch strings.ToLower(tag[:n]) {
	case "a", "b", "i", "u", "s", "em", "strong", "span", "font", "small", "big", "sub", "sup",
		"mark", "abbr", "code", "del", "ins", "tt", "wbr":
		return true
	}
	return false
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isAlnum(c byte) bool { return isAlpha(c) || isDigit(c) }
