package embed

import (
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Comment is one approved comment as the comment page shows it.
type Comment struct {
	ID        int64
	Parent    int64 // 0: top level
	Author    string
	URL       string
	Avatar    string        // the SHA-256 hex of the email, as the public API gives it
	HTML      template.HTML // internal/render's output: the text escaped, bare links made safe
	CreatedAt time.Time
}

// Page is one page of a post's comments, oldest first, with the comment form.
type Page struct {
	Post     string
	Count    int // approved comments of the post
	Comments []Comment
	Cursor   string // where this page starts; "" for the first
	Limit    int    // comments per page asked for; 0: the default
	Next     string // the cursor of the next page; "" on the last
	ReplyTo  int64  // the comment the form answers, when it is on this page
	Notice   string // the form flow's outcome: "approved", "awaiting_moderation" or ""
}

// node is a comment with its replies, as the page nests them.
type node struct {
	Comment
	Replies   []*node
	Orphan    bool   // a reply whose parent is on an earlier page
	ReplyLink string // this page with the form answering the comment
}

// pageView is what the page template reads.
type pageView struct {
	Page
	CSS      template.CSS
	Honeypot string
	Thread   []*node
}

// Self is this page's own address, the form's way back (without the reply).
func (v pageView) Self() string { return v.link(v.Cursor, 0) }

// More is the address of the next page, or "".
func (v pageView) More() string {
	if v.Next == "" {
		return ""
	}
	return v.link(v.Next, 0)
}

// Cancel is this page without a reply in the form.
func (v pageView) Cancel() string { return v.Self() + "#respond" }

func (v pageView) link(cursor string, reply int64) string {
	q := url.Values{}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if v.Limit > 0 {
		q.Set("limit", strconv.Itoa(v.Limit))
	}
	if reply != 0 {
		q.Set("reply", strconv.FormatInt(reply, 10))
	}
	return Path(v.Post, q)
}

// ReplyTarget returns the comment the form answers, or nil.
func (v pageView) ReplyTarget() *Comment {
	for i := range v.Comments {
		if v.Comments[i].ID == v.ReplyTo && v.ReplyTo != 0 {
			return &v.Comments[i]
		}
	}
	return nil
}

// Path is the address (path and query) of post's comment page: /embed/POST, or
// /embed?post=POST for ids that cannot be one path segment, such as 2026/bread.
func Path(post string, q url.Values) string {
	v := url.Values{}
	for k, vs := range q {
		v[k] = vs
	}
	p := "/embed/" + url.PathEscape(post)
	if post == "" || post == "." || post == ".." || strings.Contains(post, "/") {
		p = "/embed"
		v.Set("post", post)
	}
	if len(v) > 0 {
		p += "?" + v.Encode()
	}
	return p
}

// thread nests the page's comments under their parents, keeping the order
// (oldest first). A reply whose parent is not on the page stays at the top
// level, marked as an orphan.
func thread(p pageView) []*node {
	byID := make(map[int64]*node, len(p.Comments))
	var top []*node
	for _, c := range p.Comments {
		n := &node{Comment: c, ReplyLink: p.link(p.Cursor, c.ID) + "#respond"}
		byID[c.ID] = n
		parent, ok := byID[c.Parent]
		switch {
		case c.Parent != 0 && ok:
			parent.Replies = append(parent.Replies, n)
		default:
			n.Orphan = c.Parent != 0
			top = append(top, n)
		}
	}
	return top
}
