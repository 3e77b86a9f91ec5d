package spam

import (
	"cmp"
	"math"
	"slices"

	"github.com/commentd/commentd/models"
)

// Calibration of Score; see Score.
const (
	smoothing   = 1.0 // pseudo-documents added to each token's count in each class
	maxWeight   = 4.0 // cap on one token's |weight|
	maxEvidence = 40  // cap on the summed weights
	priorTokens = 4   // pseudo-tokens that damp the evidence of short comments
	gain        = 1.5 // slope of the final sigmoid
)

// Score returns the spam probability of a document with these tokens, in
// [0,1], and its n strongest tokens by |weight|, strongest first.
//
// Naive Bayes posteriors are extreme (features of a comment are far from
// independent), so the score is calibrated for a three-way verdict instead:
//
//   - only tokens the model has seen are used, each distinct token once;
//   - classes have equal priors (the class sizes do not matter);
//   - a token's weight is log P(tok|spam) - log P(tok|ham), with
//     P(tok|c) = (docs of c holding tok + 1) / (docs of c + 2), capped at ±4;
//   - the weights are summed, the sum capped at ±40, and divided by
//     sqrt(k + 4) for k known tokens: correlated evidence grows like a
//     square root, and a comment with few known tokens stays near 0.5;
//   - score = 1 / (1 + exp(-1.5 × that)); the slope 1.5 was chosen by
//     cross-validation on the starter corpus (starter_test.go).
//
// An empty model, a model lacking one of the classes, or a document with no
// known token scores 0.5.
func (m *Model) Score(tokens []string, n int) (float64, []models.TokenWeight) {
	d := distinct(tokens)
	m.mu.RLock()
	hamDocs, spamDocs := float64(m.docs[0]), float64(m.docs[1])
	var counts [][]float64
	if hamDocs > 0 && spamDocs > 0 {
		counts = m.countsLocked(d)
	}
	m.mu.RUnlock()
	if counts == nil {
		return 0.5, nil
	}
	logHam := math.Log(hamDocs + 2*smoothing)
	logSpam := math.Log(spamDocs + 2*smoothing)
	weights := make([]models.TokenWeight, 0, len(d))
	sum := 0.0
	for i, tok := range d {
		h, s := counts[0][i], counts[1][i]
		if h+s == 0 {
			continue
		}
		w := (math.Log(s+smoothing) - logSpam) - (math.Log(h+smoothing) - logHam)
		w = max(-maxWeight, min(maxWeight, w))
		sum += w
		weights = append(weights, models.TokenWeight{Token: tok, Weight: w})
	}
	if len(weights) == 0 {
		return 0.5, nil
	}
	sum = max(-maxEvidence, min(maxEvidence, sum))
	score := 1 / (1 + math.Exp(-gain*sum/math.Sqrt(float64(len(weights))+priorTokens)))
	return score, top(weights, n)
}

// top sorts weights by |weight|, strongest first (ties by token), and returns the first n.
func top(weights []models.TokenWeight, n int) []models.TokenWeight {
	if n <= 0 {
		return nil
	}
	slices.SortFunc(weights, func(a, b models.TokenWeight) int {
		if c := cmp.Compare(math.Abs(b.Weight), math.Abs(a.Weight)); c != 0 {
			return c
		}
		return cmp.Compare(a.Token, b.Token)
	})
	n = min(n, len(weights))
	return weights[:n:n]
}

// Classify tokenizes d and scores it; see Score.
func (m *Model) Classify(d Doc, n int) (float64, []models.TokenWeight) {
	return m.Score(Tokenize(d), n)
}
