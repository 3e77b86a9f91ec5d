package spam

import (
	"strings"
	"unicode/utf8"
)

// CountLinks counts the links in text: bare http(s) URLs, "www." hosts and
// <a href> targets, after decoding entities. Each occurrence counts, so an
// anchor whose text repeats its href counts twice.
func CountLinks(text string) int {
	t := strings.ToLower(clean(text).text)
	u := urlScan{t: t, next: [3]int{-2, -2, -2}}
	n := 0
	for i := 0; ; {
		start, end := u.find(i)
		if start < 0 {
			return n
		}
		if hostOf(t[start:end]) != "" {
			n++
		}
		i = end
	}
}

// urlScan finds links in a lowercase text, remembering where each prefix
// occurs next so that a text with many links is scanned in linear time.
type urlScan struct {
	t    string
	next [3]int // next occurrence of each prefix; -1: none left, -2: not looked yet
}

// find returns the bounds of the first link at or after i, or -1, -1.
func (u *urlScan) find(i int) (start, end int) {
	start = -1
	for k, p := range [...]string{"http://", "https://", "www."} {
		if u.next[k] != -1 && u.next[k] < i {
			u.next[k] = indexWord(u.t, i, p)
		}
		if n := u.next[k]; n >= 0 && (start < 0 || n < start) {
			start = n
		}
	}
	if start < 0 {
		return -1, -1
	}
	t := u.t
	end = start
	for end < len(t) && !urlStop(t[end]) {
		end++
	}
	for end > start && trailingPunct(t[end-1]) {
		end--
	}
	return start, end
}

// indexWord returns the first index at or after i where p occurs at the start
// of a word, or -1.
func indexWord(t string, i int, p string) int {
	for i < len(t) {
		k := strings.Index(t[i:], p)
		if k < 0 {
			return -1
		}
		k += i
		if k == 0 || !isAlnum(t[k-1]) {
			return k
		}
		i = k + 1
	}
	return -1
}

// urlStop reports bytes that end a URL in running text.
func urlStop(c byte) bool {
	switch c {
	case '"', '\'', '<', '>', '[', ']', '{', '}', '|', '\\', '^', '`':
		return true
	}
	return c <= ' '
}

// trailingPunct reports punctuation that ends a sentence rather than a URL.
func trailingPunct(c byte) bool {
	switch c {
	case '.', ',', ';', ':', '!', '?', ')', '\'', '*':
		return true
	}
	return false
}

// hostOf returns the host of a lowercase URL or bare host, without port and
// "www.", or "" when there is no plausible host.
func hostOf(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	if i := strings.IndexAny(u, "/?#\\"); i >= 0 {
		u = u[:i]
	}
	if i := strings.LastIndexByte(u, '@'); i >= 0 {
		u = u[i+1:]
	}
	if i := strings.LastIndexByte(u, ':'); i >= 0 {
		u = u[:i]
	}
	u = strings.TrimSuffix(u, ".")
	u = strings.TrimPrefix(u, "www.")
	if len(u) < 3 || len(u) > 253 || !strings.Contains(u, ".") || u[0] == '.' || u[0] == '-' {
		return ""
	}
	for _, r := range u {
		if r < utf8.RuneSelf {
			if c := byte(r); !isAlnum(c) && c != '.' && c != '-' {
				return ""
			}
		} else if !isWordRune(r) {
			return ""
		}
	}
	return u
}

// registrable is the registrable-ish part of host: its last two labels, or
// three under second-level zones such as co.uk.
func registrable(host string) string {
	last := strings.LastIndexByte(host, '.')
	if last < 0 {
		return host
	}
	second := strings.LastIndexByte(host[:last], '.')
	if second < 0 {
		return host
	}
	if len(host)-last-1 == 2 {
		switch host[second+1 : last] {
		case "co", "com", "net", "org", "gov", "edu", "ac", "or", "ne", "gob":
			if third := strings.LastIndexByte(host[:second], '.'); third >= 0 {
				return host[third+1:]
			}
			return host
		}
	}
	return host[second+1:]
}

// isIP reports a dotted IPv4 address.
func isIP(host string) bool {
	for i := 0; i < len(host); i++ {
		if !isDigit(host[i]) && host[i] != '.' {
			return false
		}
	}
	return true
}

// shortener reports link-shortening services, whose targets are hidden.
func shortener(reg string) bool {
	switch reg {
	case "bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "rebrand.ly",
		"cutt.ly", "shorturl.at", "rb.gy", "tiny.cc", "t.ly", "s.id", "lnkd.in", "v.gd",
		"bl.ink", "short.io", "shorte.st", "adf.ly", "bitly.com":
		return true
	}
	return false
}

// knownTLD reports the top-level domains that make a bare "name.tld" in text
// count as a domain (files like "main.go" or "notes.md" must not).
func knownTLD(tld string) bool {
	switch tld {
	case "com", "net", "org", "info", "biz", "xyz", "top", "online", "site", "shop", "store",
		"club", "live", "pro", "io", "co", "ru", "cn", "in", "us", "uk", "de", "fr", "pl",
		"br", "me", "cc", "tk", "ml", "ga", "cf", "gq", "icu", "vip", "win", "loan", "click",
		"link", "blog", "ca", "au", "nl", "es", "it", "eu", "ua", "su", "pw", "ws":
		return true
	}
	return false
}

// hostTokens adds the tokens of one host: prefix+host, prefix+registrable part,
// markers for IP hosts and shorteners, and tldPrefix+top-level domain.
func (z *tokenizer) hostTokens(prefix, tldPrefix, host string) {
	if isIP(host) {
		z.addJoin(prefix, "ip", "")
		return
	}
	z.addJoin(prefix, host, "")
	reg := registrable(host)
	if reg != host {
		z.addJoin(prefix, reg, "")
	}
	if shortener(reg) || shortener(host) {
		z.addJoin(prefix, "shortener", "")
	}
	if i := strings.LastIndexByte(host, '.'); i >= 0 {
		z.addJoin(tldPrefix, host[i+1:], "")
	}
}
