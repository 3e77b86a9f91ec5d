// Package importer reads the comments out of other systems' exports, WordPress
// (WXR) and Disqus XML, one at a time as a stream, so that a file of any size
// is imported in bounded memory: the store takes them in one transaction.
//
// Every comment gets a key that names it in its source and stays the same
// each time the same file is read, "wordpress:SITE:COMMENT_ID" or
// "disqus:FORUM:POST_ID", and its parent's key, so that the store can thread
// replies and skip what an earlier import stored.
package importer

import (
	"errors"
	"fmt"
	"html"
	"iter"
	"net/url"
	"strings"
	"unicode"

	"github.com/commentd/commentd/models"
)

// PostName says which field of a source's post names the post in commentd
// (the "post" of the comments API).
type PostName string

// The ways to name a post.
const (
	ByPath PostName = "path" // the permalink's path without its outer slashes: "2026/sourdough"; the default
	ByLink PostName = "link" // the whole permalink: "https://blog.example.org/2026/sourdough/"
	ByGUID PostName = "guid" // WordPress only: the post's guid
	ByID   PostName = "id"   // the source's own id: WordPress's wp:post_id, Disqus's thread identifier
)

// ParsePostName reads a --post-id value; "" is ByPath.
func ParsePostName(s string) (PostName, error) {
	switch p := PostName(s); p {
	case "":
		return ByPath, nil
	case ByPath, ByLink, ByGUID, ByID:
		return p, nil
	}
	return "", fmt.Errorf("--post-id=%s: want path, link, guid or id", s)
}

// Options tune a reader.
type Options struct {
	Post PostName // how posts are named; "" is ByPath
	Site string   // the site part of the keys, instead of the one the file names
}

// Stats counts what a reader read.
type Stats struct {
	Posts    int            // WordPress items, Disqus threads
	Comments int            // comments yielded
	Skipped  map[string]int // comments not yielded, by reason: "pingback", "trackback", ...
}

func (s *Stats) skip(reason string) {
	if s.Skipped == nil {
		s.Skipped = map[string]int{}
	}
	s.Skipped[reason]++
}

// Error is what is wrong with an export and where: malformed XML, or a
// comment that cannot be imported. It matches models.ErrInvalid.
type Error struct {
	Line, Column int
	Msg          string
}

// Error reads "LINE:COLUMN: message"; prefix it with the file name.
func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg) }

// Is makes errors.Is(err, models.ErrInvalid) true.
func (e *Error) Is(target error) bool { return target == models.ErrInvalid }

// postName names a post by its permalink, guid or id, as mode says; "" when
// the post lacks that field.
func postName(mode PostName, link, guid, id string) string {
	switch mode {
	case ByLink:
		return link
	case ByGUID:
		return guid
	case ByID:
		return id
	}
	u, err := url.Parse(link)
	if err != nil || link == "" {
		return ""
	}
	name := strings.Trim(u.EscapedPath(), "/")
	if p, err := url.PathUnescape(name); err == nil {
		name = p
	}
	if u.RawQuery != "" { // plain permalinks: https://blog.example.org/?p=12
		name += "?" + u.RawQuery
	}
	return name
}

// siteOf is the site part of a key: a URL's host and path, "blog.example.org" or "example.org/blog".
func siteOf(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Host) + strings.TrimRight(u.Path, "/")
}

// line cleans a single-line field: entities decoded, control characters and
// surrounding space dropped, inner line breaks made spaces.
func line(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, html.UnescapeString(s))
	return strings.TrimSpace(s)
}

// comment completes c, as a source read it, for the store: the "imported"
// rule as its reason.
func comment(src models.CommentSource, c models.Comment) models.ImportedComment {
	c.UpdatedAt = c.CreatedAt
	c.Reasons = models.Reasons{Rules: []string{"imported"}}
	return models.ImportedComment{Source: src, Comment: c}
}

// emit yields it as a comment on post, and counts it.
func emit(stats *Stats, it models.ImportedComment, post string, yield func(models.ImportedComment, error) bool) error {
	it.Comment.Post = post
	stats.Comments++
	if !yield(it, nil) {
		return errStop
	}
	return nil
}

// errStop ends a reader whose consumer stopped early.
var errStop = errors.New("stopped")

// stream runs read, which reads a whole file, as an iterator: its error, if
// any, is the last thing yielded.
func stream(read func(yield func(models.ImportedComment, error) bool) error) iter.Seq2[models.ImportedComment, error] {
	return func(yield func(models.ImportedComment, error) bool) {
		if err := read(yield); err != nil && err != errStop {
			yield(models.ImportedComment{}, err)
		}
	}
}
