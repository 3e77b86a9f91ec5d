package models

import (
	"net/mail"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits caps the fields of a NewComment, in characters (runes).
type Limits struct {
	Text   int // default 5000
	Author int // default 100
	Email  int // default 254
	URL    int // default 2048
	Post   int // default 256
}

// DefaultLimits are the caps used when a config does not set its own.
var DefaultLimits = Limits{Text: 5000, Author: 100, Email: 254, URL: 2048, Post: 256}

// Normalize trims the single-line fields and turns CRLF (and a lone CR) in the
// text into LF, as browsers send form text with CRLF line breaks.
func (n *NewComment) Normalize() {
	n.Author = strings.TrimSpace(n.Author)
	n.Email = strings.TrimSpace(n.Email)
	n.URL = strings.TrimSpace(n.URL)
	if strings.IndexByte(n.Text, '\r') >= 0 {
		n.Text = strings.ReplaceAll(n.Text, "\r\n", "\n")
		n.Text = strings.ReplaceAll(n.Text, "\r", "\n")
	}
}

// Validate checks every field against l and returns a *ValidationError listing
// each failing field, or nil. Call Normalize first.
func (n *NewComment) Validate(l Limits) error {
	var v ValidationError
	CheckLine(&v, "post", n.Post, l.Post, true)
	CheckLine(&v, "author", n.Author, l.Author, true)
	if CheckLine(&v, "email", n.Email, l.Email, true) && !ValidEmail(n.Email) {
		v.Add("email", "invalid_email")
	}
	if CheckLine(&v, "url", n.URL, l.URL, false) && n.URL != "" && !ValidWebURL(n.URL) {
		v.Add("url", "invalid_url")
	}
	switch {
	case !utf8.ValidString(n.Text):
		v.Add("text", "invalid_utf8")
	case hasControl(n.Text, true):
		v.Add("text", "control_character")
	case strings.TrimFunc(n.Text, isBlank) == "":
		v.Add("text", "required")
	case utf8.RuneCountInString(n.Text) > l.Text:
		v.Add("text", "too_long")
	}
	if n.Parent < 0 {
		v.Add("parent", "invalid")
	}
	if !utf8.ValidString(n.Honeypot) {
		v.Add("honeypot", "invalid_utf8")
	}
	return v.Err()
}

// CheckLine validates a single-line field of at most max characters: valid
// UTF-8, no control characters, not blank when required. It adds the first
// failure to v ("invalid_utf8", "control_character", "required", "too_long")
// and reports whether s passed.
func CheckLine(v *ValidationError, field, s string, max int, required bool) bool {
	switch {
	case !utf8.ValidString(s):
		v.Add(field, "invalid_utf8")
	case hasControl(s, false):
		v.Add(field, "control_character")
	case required && strings.TrimFunc(s, isBlank) == "":
		v.Add(field, "required")
	case utf8.RuneCountInString(s) > max:
		v.Add(field, "too_long")
	default:
		return true
	}
	return false
}

// isBlank is white space or an invisible format character (zero-width space, BOM ...).
func isBlank(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) }

// hasControl reports C0/C1 control characters and DEL; multiline allows LF and tab.
func hasControl(s string, multiline bool) bool {
	for _, r := range s {
		if r == '\n' || r == '\t' {
			if multiline {
				continue
			}
			return true
		}
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
			return true
		}
	}
	return false
}

// ValidEmail reports whether s is a bare address such as reader@example.org.
func ValidEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".") && !strings.ContainsAny(s, " <>")
}

// ValidWebURL reports whether s is an absolute http or https URL with a host.
func ValidWebURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	return (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil
}

// WebURL returns s when it is a web address (ValidWebURL), else "": what an
// author's URL may be wherever a browser could follow it, since a comment
// imported or restored from elsewhere may hold a javascript: or data: URL.
func WebURL(s string) string {
	if !ValidWebURL(s) {
		return ""
	}
	return s
}
