package spam

import (
	"cmp"
	"math"
	"slices"

	"github.com/commentd/commentd/models"
)

// Calibration of Score; see Score. Chosen on held-out folds of the training
// halves of the public corpora (leave-one-video-out on YouTube, 5-fold on SMS)
// and the starter corpus, then frozen.
const (
	strength  = 3.0  // pseudo-documents pulling a token's spam share toward 1/2
	maxWeight = 4.0  // cap on one token's |weight|
	damping   = 0.75 // the summed weights are divided by k^damping for k known tokens
	gain      = 2.75 // slope of the final sigmoid
)

// Score returns the spam probability of a document with these tokens, in
// [0,1], and its n strongest tokens by |weight|, strongest first.
//
// Naive Bayes posteriors are extreme (features of a comment are far from
// independent), so the score is calibrated for a three-way verdict instead:
//
//   - only tokens the model has seen are used, each distinct token once;
//   - a token's spam share is p = (s/S) / (s/S + h/H), where s and h count
//     the spam and ham documents holding it and S and H all documents of each
//     class: classes weigh the same whatever their sizes;
//   - p is shrunk toward 1/2 by how little evidence there is (Robinson):
//     f = (3 × 1/2 + n × p) / (3 + n), n = s + h, so a token seen once
//     weighs 0.51 and one seen 50 times in spam only 2.9;
//   - its weight is log(f / (1 - f)), capped at ±4: the log-likelihood ratio
//     log P(tok|spam) - log P(tok|ham) of the shrunk estimates;
//   - the weights are summed and divided by k^0.75 for k known tokens:
//     correlated evidence grows slower than the number of tokens;
//   - score = 1 / (1 + exp(-2.75 × that)).
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
	weights := make([]models.TokenWeight, 0, len(d))
	sum := 0.0
	for i, tok := range d {
		h, s := counts[0][i], counts[1][i]
		if h+s == 0 {
			continue
		}
		w := weight(h, s, hamDocs, spamDocs)
		sum += w
		weights = append(weights, models.TokenWeight{Token: tok, Weight: w})
	}
	if len(weights) == 0 {
		return 0.5, nil
	}
	score := 1 / (1 + math.Exp(-gain*sum/math.Pow(float64(len(weights)), damping)))
	return score, top(weights, n)
}

// weight is the capped log-likelihood ratio of a token held by h of hamDocs
// ham documents and s of spamDocs spam documents; see Score.
func weight(h, s, hamDocs, spamDocs float64) float64 {
	hr, sr := h/hamDocs, s/spamDocs
	p := sr / (sr + hr)
	n := h + s
	f := (strength/2 + n*p) / (strength + n)
	return max(-maxWeight, min(maxWeight, math.Log(f/(1-f))))
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
