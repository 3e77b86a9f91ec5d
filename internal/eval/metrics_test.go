package eval

import (
	"math"
	"testing"

	"github.com/commentd/commentd/models"
)

// results builds results from (class, score, status) triples.
func results(rows ...struct {
	c models.Class
	s float64
	v models.Status
}) []Result {
	out := make([]Result, len(rows))
	for i, r := range rows {
		out[i] = Result{Record: Record{Class: r.c}, Score: r.s, Status: r.v}
	}
	return out
}

type row = struct {
	c models.Class
	s float64
	v models.Status
}

const (
	ham  = models.ClassHam
	spm  = models.ClassSpam
	ok   = models.StatusApproved
	held = models.StatusPending
	bad  = models.StatusSpam
)

func TestAUC(t *testing.T) {
	tests := []struct {
		name string
		rs   []Result
		want float64
	}{
		{"perfect", results(row{ham, 0.1, ok}, row{ham, 0.2, ok}, row{spm, 0.8, bad}, row{spm, 0.9, bad}), 1},
		{"reversed", results(row{spm, 0.1, ok}, row{ham, 0.9, bad}), 0},
		{"all tied", results(row{ham, 0.5, held}, row{spm, 0.5, held}, row{spm, 0.5, held}), 0.5},
		{"one tie", results(row{ham, 0.2, ok}, row{ham, 0.6, held}, row{spm, 0.6, held}, row{spm, 0.9, bad}), (1 + 1 + 1 + 0.5) / 4},
		{"one class", results(row{ham, 0.2, ok}), 0},
		{"empty", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AUC(tt.rs); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("AUC = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCompute(t *testing.T) {
	// 4 ham: 2 approved, 1 queued, 1 spam; 4 spam: 1 approved, 1 queued, 2 spam.
	rs := results(
		row{ham, 0.1, ok}, row{ham, 0.2, ok}, row{ham, 0.5, held}, row{ham, 0.9, bad},
		row{spm, 0.3, ok}, row{spm, 0.6, held}, row{spm, 0.95, bad}, row{spm, 0.99, bad},
	)
	m := Compute(rs, 0.35, 0.85)
	tp, fp, tn, fn := 2.0, 1.0, 3.0, 2.0
	want := Metrics{
		N: 8, Spam: 4, Ham: 4, HamThreshold: 0.35, SpamThreshold: 0.85,
		Precision: tp / (tp + fp), Recall: tp / (tp + fn), FPR: fp / (fp + tn),
		MCC:         (tp*tn - fp*fn) / math.Sqrt((tp+fp)*(tp+fn)*(tn+fp)*(tn+fn)),
		HamApproved: 0.5, HamQueued: 0.25, HamSpam: 0.25,
		SpamApproved: 0.25, SpamQueued: 0.25, SpamCaught: 0.5, Queued: 0.25,
		AUC: AUC(rs),
	}
	want.F1 = 2 * want.Precision * want.Recall / (want.Precision + want.Recall)
	if m != want {
		t.Errorf("Compute =\n%+v\nwant\n%+v", m, want)
	}
}

func TestComputeDegenerate(t *testing.T) {
	for name, rs := range map[string][]Result{
		"empty":         nil,
		"ham only":      results(row{ham, 0.1, ok}),
		"nothing found": results(row{ham, 0.1, ok}, row{spm, 0.2, ok}),
	} {
		t.Run(name, func(t *testing.T) {
			m := Compute(rs, 0.35, 0.85)
			for _, f := range []float64{m.Precision, m.Recall, m.F1, m.FPR, m.MCC, m.AUC, m.Queued} {
				if math.IsNaN(f) || math.IsInf(f, 0) {
					t.Errorf("Compute = %+v has NaN or Inf", m)
				}
			}
		})
	}
}
