package spam

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/commentd/commentd/models"
)

// comment300 is a 300-character comment with a link, like much of what the filter sees.
var comment300 = Doc{
	Author: "Jessica Miller",
	Email:  "jessica.miller@gmail.com",
	URL:    "https://jessicas-kitchen.example.com",
	Text: "Great recipe! I tried it last weekend with my kids and we loved it. I used brown sugar instead " +
		"of white and added a pinch of cinnamon. By the way, I wrote about a similar cake on my blog " +
		"https://jessicas-kitchen.example.com/cakes/apple - would you mind if I linked to your post from mine? Thanks!!",
}

// syntheticModel returns a model of about vocab distinct tokens, with a few
// thousand documents per class, and comment300's tokens known to it.
func syntheticModel(vocab int) *Model {
	m := NewModel()
	r := rand.New(rand.NewPCG(1, 2))
	doc := make([]string, 60)
	for i := 0; i < vocab/30; i++ {
		for j := range doc {
			if j < 30 {
				doc[j] = fmt.Sprintf("w%d", (i*30+j)%vocab) // every token at least once
			} else {
				doc[j] = fmt.Sprintf("w%d", r.IntN(vocab))
			}
		}
		m.Learn(doc, []models.Class{models.ClassHam, models.ClassSpam}[i%2])
	}
	toks := Tokenize(comment300)
	m.Learn(toks[:len(toks)/2], models.ClassHam)
	m.Learn(toks[len(toks)/3:], models.ClassSpam)
	return m
}

// BenchmarkScore300 scores comment300, already tokenized, and then (Classify)
// tokenizes and scores it: the throughput the issue asks for is
// comments/s of vocab100k/classify on one core (go test -bench . -cpu 1).
func BenchmarkScore300(b *testing.B) {
	if n := len(comment300.Text); n < 290 || n > 310 {
		b.Fatalf("comment300 is %d characters", n)
	}
	toks := Tokenize(comment300)
	for _, bm := range []struct {
		name  string
		model *Model
	}{
		{"starter", NewStarterModel()},
		{"vocab100k", syntheticModel(100_000)},
	} {
		b.Run(bm.name+"/score", func(b *testing.B) {
			b.Logf("%+v, %d tokens", bm.model.Stats(), len(toks))
			b.ReportAllocs()
			for b.Loop() {
				bm.model.Score(toks, 10)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "comments/s")
		})
		b.Run(bm.name+"/classify", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bm.model.Classify(comment300, 10)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "comments/s")
		})
	}
}

func BenchmarkTokenize(b *testing.B) {
	for _, bm := range []struct {
		name string
		doc  Doc
	}{
		{"300", comment300},
		{"html-unicode", Doc{Text: `<p>Ｂｕｙ <b>vi</b>agra&nbsp;&amp; c1al1s at <a href="http://x.example.top/p">here</a>` +
			" \u200bсheap!!! v i a g r a +1 (555) 123-4567 café naïve 日本語</p>"}},
		{"20k", Doc{Text: strings.Repeat(comment300.Text+" ", 70)}},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(len(bm.doc.Text)))
			b.ReportAllocs()
			for b.Loop() {
				Tokenize(bm.doc)
			}
		})
	}
}

// BenchmarkLearn teaches a model of 100k tokens comment300 with ten tokens
// it has not seen, as a moderator's decision would.
func BenchmarkLearn(b *testing.B) {
	m := syntheticModel(100_000)
	base := Tokenize(comment300)
	fresh := make([]string, 100_000)
	for i := range fresh {
		fresh[i] = fmt.Sprintf("fresh%d", i)
	}
	doc := make([]string, len(base)+10)
	copy(doc, base)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		copy(doc[len(base):], fresh[i%len(fresh):][:10])
		m.Learn(doc, models.ClassHam)
		i += 10
	}
}
