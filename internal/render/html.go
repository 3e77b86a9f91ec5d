// Package render turns a visitor's plain text into safe HTML.
package render

import (
	"html"
	"regexp"
	"strings"
)

// urlPattern finds bare http(s) URLs in plain text.
var urlPattern = regexp.MustCompile(`https?://[^\s<>"'\x60]+`)

// bidiControls are explicit embedding, override and isolate characters. They stay
// in the stored text but are left out of the HTML, so an unbalanced U+202E cannot
// reverse the page around the comment.
var bidiControls = strings.NewReplacer(
	"\u202a", "", "\u202b", "", "\u202c", "", "\u202d", "", "\u202e", "",
	"\u2066", "", "\u2067", "", "\u2068", "", "\u2069", "",
)

// CommentHTML renders text as HTML: everything escaped, paragraphs from blank
// lines, single line breaks as <br>, and bare URLs as links with
// rel="nofollow ugc noopener". No HTML from the text survives.
func CommentHTML(text string) string {
	text = bidiControls.Replace(strings.ReplaceAll(text, "\r\n", "\n"))
	var b strings.Builder
	for _, para := range strings.Split(text, "\n\n") {
		para = strings.Trim(para, "\n")
		if strings.TrimSpace(para) == "" {
			continue
		}
		b.WriteString(`<p dir="auto">`)
		for i, line := range strings.Split(para, "\n") {
			if i > 0 {
				b.WriteString("<br>")
			}
			writeLinked(&b, line)
		}
		b.WriteString("</p>")
	}
	return b.String()
}

// writeLinked escapes line, turning bare URLs into links.
func writeLinked(b *strings.Builder, line string) {
	last := 0
	for _, m := range urlPattern.FindAllStringIndex(line, -1) {
		start, end := m[0], m[1]
		end = start + len(strings.TrimRight(line[start:end], ".,;:!?)]}'\""))
		if end-start <= len("https://") {
			continue
		}
		b.WriteString(html.EscapeString(line[last:start]))
		u := html.EscapeString(line[start:end])
		b.WriteString(`<a href="` + u + `" rel="nofollow ugc noopener">` + u + `</a>`)
		last = end
	}
	b.WriteString(html.EscapeString(line[last:]))
}
