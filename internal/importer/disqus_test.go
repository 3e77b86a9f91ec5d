package importer

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/commentd/commentd/models"
)

func TestDisqusSample(t *testing.T) {
	const forum = "disqus:crumbandcrust:"
	wants := []want{
		{forum + "5100001", "", "2026/sourdough", "Jo", "jo@example.org", "", "203.0.113.41",
			models.StatusApproved, models.ClassHam, "2026-01-06 14:02:11",
			"Does the starter need feeding every day if it lives in the fridge?"},
		{forum + "5100002", forum + "5100001", "2026/sourdough", "Inès", "ines@example.org", "", "198.51.100.20",
			models.StatusApproved, models.ClassHam, "2026-01-06 15:30:00",
			"No – once a week is plenty. Take it out the night before.\n\nDetails: https://blog.example.org/2025/starter/"},
		{forum + "5100003", "", "2026/sourdough", "Best Deals", "sales@replica-deals.example", "", "192.0.2.66",
			models.StatusSpam, models.ClassSpam, "2026-01-07 03:00:00",
			"Cheap replica watches and casino bonus!!! Buy viagra online now: http://replica-deals.example/"},
		{forum + "5100004", "", "2026/rye-crackers", "Anaïs", "", "", "198.51.100.77",
			models.StatusTrash, models.ClassNone, "2026-02-02 09:15:00",
			"Ça a l'air délicieux ! Quelle farine de seigle utilisez-vous ?"},
		{forum + "5100005", forum + "5100004", "2026/rye-crackers", "Kenji 健二", "kenji@example.jp", "", "2001:db8::7",
			models.StatusApproved, models.ClassHam, "2026-02-02 11:40:00",
			"Crunchy and great with hummus. I added caraway seeds."},
	}
	d := &Disqus{}
	got := readAll(t, d.Comments(openSample(t, "disqus-sample.xml")))
	if len(got) != len(wants) {
		t.Fatalf("%d comments, want %d", len(got), len(wants))
	}
	for i, w := range wants {
		w.check(t, got[i])
	}
	if want := (Stats{Posts: 2, Comments: 5}); !reflect.DeepEqual(d.Stats, want) {
		t.Errorf("stats %+v, want %+v", d.Stats, want)
	}

	// By the thread's identifier: the second thread has none.
	d = &Disqus{Options: Options{Post: ByID, Site: "old"}}
	got, err := collect(d.Comments(openSample(t, "disqus-sample.xml")))
	if len(got) != 3 || got[0].Comment.Post != "sourdough-12" || got[0].Source.Key != "disqus:old:5100001" {
		t.Errorf("by id: %d comments, the first on %q keyed %q", len(got), got[0].Comment.Post, got[0].Source.Key)
	}
	if err == nil || !strings.Contains(err.Error(), "thread 7651269002 has no <id> to name its post by (--post-id=id)") {
		t.Errorf("by id: err = %v", err)
	}
}

func TestDisqusErrors(t *testing.T) {
	const thread = `<thread dsq:id="1"><forum>f</forum><link>https://b.example/p/</link></thread>`
	post := func(id, thread, extra string) string {
		return `<post dsq:id="` + id + `"><message>hi</message><createdAt>2026-01-02T03:04:05Z</createdAt>` +
			`<author><name>A</name></author><thread dsq:id="` + thread + `"/>` + extra + `</post>`
	}
	doc := func(body string) string {
		return `<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
` + body + "\n</disqus>"
	}
	tests := []struct {
		name, doc string
		n         int
		at, msg   string
	}{
		{"unknown thread", doc(thread + "\n" + post("9", "1", "") + "\n" + post("10", "2", "")), 1, "5:19",
			`post 10: its thread "2" is not among the threads before it`},
		{"bad flag", doc(thread + "\n" + post("9", "1", "<isSpam>maybe</isSpam>")), 0, "4:",
			`post 9: isSpam "maybe" or isDeleted "" is not true or false`},
		{"bad time", doc(thread + "\n" + strings.Replace(post("9", "1", ""), "2026-01-02T03:04:05Z", "soon", 1)), 0, "4:",
			`post 9: createdAt "soon" is not a time`},
		{"unclosed", doc(thread + "\n" + post("9", "1", "") + "\n<post dsq:id=\"10\"><message>hi</post>"), 1, "5:",
			"malformed XML: element <message> closed by </post>"},
		{"not Disqus", `<rss><channel/></rss>`, 0, "1:6", "not a Disqus export: the document is <rss>, not <disqus>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := collect((&Disqus{}).Comments(strings.NewReader(tt.doc)))
			var e *Error
			if !errors.As(err, &e) {
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
