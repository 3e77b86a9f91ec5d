// Package importertest writes large exports for the importer's tests and
// benchmarks, on the fly, so that no test keeps a file of hundreds of
// megabytes.
package importertest

import (
	"bufio"
	"fmt"
	"io"
)

// Sentences the generated comments are made of: mostly ham, some spam.
var (
	ham = []string{
		"I tried this with rye flour and it rose beautifully.",
		"How long do you proof the dough overnight in a cold kitchen?",
		"Thanks for the detailed notes &amp; the photos, they helped a lot.",
		"Mine came out a little dense; I think my starter was not ready yet.",
		"Ça marche aussi avec de la farine d'épeautre, merci beaucoup !",
		"We baked two loaves for the weekend and they were gone by Sunday.",
		"<p>Could you share the hydration you used?</p><p>I am at 70%.</p>",
		"The crust was <strong>perfect</strong> after twenty minutes with the lid on.",
	}
	spam = []string{
		"Cheap replica watches and casino bonus, buy now!!!",
		"Payday loans approved in minutes, no credit check, visit <a href=\"http://cash.example/\">cash now</a>",
		"Best crypto investment, double your bitcoin today http://coins.example/",
	}
)

// WriteWXR writes a WordPress export of n comments, perPost to a post: two in
// three approved, one in ten spam, the rest pending; every fourth a reply to
// the comment before it. Each comment is about 900 bytes of XML.
func WriteWXR(w io.Writer, n, perPost int) error {
	b := bufio.NewWriterSize(w, 64<<10)
	fmt.Fprint(b, `<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
	<title>Generated</title>
	<link>https://big.example.org</link>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:base_blog_url>https://big.example.org</wp:base_blog_url>
`)
	for i := 0; i < n; i++ {
		if i%perPost == 0 {
			if i > 0 {
				fmt.Fprint(b, "\t</item>\n")
			}
			post := i / perPost
			fmt.Fprintf(b, `	<item>
		<title><![CDATA[Post %d]]></title>
		<link>https://big.example.org/%d/post-%d/</link>
		<guid isPermaLink="false">https://big.example.org/?p=%d</guid>
		<content:encoded><![CDATA[<p>The body of post %d, which the importer skips.</p>]]></content:encoded>
		<wp:post_id>%d</wp:post_id>
		<wp:post_type><![CDATA[post]]></wp:post_type>
`, post, 2000+post%20, post, post, post, post)
		}
		id, parent := i+1, 0
		if i%4 == 3 && i%perPost != 0 {
			parent = id - 1
		}
		approved, text := "1", ham[i%len(ham)]+" "+ham[(i/7)%len(ham)]
		switch {
		case i%10 == 9:
			approved, text = "spam", spam[i%len(spam)]+" "+spam[(i/3)%len(spam)]
		case i%3 == 2:
			approved = "0"
		}
		fmt.Fprintf(b, `		<wp:comment>
			<wp:comment_id>%d</wp:comment_id>
			<wp:comment_author><![CDATA[Reader %d]]></wp:comment_author>
			<wp:comment_author_email><![CDATA[reader%d@example.org]]></wp:comment_author_email>
			<wp:comment_author_url>https://reader%d.example.net</wp:comment_author_url>
			<wp:comment_author_IP><![CDATA[203.0.%d.%d]]></wp:comment_author_IP>
			<wp:comment_date><![CDATA[2025-%02d-%02d %02d:%02d:%02d]]></wp:comment_date>
			<wp:comment_date_gmt><![CDATA[2025-%02d-%02d %02d:%02d:%02d]]></wp:comment_date_gmt>
			<wp:comment_content><![CDATA[%s (comment %d)]]></wp:comment_content>
			<wp:comment_approved><![CDATA[%s]]></wp:comment_approved>
			<wp:comment_type><![CDATA[comment]]></wp:comment_type>
			<wp:comment_parent>%d</wp:comment_parent>
			<wp:comment_user_id>0</wp:comment_user_id>
		</wp:comment>
`, id, i%5000, i%5000, i%5000, (i/256)%256, i%256,
			1+i%12, 1+i%28, i%24, i%60, i%60, 1+i%12, 1+i%28, i%24, i%60, i%60,
			text, id, approved, parent)
	}
	if n > 0 {
		fmt.Fprint(b, "\t</item>\n")
	}
	fmt.Fprint(b, "</channel>\n</rss>\n")
	return b.Flush()
}
