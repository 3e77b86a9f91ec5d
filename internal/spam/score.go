package spam

import (
	"math"
	"strings"

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
//     f = (3 × 1/2 + n × p) / (3 + n), n = s + h, so a token seen in one
//     spam weighs 0.51 and one seen in 50 spam and no ham 3.5;
//   - its weight is log(f / (1 - f)), capped at ±4: the log-likelihood ratio
//     log P(tok|spam) - log P(tok|ham) of the shrunk estimates;
//   - the weights are summed and divided by k^0.75 for k known tokens:
//     correlated evidence grows slower than the number of tokens;
//   - score = 1 / (1 + exp(-2.75 × that)).
//
// An empty model, a model lacking one of the classes, or a document with no
// known token scores 0.5.
func (m *Model) Score(tokens []string, n int) (float64, []models.TokenWeight) {
	buf := m.bufs.Get().(*scoreBuf)
	d := m.distinct(buf.tokens[:0], tokens)
	best := strongest{n: n, top: buf.top[:0]}
	defer func() {
		clear(d) // do not pin the caller's tokens
		clear(best.top)
		buf.tokens, buf.top = d[:0], best.top[:0]
		m.bufs.Put(buf)
	}()
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
	sum, known := 0.0, 0
	var memo [64]float64 // weights of counts below 8, most tokens' counts
	var have uint64
	for i, tok := range d {
		h, s := counts[0][i], counts[1][i]
		if h+s == 0 {
			continue
		}
		var w float64
		if k := int(h)*8 + int(s); h < 8 && s < 8 {
			if have&(1<<k) == 0 {
				memo[k], have = weight(h, s, hamDocs, spamDocs), have|1<<k
			}
			w = memo[k]
		} else {
			w = weight(h, s, hamDocs, spamDocs)
		}
		sum += w
		known++
		best.add(tok, w)
	}
	if known == 0 {
		return 0.5, nil
	}
	return 1 / (1 + math.Exp(-gain*sum/math.Pow(float64(known), damping))), best.list()
}

// scoreBuf is the memory one Score works in, reused by the next.
type scoreBuf struct {
	tokens []string // the distinct tokens
	top    []ranked // the strongest
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

// strongest keeps the n tokens of largest |weight| offered to it, strongest
// first (ties in the order offered, so the document's first tokens), in a
// small sorted window instead of sorting them all.
type strongest struct {
	n   int
	top []ranked // the window; its memory may be reused across calls
}

// ranked is a token in strongest's window.
type ranked struct {
	tok    string
	w, abs float64
}

func (b *strongest) add(tok string, w float64) {
	if b.n <= 0 {
		return
	}
	a := math.Abs(w)
	i := len(b.top)
	if i == b.n {
		if a <= b.top[i-1].abs {
			return // most tokens, once the window is full
		}
		i--
	} else {
		b.top = append(b.top, ranked{})
	}
	for ; i > 0 && a > b.top[i-1].abs; i-- {
		b.top[i] = b.top[i-1]
	}
	b.top[i] = ranked{tok: tok, w: w, abs: a}
}

// list returns the window as token weights, or nil when it is empty.
func (b *strongest) list() []models.TokenWeight {
	if len(b.top) == 0 {
		return nil
	}
	l := make([]models.TokenWeight, len(b.top))
	for i, r := range b.top {
		l[i] = models.TokenWeight{Token: r.tok, Weight: r.w}
	}
	return l
}

// Classify tokenizes d and scores it; see Score. It reuses its tokenizers'
// buffers, so classifying allocates next to nothing.
func (m *Model) Classify(d Doc, n int) (float64, []models.TokenWeight) {
	z := m.tokz.Get().(*tokenizer)
	score, top := m.Score(z.tokenize(d), n)
	ownTokens(top) // they point into z's buffers
	z.reset()
	m.tokz.Put(z)
	return score, top
}

// ownTokens gives the tokens of top storage of their own: one string they share.
func ownTokens(top []models.TokenWeight) {
	size := 0
	for _, tw := range top {
		size += len(tw.Token)
	}
	var b strings.Builder
	b.Grow(size)
	for _, tw := range top {
		b.WriteString(tw.Token)
	}
	s, off := b.String(), 0
	for i := range top {
		n := len(top[i].Token)
		top[i].Token, off = s[off:off+n], off+n
	}
}
