package importer

import (
	"errors"
	"iter"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/commentd/commentd/models"
)

// fakeTokens stands in for the filter's tokenizer.
func fakeTokens(c models.NewComment) []string {
	return []string{"post:" + c.Post, "author:" + c.Author}
}

// readAll reads every comment, or fails.
func readAll(t *testing.T, items iter.Seq2[models.ImportedComment, error]) []models.ImportedComment {
	t.Helper()
	got, err := collect(items)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return got
}

// collect runs a reader to its end: the comments, then the error.
func collect(items iter.Seq2[models.ImportedComment, error]) ([]models.ImportedComment, error) {
	var out []models.ImportedComment
	for it, err := range items {
		if err != nil {
			return out, err
		}
		out = append(out, it)
	}
	return out, nil
}

func utc(s string) time.Time {
	t, err := time.Parse(time.DateTime, s)
	if err != nil {
		panic(err)
	}
	return t
}

// want is an expected comment of a sample file.
type want struct {
	key, parent, post      string
	author, email, url, ip string
	status                 models.Status
	class                  models.Class
	created                string
	text                   string
}

func (w want) check(t *testing.T, got models.ImportedComment) {
	t.Helper()
	c := models.Comment{Post: w.post, Author: w.author, Email: w.email, URL: w.url, IP: w.ip, Text: w.text,
		Status: w.status, TrainedAs: w.class, CreatedAt: utc(w.created), UpdatedAt: utc(w.created),
		Reasons: models.Reasons{Rules: []string{"imported"}}}
	if !reflect.DeepEqual(got.Comment, c) {
		t.Errorf("%s:\n got %+v\nwant %+v", w.key, got.Comment, c)
	}
	if src := (models.CommentSource{Key: w.key, ParentKey: w.parent}); got.Source != src {
		t.Errorf("%s: source %+v, want %+v", w.key, got.Source, src)
	}
}

