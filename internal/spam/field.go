package spam

import (
	"strings"
	"unicode/utf8"
)

// author adds "author:" tokens: the name's words, "author:long" for three
// words or more, and "author:link" when the name holds a link or domain.
func (z *tokenizer) author(s string) {
	t := field(s, 256)
	if t == "" {
		z.add("author:none")
		return
	}
	n := 0
	for i := 0; i < len(t); {
		ws, we := nextWord(t, i)
		if ws < 0 {
			break
		}
		if n++; n <= maxAuthorWords {
			z.addJoin("author:", t[ws:we], "")
		}
		i = we
	}
	if n >= 3 {
		z.add("author:long")
	}
	if hasDomain(t) {
		z.add("author:link")
	}
}

// email adds the "emaildomain:" token of the e-mail field.
func (z *tokenizer) email(s string) {
	t := field(s, 254)
	at := strings.LastIndexByte(t, '@')
	switch host := hostOf(t[at+1:]); {
	case t == "":
		z.add("emaildomain:none")
	case at <= 0 || host == "":
		z.add("emaildomain:invalid")
	default:
		z.addJoin("emaildomain:", host, "")
	}
}

// site adds the "site:" tokens of the website field.
func (z *tokenizer) site(s string) {
	t := field(s, 2048)
	if t == "" {
		z.add("site:none")
		return
	}
	host := hostOf(t)
	if host == "" {
		z.add("site:invalid")
		return
	}
	z.hostTokens("site:", "sitetld:", host)
}

// field cleans a single-line field: capped, valid UTF-8, invisible characters
// removed, NFKC, trimmed, lowercase.
func field(s string, n int) string {
	s = strings.TrimSpace(truncate(s, n))
	if s == "" {
		return ""
	}
	return strings.TrimSpace(strings.ToLower(clean(s).text))
}

// nextWord returns the bounds of the first word in t at or after i, or -1, -1.
func nextWord(t string, i int) (int, int) {
	for i < len(t) {
		r, n := utf8.DecodeRuneInString(t[i:])
		if isWordRune(r) {
			break
		}
		i += n
	}
	if i >= len(t) {
		return -1, -1
	}
	j := i
	for j < len(t) {
		r, n := utf8.DecodeRuneInString(t[j:])
		if !isWordRune(r) {
			break
		}
		j += n
	}
	return i, j
}

// hasDomain reports a "name.tld" with a known top-level domain in t.
func hasDomain(t string) bool {
	if strings.Contains(t, "http") || strings.Contains(t, "www.") {
		return true
	}
	for i := 1; i < len(t); i++ {
		if t[i] != '.' || !isAlnum(t[i-1]) {
			continue
		}
		j := i + 1
		for j < len(t) && isAlpha(t[j]) {
			j++
		}
		if knownTLD(t[i+1 : j]) {
			return true
		}
	}
	return false
}
