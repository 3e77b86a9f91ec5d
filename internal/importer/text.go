package importer

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/net/html"
)

// blankLines finds runs of more than one blank line, and the spaces ending lines.
var (
	blankLines  = regexp.MustCompile(`\n{3,}`)
	lineEndings = regexp.MustCompile(`[ \t]+\n`)
)

// plainText turns a comment's HTML into the plain text commentd stores and
// renders: tags dropped and entities decoded; <br> a line break and the ends
// of paragraphs, quotes and list items a blank line or a line break; a link
// its text followed by its address in parentheses, unless the text is the
// address; the text of scripts and styles dropped. Line breaks in the text
// itself stay, as WordPress keeps paragraphs that way.
func plainText(s string) string {
	if !strings.ContainsAny(s, "<&\r") {
		return strings.TrimSpace(stripControl(s))
	}
	var (
		b     strings.Builder
		links []link // open <a> elements
		skip  int    // depth inside <script> and <style>
	)
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		if tt == html.ErrorToken { // io.EOF: the tokenizer reads from a string
			break
		}
		name, hasAttr := z.TagName()
		tag := string(name)
		switch tt {
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			switch tag {
			case "script", "style":
				if tt == html.StartTagToken {
					skip++
				}
			case "br":
				b.WriteByte('\n')
			case "a":
				href := ""
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "href" {
						href = strings.TrimSpace(string(v))
					}
				}
				if tt == html.StartTagToken {
					links = append(links, link{href: href, at: b.Len()})
				}
			case "img":
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "alt" && len(v) > 0 {
						b.WriteString(string(v))
					}
				}
			default:
				breakBefore(&b, tag)
			}
		case html.EndTagToken:
			switch tag {
			case "script", "style":
				skip = max(0, skip-1)
			case "a":
				if n := len(links); n > 0 {
					l := links[n-1]
					links = links[:n-1]
					text := strings.TrimSpace(b.String()[l.at:])
					if l.href != "" && !strings.HasPrefix(l.href, "#") && text != l.href && !strings.Contains(text, l.href) {
						if text == "" {
							b.WriteString(l.href)
						} else {
							b.WriteString(" (" + l.href + ")")
						}
					}
				}
			default:
				breakBefore(&b, tag)
			}
		}
	}
	out := strings.ReplaceAll(stripControl(b.String()), "\r\n", "\n")
	out = strings.ReplaceAll(out, "\r", "\n")
	out = lineEndings.ReplaceAllString(out, "\n")
	return strings.TrimSpace(blankLines.ReplaceAllString(out, "\n\n"))
}

// link is an open <a>: its address and where its text starts.
type link struct {
	href string
	at   int
}

// breakBefore ends the line or paragraph before a block element opens or closes.
func breakBefore(b *strings.Builder, tag string) {
	sep := ""
	switch tag {
	case "p", "div", "blockquote", "pre", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr":
		sep = "\n\n"
	case "li", "tr", "dt", "dd":
		sep = "\n"
	default:
		return
	}
	if b.Len() == 0 {
		return
	}
	s := b.String()
	if strings.HasSuffix(s, sep) || strings.HasSuffix(s, "\n\n") {
		return
	}
	if sep == "\n\n" && strings.HasSuffix(s, "\n") {
		sep = "\n"
	}
	b.WriteString(sep)
}

// stripControl drops control characters other than line breaks and tabs.
func stripControl(s string) string {
	return strings.Map(func(r rune) rune {
		if r != '\n' && r != '\r' && r != '\t' && unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}