func openSample(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestWordPressSample(t *testing.T) {
	const site = "wordpress:blog.example.org:"
	wants := []want{
		{site + "101", "", "2026/sourdough", "Maria", "maria@example.org", "https://maria.example.net", "203.0.113.5",
			models.StatusApproved, models.ClassHam, "2026-01-06 09:31:02",
			"I tried this with rye flour and it rose beautifully. How long do you proof overnight?\n\nMy kitchen is cold in January – about 16°C."},
		{site + "102", site + "101", "2026/sourdough", "Inès", "ines@example.org", "https://blog.example.org", "198.51.100.20",
			models.StatusApproved, models.ClassHam, "2026-01-06 11:02:45",
			"At 16\u00a0°C I give it 12 hours, sometimes 14.\n\nSee my starter notes (https://blog.example.org/2025/starter/) — the float test helps."},
		{site + "103", site + "102", "2026/sourdough", "Maria", "maria@example.org", "https://maria.example.net", "203.0.113.5",
			models.StatusApproved, models.ClassHam, "2026-01-07 06:45:10",
			`Thank you! Baked it this morning, the crumb is lovely. I wrote "if x < 3 then fold" on a sticky note ]]> the fridge.`},
		{site + "104", "", "2026/sourdough", "Best Replica Watches", "sales@replica-deals.example", "http://replica-deals.example/cheap", "192.0.2.66",
			models.StatusSpam, models.ClassSpam, "2026-01-08 02:12:00",
			"Cheap replica watches, casino bonus and viagra online!!! Buy now at best prices (http://replica-deals.example/cheap), " +
				"free shipping, 90% off, limited offer, click here casino bonus (http://casino-bonus.example/)"},
		{site + "201", "", "2026/focaccia", "Kenji 健二", "kenji@example.jp", "", "2001:db8::7",
			models.StatusPending, models.ClassNone, "2026-02-16 00:20:00",
			"美味しそう！ I used olive oil from Crete 🫒 and rosemary. Does it freeze well?"},
		{site + "202", "", "2026/focaccia", "Tom O'Neill", "tom@example.com", "", "203.0.113.80",
			models.StatusTrash, models.ClassNone, "2026-02-17 18:05:00",
			"Wrong post, sorry – meant to ask about the brioche."},
		{site + "203", "", "2026/focaccia", "Anaïs", "anais@example.fr", "", "198.51.100.77",
			models.StatusApproved, models.ClassHam, "2026-02-18 11:00:00",
			"Made it for twelve people, gone in ten minutes. Merci !"},
		{site + "204", site + "203", "2026/focaccia", "Payday Loans Fast", "loans@cash-now.example", "http://cash-now.example/", "192.0.2.67",
			models.StatusSpam, models.ClassSpam, "2026-02-19 04:44:00",
			"Need cash fast? Payday loans approved in minutes, no credit check!!! Visit http://cash-now.example/ bitcoin casino bonus crypto investment double your money"},
	}
	w := &WordPress{}
	got := readAll(t, w.Comments(openSample(t, "wordpress-sample.xml")))
	if len(got) != len(wants) {
		t.Fatalf("%d comments, want %d", len(got), len(wants))
	}
	for i, w := range wants {
		w.check(t, got[i])
	}
	if want := (Stats{Posts: 3, Comments: 8, Skipped: map[string]int{"pingback": 1, "trackback": 1}}); !reflect.DeepEqual(w.Stats, want) {
		t.Errorf("stats %+v, want %+v", w.Stats, want)
	}
}

func TestWordPressPostNames(t *testing.T) {
	tests := []struct {
		post PostName
		site string
		want string // the post of the first comment
		key  string
	}{
		{ByPath, "", "2026/sourdough", "wordpress:blog.example.org:101"},
		{ByLink, "", "https://blog.example.org/2026/sourdough/", "wordpress:blog.example.org:101"},
		{ByGUID, "", "https://blog.example.org/?p=12", "wordpress:blog.example.org:101"},
		{ByID, "old-blog", "12", "wordpress:old-blog:101"},
	}
	for _, tt := range tests {
		t.Run(string(tt.post), func(t *testing.T) {
			w := &WordPress{Options: Options{Post: tt.post, Site: tt.site}}
			got := readAll(t, w.Comments(openSample(t, "wordpress-sample.xml")))
			if got[0].Comment.Post != tt.want || got[0].Source.Key != tt.key {
				t.Errorf("post %q, key %q; want %q, %q", got[0].Comment.Post, got[0].Source.Key, tt.want, tt.key)
			}
		})
	}
}

// wxr wraps items in a WXR document; the first item starts on line 4.
func wxr(items string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>
<wp:base_blog_url>https://blog.example.org</wp:base_blog_url>
` + items + `
</channel></rss>
`
}

// wxrComment is a comment element with the given id, date and extra fields.
func wxrCommentXML(id, date, extra string) string {
	return `<wp:comment><wp:comment_id>` + id + `</wp:comment_id><wp:comment_author>A</wp:comment_author>` +
		`<wp:comment_date_gmt>` + date + `</wp:comment_date_gmt><wp:comment_content>hi</wp:comment_content>` +
		`<wp:comment_approved>1</wp:comment_approved>` + extra + `</wp:comment>`
}

func TestWordPressErrors(t *testing.T) {
	good := wxrCommentXML("1", "2026-01-02 03:04:05", "")
	truncated := wxr("<item><link>https://b.example/p/</link>\n" + good + "</item>\n<item><link>https://b.example/q/</link>" +
		wxrCommentXML("2", "2026-01-02 03:04:05", "") + "</item>")
	truncated = truncated[:strings.LastIndex(truncated, "<wp:comment_content>")]
	tests := []struct {
		name, doc string
		n         int    // comments read before the error
		at        string // "line:column" of the error
		msg       string
	}{
		{"unclosed element", wxr("<item><link>https://b.example/p/</link>\n" + good + "\n<wp:comment><wp:comment_id>2</wp:comment_id>\n</item>"),
			1, "7:8", "malformed XML: element <comment> closed by </item>"},
		{"truncated", truncated, 1, "6:", "malformed XML: unexpected EOF"},
		{"bad character", wxr("<item><link>https://b.example/p/</link>\n" + wxrCommentXML("1", "2026-01-02 03:04:05", "\x01") + "</item>"),
			0, "5:", "malformed XML: illegal character code U+0001"},
		{"not WXR", `<?xml version="1.0"?>` + "\n<disqus></disqus>", 0, "2:9", "not a WordPress export: the document is <disqus>, not <rss>"},
		{"empty", "", 0, "1:1", "not a WordPress export: no <rss> element"},
		{"bad comment id", wxr("<item><link>https://b.example/p/</link>\n" + wxrCommentXML("x1", "2026-01-02 03:04:05", "") + "</item>"),
			0, "5:13", `wp:comment_id "x1" is not a comment id`},
		{"bad date", wxr("<item><link>https://b.example/p/</link>\n" + good + wxrCommentXML("2", "yesterday", "") + "</item>"),
			1, "5:", `comment 2: wp:comment_date "" is not a time`},
		{"no link", wxr("<item>\n<wp:post_id>3</wp:post_id>" + good + "</item>"), 0, "4:7",
			"this item has comments but no <link> to name its post by (--post-id=path)"},
		{"no site", strings.Replace(wxr("<item><link>/p/</link>"+good+"</item>"), "<wp:base_blog_url>https://blog.example.org</wp:base_blog_url>", "", 1),
			0, "4:", "the file names no site"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &WordPress{}
			got, err := collect(w.Comments(strings.NewReader(tt.doc)))
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, models.ErrInvalid) {
				t.Fatalf("err = %v, want an *Error", err)
			}
			if !strings.HasPrefix(err.Error(), tt.at) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %q, want %q… %q", err, tt.at, tt.msg)
			}
			if len(got) != tt.n {
				t.Errorf("%d comments before the error, want %d", len(got), tt.n)
			}
		})
	}
}

// TestWordPressLateLink reads an item whose link comes after its comments.
func TestWordPressLateLink(t *testing.T) {
	doc := wxr("<item>" + wxrCommentXML("7", "2026-01-02 03:04:05", "") + "<link>https://blog.example.org/late/</link></item>")
	got, err := collect((&WordPress{}).Comments(strings.NewReader(doc)))
	if err != nil || len(got) != 1 || got[0].Comment.Post != "late" {
		t.Fatalf("got %+v, %v; want one comment on post late", got, err)
	}
}

// TestWordPressStop stops reading after the first comment.
func TestWordPressStop(t *testing.T) {
	n := 0
	for _, err := range (&WordPress{}).Comments(openSample(t, "wordpress-sample.xml")) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		break
	}
	if n != 1 {
		t.Fatalf("read %d", n)
	}
}

// TestWordPressAuthorURL keeps an author's URL only when it is a web address,
// as a posted comment's must be: anything else would reach the public API.
func TestWordPressAuthorURL(t *testing.T) {
	tests := []struct {
		name, url, want string
	}{
		{"https", "https://ada.example.org/about", "https://ada.example.org/about"},
		{"http with spaces", "  http://ada.example.org  ", "http://ada.example.org"},
		{"javascript", "javascript:alert(document.cookie)", ""},
		{"javascript in capitals", "JAVASCRIPT:alert(1)", ""},
		{"javascript as an entity", "javascript&#58;alert(1)", ""},
		{"javascript split by a line break", "java\nscript:alert(1)", ""},
		{"data", "data:text/html;base64,PHNjcmlwdD4=", ""},
		{"ftp", "ftp://files.example.org/", ""},
		{"no scheme", "www.example.org", ""},
		{"no host", "http://", ""},
		{"credentials", "https://user:pw@example.org/", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := wxr("<item><link>https://blog.example.org/p/</link>" + wxrCommentXML("1", "2026-01-02 03:04:05",
				"<wp:comment_author_url><![CDATA["+tt.url+"]]></wp:comment_author_url>") + "</item>")
			got := readAll(t, (&WordPress{}).Comments(strings.NewReader(doc)))
			if len(got) != 1 || got[0].Comment.URL != tt.want {
				t.Fatalf("got %+v, want one comment with url %q", got, tt.want)
			}
		})
	}
}
