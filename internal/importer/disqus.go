package importer

import (
	"cmp"
	"encoding/xml"
	"io"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/commentd/commentd/models"
)

// Disqus reads Disqus XML exports (Admin > Moderation > Export). Each
// <thread> is a post, named by its link (or its identifier: --post-id=id);
// each <post> a comment. A comment marked isSpam is spam and teaches spam; one
// marked isDeleted is trash; the others are approved and teach ham. Disqus
// lists every thread before the posts, so a post names a thread read already;
// the reader keeps each thread's post name and forum, the posts one at a time.
type Disqus struct {
	Options
	Stats Stats
}

// dsqThread is one <thread>.
type dsqThread struct {
	ID    string `xml:"id"` // the site's identifier, often empty
	Forum string `xml:"forum"`
	Link  string `xml:"link"`
}

// dsqPost is one <post>.
type dsqPost struct {
	Message   string `xml:"message"`
	CreatedAt string `xml:"createdAt"`
	IsDeleted string `xml:"isDeleted"`
	IsSpam    string `xml:"isSpam"`
	Author    struct {
		Email string `xml:"email"`
		Name  string `xml:"name"`
	} `xml:"author"`
	IP     string  `xml:"ipAddress"`
	Thread dsqRef  `xml:"thread"`
	Parent *dsqRef `xml:"parent"`
}

// dsqRef is a reference by dsq:id, as <thread dsq:id="7"/>.
type dsqRef struct {
	Attrs []xml.Attr `xml:",any,attr"`
}

// dsqID is the dsq:id attribute among attrs, or "".
func dsqID(attrs []xml.Attr) string {
	for _, a := range attrs {
		if a.Name.Local == "id" {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// thread is what the reader keeps of a thread for its posts.
type thread struct{ post, forum string }

// Comments yields the comments of the export r, one at a time as it reads it,
// and then, when the file is malformed or a comment cannot be imported, an
// *Error saying where.
func (d *Disqus) Comments(r io.Reader) iter.Seq2[models.ImportedComment, error] {
	return stream(func(yield func(models.ImportedComment, error) bool) error {
		return d.read(newXMLReader(r, "disqus", "Disqus"), yield)
	})
}

func (d *Disqus) read(x *xmlReader, yield func(models.ImportedComment, error) bool) error {
	threads := map[string]thread{}
	for {
		tok, err := x.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		a := x.here()
		switch name := start.Name.Local; {
		case x.depth() == 2 && name == "thread":
			var t dsqThread
			if err := x.decode(&t, start); err != nil {
				return err
			}
			id := dsqID(start.Attr)
			if id == "" {
				return a.fail("a <thread> without a dsq:id")
			}
			link := strings.TrimSpace(t.Link)
			threads[id] = thread{post: postName(d.Post, link, "", strings.TrimSpace(t.ID)), forum: strings.TrimSpace(t.Forum)}
			d.Stats.Posts++
		case x.depth() == 2 && name == "post":
			var p dsqPost
			if err := x.decode(&p, start); err != nil {
				return err
			}
			it, post, err := d.convert(p, dsqID(start.Attr), threads, a)
			if err != nil {
				return err
			}
			if err := emit(&d.Stats, it, post, yield); err != nil {
				return err
			}
		default:
			if x.depth() > 1 {
				if err := x.skip(); err != nil {
					return err
				}
			}
		}
	}
}

// convert reads one <post> with the dsq:id id, found at a, and names its post.
func (d *Disqus) convert(p dsqPost, id string, threads map[string]thread, a at) (models.ImportedComment, string, error) {
	if id == "" {
		return models.ImportedComment{}, "", a.fail("a <post> without a dsq:id")
	}
	tid := dsqID(p.Thread.Attrs)
	t, ok := threads[tid]
	if !ok {
		return models.ImportedComment{}, "", a.fail("post %s: its thread %q is not among the threads before it", id, tid)
	}
	if t.post == "" {
		field := "<link>"
		if d.Post == ByID {
			field = "<id>"
		}
		return models.ImportedComment{}, "", a.fail("post %s: thread %s has no %s to name its post by (--post-id=%s)",
			id, tid, field, cmp.Or(d.Post, ByPath))
	}
	spam, err1 := parseBool(p.IsSpam)
	deleted, err2 := parseBool(p.IsDeleted)
	if err1 != nil || err2 != nil {
		return models.ImportedComment{}, "", a.fail("post %s: isSpam %q or isDeleted %q is not true or false", id, p.IsSpam, p.IsDeleted)
	}
	created, ok := parseTime(strings.TrimSpace(p.CreatedAt), time.RFC3339, "2006-01-02T15:04:05")
	if !ok {
		return models.ImportedComment{}, "", a.fail("post %s: createdAt %q is not a time", id, p.CreatedAt)
	}
	st, class := models.StatusApproved, models.ClassHam
	switch {
	case spam:
		st, class = models.StatusSpam, models.ClassSpam
	case deleted:
		st, class = models.StatusTrash, models.ClassNone
	}
	site := cmp.Or(d.Site, t.forum)
	key := "disqus:" + site + ":"
	src := models.CommentSource{Key: key + id}
	if p.Parent != nil {
		if pid := dsqID(p.Parent.Attrs); pid != "" {
			src.ParentKey = key + pid
		}
	}
	c := models.Comment{
		Author: line(p.Author.Name), Email: line(p.Author.Email), IP: line(p.IP),
		Text: plainText(p.Message), Status: st, TrainedAs: class, CreatedAt: created,
	}
	return comment(src, c), t.post, nil
}

// parseBool reads "true" or "false"; empty is false.
func parseBool(s string) (bool, error) {
	if s = strings.TrimSpace(s); s == "" {
		return false, nil
	}
	return strconv.ParseBool(s)
}
