package eval

import (
	"github.com/commentd/commentd/internal/moderation"
	"github.com/commentd/commentd/internal/spam"
	"github.com/commentd/commentd/models"
)

// Judge runs the live service's pipeline on records: the comment normalised
// as Submit does, spam.Tokenize, Model.Score, then Policy.Verdict, which
// applies the thresholds and the rules that need no database (honeypot,
// blocked and held words, link limit).
type Judge struct {
	Policy *moderation.Policy
}

// Judge scores every record with m.
func (j Judge) Judge(m *spam.Model, recs []Record) []Result {
	out := make([]Result, len(recs))
	for i, r := range recs {
		out[i] = j.judge(m, r)
	}
	return out
}

func (j Judge) judge(m *spam.Model, r Record) Result {
	c := r.Comment()
	score, top := m.Score(tokens(c), j.Policy.TopTokens)
	status, rules := j.Policy.Verdict(c, score)
	return Result{Record: r, Score: score, Status: status, Reasons: models.Reasons{Rules: rules, Tokens: top}}
}

// Rejudge returns results with the verdicts p would give their scores.
func Rejudge(results []Result, p *moderation.Policy) []Result {
	out := make([]Result, len(results))
	for i, r := range results {
		r.Status, r.Reasons.Rules = p.Verdict(r.Record.Comment(), r.Score)
		out[i] = r
	}
	return out
}

// Train teaches m every record, as `commentd train` teaches an installation.
func Train(m *spam.Model, recs []Record) {
	for _, r := range recs {
		m.Learn(r.Tokens(), r.Class)
	}
}

// Folds deals records into k folds, each class in turn, so every fold has
// about the same share of spam. The order within a fold is the input order.
func Folds(recs []Record, k int) [][]Record {
	folds := make([][]Record, k)
	seen := map[bool]int{}
	for _, r := range recs {
		isSpam := r.Class == models.ClassSpam
		folds[seen[isSpam]%k] = append(folds[seen[isSpam]%k], r)
		seen[isSpam]++
	}
	return folds
}

// CrossValidate judges each of k folds with a model from base trained on the
// other folds, and returns the results of all folds together.
func (j Judge) CrossValidate(base func() *spam.Model, recs []Record, k int) []Result {
	folds := Folds(recs, k)
	var out []Result
	for i, test := range folds {
		m := base()
		for f, train := range folds {
			if f != i {
				Train(m, train)
			}
		}
		out = append(out, j.Judge(m, test)...)
	}
	return out
}
