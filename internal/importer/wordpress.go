package importer

import (
	"cmp"
	"encoding/xml"
	"io"
	"iter"
	"strconv"
	"strings"

	"github.com/commentd/commentd/models"
)

// WordPress reads WordPress eXtended RSS exports (WXR 1.0 to 1.2: Tools >
// Export in WordPress). Each <item> is a post, its <wp:comment> elements its
// comments. Comments keep their author, email, URL, IP, time (comment_date_gmt)
// and status: approved (1) -> approved, teaching ham; 0 -> pending; spam ->
// spam, teaching spam; trash and post-trashed -> trash. Pingbacks, trackbacks
// and other types of comment than "comment" and "review" (WooCommerce notes
// and the like) are skipped and counted in Stats.Skipped by type.
type WordPress struct {
	Options
	Stats Stats
}

// wxrComment is one <wp:comment>.
type wxrComment struct {
	ID       string `xml:"comment_id"`
	Author   string `xml:"comment_author"`
	Email    string `xml:"comment_author_email"`
	URL      string `xml:"comment_author_url"`
	IP       string `xml:"comment_author_IP"`
	Date     string `xml:"comment_date"`
	DateGMT  string `xml:"comment_date_gmt"`
	Content  string `xml:"comment_content"`
	Approved string `xml:"comment_approved"`
	Type     string `xml:"comment_type"`
	Parent   string `xml:"comment_parent"`
}

// wxrItem is the <item> being read: the fields that name its post, and its
// comments while the field that names the post has not come yet.
type wxrItem struct {
	at                 at
	link, guid, postID string
	waiting            []models.ImportedComment
}

// wxrDate is the layout of comment_date and comment_date_gmt.
const wxrDate = "2006-01-02 15:04:05"

// Comments yields the comments of the export r, one at a time as it reads it,
// and then, when the file is malformed or a comment cannot be imported, an
// *Error saying where. It holds one item's comments at most, and only when the
// field that names their post comes after them.
func (w *WordPress) Comments(r io.Reader) iter.Seq2[models.ImportedComment, error] {
	return stream(func(yield func(models.ImportedComment, error) bool) error {
		return w.read(newXMLReader(r, "rss", "WordPress"), yield)
	})
}

func (w *WordPress) read(x *xmlReader, yield func(models.ImportedComment, error) bool) error {
	var (
		site = w.Site
		link string // the channel's, when there is no wp:base_blog_url
		item *wxrItem
	)
	for {
		tok, err := x.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if end, ok := tok.(xml.EndElement); ok {
			if end.Name.Local == "item" && x.depth() == 2 && item != nil {
				if err := w.endItem(item, yield); err != nil {
					return err
				}
				item = nil
			}
			continue
		}
		start := tok.(xml.StartElement)
		name, wp := start.Name.Local, strings.HasPrefix(start.Name.Space, "http://wordpress.org/export/")
		switch depth := x.depth(); {
		case depth == 1, depth == 2 && name == "channel":
		case depth == 3 && name == "item":
			item = &wxrItem{at: x.here()}
			w.Stats.Posts++
		case depth == 3 && name == "base_blog_url" && wp, depth == 3 && name == "link" && start.Name.Space == "":
			s, err := x.text(start)
			if err != nil {
				return err
			}
			if name == "link" {
				link = s
			} else if w.Site == "" {
				site = siteOf(s)
			}
		case depth == 4 && item != nil && (name == "link" || name == "guid") && start.Name.Space == "",
			depth == 4 && item != nil && name == "post_id" && wp:
			s, err := x.text(start)
			if err != nil {
				return err
			}
			switch s = strings.TrimSpace(s); name {
			case "link":
				item.link = s
			case "guid":
				item.guid = s
			default:
				item.postID = s
			}
		case depth == 4 && item != nil && name == "comment" && wp:
			a := x.here()
			var c wxrComment
			if err := x.decode(&c, start); err != nil {
				return err
			}
			if site == "" {
				site = siteOf(link)
			}
			if site == "" {
				return a.fail("the file names no site (wp:base_blog_url or the channel's link) before its first comment; name one with --site")
			}
			it, ok, err := w.convert(c, site, a)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			if post := w.post(item); post == "" {
				item.waiting = append(item.waiting, it)
			} else if err := emit(&w.Stats, it, post, yield); err != nil {
				return err
			}
		default:
			if err := x.skip(); err != nil {
				return err
			}
		}
	}
}

// post names the item's post, or is "" while the field that names it has not come.
func (w *WordPress) post(item *wxrItem) string {
	return postName(w.Post, item.link, item.guid, item.postID)
}

// endItem yields the comments that waited for their post's name.
func (w *WordPress) endItem(item *wxrItem, yield func(models.ImportedComment, error) bool) error {
	if len(item.waiting) == 0 {
		return nil
	}
	post := w.post(item)
	if post == "" {
		field := map[PostName]string{ByPath: "link", ByLink: "link", ByGUID: "guid", ByID: "wp:post_id"}[cmp.Or(w.Post, ByPath)]
		return item.at.fail("this item has comments but no <%s> to name its post by (--post-id=%s)", field, cmp.Or(w.Post, ByPath))
	}
	for _, it := range item.waiting {
		if err := emit(&w.Stats, it, post, yield); err != nil {
			return err
		}
	}
	return nil
}

// convert reads one <wp:comment> found at a; ok is false for a type of
// comment that is not imported.
func (w *WordPress) convert(c wxrComment, site string, a at) (it models.ImportedComment, ok bool, err error) {
	id, err := strconv.ParseInt(strings.TrimSpace(c.ID), 10, 64)
	if err != nil || id <= 0 {
		return it, false, a.fail("wp:comment_id %q is not a comment id", c.ID)
	}
	switch typ := strings.ToLower(strings.TrimSpace(c.Type)); typ {
	case "", "comment", "review":
	default:
		w.Stats.skip(typ)
		return it, false, nil
	}
	var st models.Status
	var class models.Class
	switch strings.TrimSpace(c.Approved) {
	case "1", "approve", "approved":
		st, class = models.StatusApproved, models.ClassHam
	case "spam":
		st, class = models.StatusSpam, models.ClassSpam
	case "trash", "post-trashed":
		st = models.StatusTrash
	default: // 0, and anything unknown: a moderator should look
		st = models.StatusPending
	}
	created, ok := parseTime(strings.TrimSpace(c.DateGMT), wxrDate)
	if !ok || created.Year() < 1971 { // 0000-00-00 00:00:00: unknown; the site's local time is the next best
		if created, ok = parseTime(strings.TrimSpace(c.Date), wxrDate); !ok {
			return it, false, a.fail("comment %d: wp:comment_date %q is not a time", id, c.Date)
		}
	}
	key := "wordpress:" + site + ":"
	src := models.CommentSource{Key: key + strconv.FormatInt(id, 10)}
	if p := strings.TrimSpace(c.Parent); p != "" && p != "0" {
		src.ParentKey = key + p
	}
	cm := models.Comment{
		Author: line(c.Author), Email: line(c.Email), URL: models.WebURL(line(c.URL)), IP: line(c.IP),
		Text: plainText(c.Content), Status: st, TrainedAs: class, CreatedAt: created,
	}
	return comment(src, cm), true, nil
}
