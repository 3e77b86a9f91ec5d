package spam

import (
	"bytes"
	"fmt"
	"math"
	"reflect"
	"sync"
	"testing"

	"github.com/commentd/commentd/models"
)

// probeDocs are documents whose scores stand for a model's state in the tests.
var probeDocs = []Doc{
	{Text: "Buy cheap viagra online, fast shipping! http://pills.example.top", Author: "Pharmacy", Email: "x@pills.example.top"},
	{Text: "I made this soup last night and my kids loved it. Thanks for the recipe!", Author: "Maria", Email: "maria@gmail.com"},
	{Text: "Great post. Check out my site for cheap backlinks and SEO", URL: "https://seo.example.xyz"},
	{Text: "Does the dough need to rest overnight in the fridge?"},
	{Text: "zzqx unseenword anotherunseen"},
}

// state is what a test compares between two models: sizes and the full Score
// output of every probe document.
type state struct {
	Stats  Stats
	Scores []float64
	Tokens [][]models.TokenWeight
}

func stateOf(m *Model) state {
	s := state{Stats: counts(m)}
	for _, d := range probeDocs {
		score, tw := m.Score(Tokenize(d), 1000)
		s.Scores = append(s.Scores, score)
		s.Tokens = append(s.Tokens, tw)
	}
	return s
}

// counts is m's Stats without the memory estimate, which depends on the
// zero counts Unlearn leaves behind until the next rebuild.
func counts(m *Model) Stats {
	s := m.Stats()
	s.MemoryBytes = 0
	return s
}

func TestScoreEmpty(t *testing.T) {
	tests := []struct {
		name   string
		model  func() *Model
		tokens []string
	}{
		{"empty model", NewModel, []string{"viagra"}},
		{"one class only", func() *Model {
			m := NewModel()
			m.Learn([]string{"viagra"}, models.ClassSpam)
			return m
		}, []string{"viagra"}},
		{"no known tokens", NewStarterModel, []string{"qqqzzz", "xxyyzz"}},
		{"no tokens", NewStarterModel, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			score, tw := tt.model().Score(tt.tokens, 5)
			if score != 0.5 || len(tw) != 0 {
				t.Errorf("Score = %v, %v; want 0.5 and no tokens", score, tw)
			}
		})
	}
}

func TestScoreWeights(t *testing.T) {
	m := NewModel()
	for range 5 {
		m.Learn([]string{"viagra", "cheap", "the"}, models.ClassSpam)
		m.Learn([]string{"recipe", "thanks", "the"}, models.ClassHam)
	}
	score, tw := m.Score([]string{"viagra", "cheap", "cheap", "the", "unknown"}, 10)
	if score <= 0.5 || score > 1 {
		t.Errorf("score = %v, want in (0.5, 1]", score)
	}
	// Seen in 5 of 5 spam and 0 of 5 ham: f = (3/2 + 5) / (3 + 5), weight log(f/(1-f)).
	// Ties keep the document's order.
	want := []models.TokenWeight{{Token: "viagra", Weight: math.Log(6.5 / 1.5)}, {Token: "cheap", Weight: math.Log(6.5 / 1.5)}, {Token: "the", Weight: 0}}
	if len(tw) != len(want) {
		t.Fatalf("tokens = %v, want %v", tw, want)
	}
	for i := range want {
		if tw[i].Token != want[i].Token || math.Abs(tw[i].Weight-want[i].Weight) > 1e-12 {
			t.Errorf("tokens[%d] = %v, want %v", i, tw[i], want[i])
		}
	}
	if _, tw := m.Score([]string{"viagra", "cheap"}, 1); len(tw) != 1 {
		t.Errorf("n=1 gave %d tokens", len(tw))
	}
	if _, tw := m.Score([]string{"viagra"}, 0); tw != nil {
		t.Errorf("n=0 gave %v", tw)
	}
	if s, _ := m.Score([]string{"recipe", "thanks"}, 0); s >= 0.5 {
		t.Errorf("ham score = %v, want < 0.5", s)
	}
}

func TestLearnUnlearnInverse(t *testing.T) {
	docs := []struct {
		doc   Doc
		class models.Class
	}{
		{Doc{Text: "Brand new tokens: qwertyuiop asdfghjkl, cheap cheap viagra"}, models.ClassSpam},
		{Doc{Text: "I loved the recipe, thanks! brandnewhamword"}, models.ClassHam},
		{Doc{Text: "Great post, visit https://new-site.example.biz", URL: "https://new-site.example.biz"}, models.ClassSpam},
		{Doc{Text: "recipe recipe recipe"}, models.ClassSpam}, // a ham word learned as spam
	}
	m := NewStarterModel()
	before := stateOf(m)
	for _, d := range docs {
		m.Learn(Tokenize(d.doc), d.class)
	}
	if reflect.DeepEqual(stateOf(m), before) {
		t.Fatal("Learn changed nothing")
	}
	for i := len(docs) - 1; i >= 0; i-- {
		m.Unlearn(Tokenize(docs[i].doc), docs[i].class)
	}
	if after := stateOf(m); !reflect.DeepEqual(after, before) {
		t.Errorf("after Learn and Unlearn:\n%+v\nwant\n%+v", after, before)
	}
}

func TestUnlearnNeverNegative(t *testing.T) {
	m := NewModel()
	m.Unlearn([]string{"a", "b"}, models.ClassSpam) // nothing to take back
	m.Learn([]string{"a"}, models.ClassHam)
	m.Unlearn([]string{"a"}, models.ClassSpam) // the wrong class
	m.Unlearn([]string{"a", "a", "c"}, models.ClassHam)
	m.Unlearn([]string{"a"}, models.ClassHam) // once too often
	if got := counts(m); got != (Stats{}) {
		t.Errorf("Stats = %+v, want all zero", got)
	}
	m.Learn([]string{"a", "b"}, models.ClassHam)
	m.Learn([]string{"a", "x"}, models.ClassSpam)
	want := Stats{HamDocs: 1, SpamDocs: 1, HamTokens: 2, SpamTokens: 2, Vocabulary: 3}
	if got := counts(m); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
}

func TestLearnIgnores(t *testing.T) {
	m := NewModel()
	m.Learn([]string{"a"}, models.ClassNone)
	m.Learn([]string{"", probe}, models.ClassHam)
	want := Stats{HamDocs: 1}
	if got := counts(m); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
}

func TestConcurrentUse(t *testing.T) {
	m := NewStarterModel()
	toks := make([][]string, len(probeDocs))
	for i, d := range probeDocs {
		toks[i] = Tokenize(d)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				s, _ := m.Score(toks[(g+i)%len(toks)], 5)
				if s < 0 || s > 1 || math.IsNaN(s) {
					t.Errorf("score %v", s)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 200 {
			d := []string{fmt.Sprintf("tok%d", i), "viagra", "recipe"}
			m.Learn(d, models.ClassSpam)
			if i%2 == 0 {
				m.Unlearn(d, models.ClassSpam)
			}
		}
	})
	wg.Go(func() {
		for range 20 {
			if err := m.WriteSnapshot(&bytes.Buffer{}); err != nil {
				t.Error(err)
			}
			m.Stats()
		}
	})
	wg.Wait()
	if got := m.Stats().SpamDocs - NewStarterModel().Stats().SpamDocs; got != 100 {
		t.Errorf("spam docs grew by %d, want 100", got)
	}
}
