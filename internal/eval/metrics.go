package eval

import (
	"cmp"
	"math"
	"slices"

	"github.com/commentd/commentd/models"
)

// Result is the verdict on one record.
type Result struct {
	Record  Record
	Score   float64
	Status  models.Status
	Reasons models.Reasons
}

// Metrics are the figures of one evaluation, spam being the positive class.
// Precision, Recall, F1, FPR and MCC count a comment as flagged when its
// verdict is spam (the score reached SpamThreshold, or a rule sent it there);
// the three-way shares are fractions of their class, Queued of all comments.
type Metrics struct {
	N             int     `json:"n"`
	Spam          int     `json:"spam"`
	Ham           int     `json:"ham"`
	Skipped       int     `json:"skipped"` // malformed input lines, not in N
	AUC           float64 `json:"auc"`
	HamThreshold  float64 `json:"ham_threshold"`
	SpamThreshold float64 `json:"spam_threshold"`
	Precision     float64 `json:"precision"`
	Recall        float64 `json:"recall"`
	F1            float64 `json:"f1"`
	FPR           float64 `json:"fpr"`
	MCC           float64 `json:"mcc"`
	HamApproved   float64 `json:"ham_approved"`
	HamQueued     float64 `json:"ham_queued"`
	HamSpam       float64 `json:"ham_spam"`
	SpamApproved  float64 `json:"spam_approved"`
	SpamQueued    float64 `json:"spam_queued"`
	SpamCaught    float64 `json:"spam_caught"`
	Queued        float64 `json:"queued"`
}

// Compute returns the metrics of results judged with these thresholds.
func Compute(results []Result, hamThreshold, spamThreshold float64) Metrics {
	m := Metrics{N: len(results), HamThreshold: hamThreshold, SpamThreshold: spamThreshold}
	var byClass [2][3]int // [ham, spam][approved, pending, spam]
	for _, r := range results {
		ci := 0
		if r.Record.Class == models.ClassSpam {
			ci = 1
		}
		byClass[ci][statusIndex(r.Status)]++
	}
	ham, spam := byClass[0], byClass[1]
	m.Ham, m.Spam = ham[0]+ham[1]+ham[2], spam[0]+spam[1]+spam[2]
	m.HamApproved, m.HamQueued, m.HamSpam = share(ham[0], m.Ham), share(ham[1], m.Ham), share(ham[2], m.Ham)
	m.SpamApproved, m.SpamQueued, m.SpamCaught = share(spam[0], m.Spam), share(spam[1], m.Spam), share(spam[2], m.Spam)
	m.Queued = share(ham[1]+spam[1], m.N)
	tp, fn := float64(spam[2]), float64(spam[0]+spam[1])
	fp, tn := float64(ham[2]), float64(ham[0]+ham[1])
	m.Precision = ratio(tp, tp+fp)
	m.Recall = ratio(tp, tp+fn)
	m.F1 = ratio(2*m.Precision*m.Recall, m.Precision+m.Recall)
	m.FPR = ratio(fp, fp+tn)
	m.MCC = ratio(tp*tn-fp*fn, math.Sqrt((tp+fp)*(tp+fn)*(tn+fp)*(tn+fn)))
	m.AUC = AUC(results)
	return m
}

// statusIndex maps approved, pending and spam to 0, 1, 2 (trash counts as spam).
func statusIndex(s models.Status) int {
	switch s {
	case models.StatusApproved:
		return 0
	case models.StatusPending:
		return 1
	}
	return 2
}

func share(n, of int) float64 { return ratio(float64(n), float64(of)) }

// ratio is a/b, or 0 when b is 0.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// AUC is the area under the ROC curve of the scores: the chance that a random
// spam scores above a random ham, ties counting half. 0 without both classes.
func AUC(results []Result) float64 {
	s := slices.Clone(results)
	slices.SortFunc(s, func(a, b Result) int { return cmp.Compare(a.Score, b.Score) })
	var hams, pairs float64 // hams below the current group; spam-ham pairs in order
	var spams float64
	for i := 0; i < len(s); {
		j, h, p := i, 0.0, 0.0
		for ; j < len(s) && s[j].Score == s[i].Score; j++ {
			if s[j].Record.Class == models.ClassSpam {
				p++
			} else {
				h++
			}
		}
		pairs += p*hams + p*h/2
		hams, spams, i = hams+h, spams+p, j
	}
	return ratio(pairs, hams*spams)
}
