package eval

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/commentd/commentd/internal/moderation"
	"github.com/commentd/commentd/internal/spam"
	"github.com/commentd/commentd/models"
)

// corpus returns n generated records of each class with distinct vocabularies.
func corpus(n int) []Record {
	var out []Record
	for i := range n {
		out = append(out,
			Record{ID: fmt.Sprintf("h%d", i), Class: models.ClassHam, Text: fmt.Sprintf("lovely recipe thanks, the bread rose beautifully batch%d", i%3)},
			Record{ID: fmt.Sprintf("s%d", i), Class: models.ClassSpam, Text: fmt.Sprintf("buy cheap pills online at https://pills%d.example.top now", i%3)})
	}
	return out
}

func policy() *moderation.Policy {
	return &moderation.Policy{HamThreshold: 0.35, SpamThreshold: 0.85, MaxLinks: 2, BlockedWords: []string{"casino"},
		CountLinks: spam.CountLinks, TopTokens: 3}
}

func TestJudge(t *testing.T) {
	m := spam.NewModel()
	Train(m, corpus(20))
	j := Judge{Policy: policy()}
	test := []Record{
		{ID: "ham", Class: models.ClassHam, Text: "Lovely bread recipe, thanks!"},
		{ID: "spam", Class: models.ClassSpam, Text: "Buy cheap pills online now https://pills9.example.top"},
		{ID: "rule", Class: models.ClassSpam, Text: "lovely recipe, also casino"},
	}
	rs := j.Judge(m, test)
	want := map[string]models.Status{"ham": models.StatusApproved, "spam": models.StatusSpam, "rule": models.StatusSpam}
	for _, r := range rs {
		if r.Status != want[r.Record.ID] {
			t.Errorf("%s: status %s (score %.3f, reasons %+v), want %s", r.Record.ID, r.Status, r.Score, r.Reasons, want[r.Record.ID])
		}
		if len(r.Reasons.Tokens) == 0 || len(r.Reasons.Tokens) > 3 {
			t.Errorf("%s: %d reason tokens, want 1 to 3", r.Record.ID, len(r.Reasons.Tokens))
		}
	}
	if !slices.Contains(rs[2].Reasons.Rules, "blocked_word:casino") {
		t.Errorf("rules %v lack the blocked word", rs[2].Reasons.Rules)
	}
	strict := *j.Policy
	strict.SpamThreshold, strict.HamThreshold = 0, 0
	for _, r := range Rejudge(rs, &strict) {
		if r.Status != models.StatusSpam {
			t.Errorf("Rejudge with threshold 0: %s is %s", r.Record.ID, r.Status)
		}
	}
}

func TestFolds(t *testing.T) {
	recs := corpus(10)[:19] // 10 ham, 9 spam
	folds := Folds(recs, 3)
	var all []string
	for i, f := range folds {
		var h, s int
		for _, r := range f {
			all = append(all, r.ID)
			if r.Class == models.ClassSpam {
				s++
			} else {
				h++
			}
		}
		if h < 3 || h > 4 || s != 3 {
			t.Errorf("fold %d has %d ham and %d spam", i, h, s)
		}
	}
	if len(all) != len(recs) {
		t.Errorf("folds hold %d records, want %d", len(all), len(recs))
	}
	slices.Sort(all)
	if len(slices.Compact(all)) != len(recs) {
		t.Error("a record is in two folds")
	}
}

func TestCrossValidate(t *testing.T) {
	recs := corpus(15)
	rs := Judge{Policy: policy()}.CrossValidate(spam.NewModel, recs, 5)
	if len(rs) != len(recs) {
		t.Fatalf("%d results, want %d", len(rs), len(recs))
	}
	if m := Compute(rs, 0.35, 0.85); m.AUC < 0.99 || m.HamSpam > 0 {
		t.Errorf("cross-validation on separable data: %+v", m)
	}
}

func TestWriteReports(t *testing.T) {
	m := spam.NewStarterModel()
	j := Judge{Policy: policy()}
	rs := j.Judge(m, []Record{
		{ID: "a", Class: models.ClassHam, Text: "Buy cheap viagra now at http://pills.example.top"},
		{ID: "b", Class: models.ClassSpam, Text: "I loved this soup recipe, my kids did too."},
		{ID: "c", Class: models.ClassHam, Text: "Thanks, the bread came out well."},
	})
	var b strings.Builder
	if err := WriteTable(&b, Compute(rs, 0.35, 0.85), rs, j.Policy); err != nil {
		t.Fatal(err)
	}
	if err := WriteMistakes(&b, rs, 5); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, s := range []string{"ROC AUC", "MCC", "(shipped)", "worst ham not approved (1 shown)", "- a  ham -> spam", "worst spam not caught (1 shown)", "- b  spam -> approved", "tokens "} {
		if !strings.Contains(out, s) {
			t.Errorf("report lacks %q:\n%s", s, out)
		}
	}
	if strings.Contains(out, "- c ") {
		t.Errorf("a correct verdict is listed as a mistake:\n%s", out)
	}
}
