package spam

import (
	"fmt"
	"math"

	"github.com/jbrukh/bayesian"
)

// MaxVocabulary bounds a model's size. When Learn takes the vocabulary past
// it, the model forgets its rarest tokens: every token held by at most one
// document, then at most two, and so on, until at most three quarters of
// MaxVocabulary are left. Rare tokens carry the least evidence (one seen in a
// single comment weighs at most 0.51), and the bound keeps the counts near
// 25 MB (Stats.MemoryBytes). The rule depends only on the model's counts, so
// every instance replaying the same training log prunes at the same event and
// ends with the same model.
const MaxVocabulary = 300_000

// staleEntries is how many zero counts left by Unlearn (beyond the
// vocabulary) the class maps may hold before Unlearn compacts them.
const staleEntries = 4096

// shrink replaces the classifier with a copy without the zero counts Unlearn
// leaves behind and, when the vocabulary is over its bound, without the
// rarest tokens (the MaxVocabulary rule). The caller holds m.write (so nothing
// changes meanwhile) but not m.mu: the copy is built while Score goes on, and
// swapped in at the end.
func (m *Model) shrink() {
	m.mu.RLock()
	counts, err := tokenCounts(m.c)
	m.mu.RUnlock()
	if err != nil {
		return // a live classifier always reads back; keep it as it is
	}
	minDocs := 0
	if len(counts) > m.maxVocab {
		minDocs = pruneBelow(counts, m.maxVocab*3/4)
	}
	n := fromCounts(counts, minDocs)
	m.mu.Lock()
	m.c, m.vocab, m.keyBytes = n.c, n.vocab, n.keyBytes
	m.mu.Unlock()
}

// pruneBelow returns the smallest k such that the tokens held by more than k
// documents are at most target.
func pruneBelow(counts map[string][2]int, target int) int {
	byDocs := map[int]int{} // tokens by how many documents hold them
	for _, n := range counts {
		byDocs[n[0]+n[1]]++
	}
	left := len(counts)
	k := 0
	for left > target {
		k++
		left -= byDocs[k]
	}
	return k
}

// tokenCounts reads the document counts of every token out of c, by class
// index; tokens without counts are left out. The error wraps ErrBadSnapshot
// when c is not a model's classifier or its counts do not add up.
func tokenCounts(c *bayesian.Classifier) (counts map[string][2]int, err error) {
	defer func() {
		if p := recover(); p != nil {
			counts, err = nil, fmt.Errorf("%w: classifier: %v", ErrBadSnapshot, p)
		}
	}()
	if len(c.Classes) != 2 || c.Classes[0] != hamClass || c.Classes[1] != spamClass || c.IsTfIdf() {
		return nil, fmt.Errorf("%w: classes %v", ErrBadSnapshot, c.Classes)
	}
	counts = make(map[string][2]int)
	for ci, total := range c.WordCount() {
		if total < 0 {
			return nil, fmt.Errorf("%w: negative total", ErrBadSnapshot)
		}
		if total == 0 {
			continue
		}
		sum := 0
		for tok, p := range c.WordsByClass(bayesClass(ci)) {
			n := math.Round(p * float64(total))
			if n < 0 || math.IsNaN(n) || n > math.MaxInt32 {
				return nil, fmt.Errorf("%w: count of %q", ErrBadSnapshot, tok)
			}
			if n == 0 || tok == probe || tok == "" {
				continue
			}
			v := counts[tok]
			v[ci] = int(n)
			counts[tok] = v
			sum += int(n)
		}
		if sum != total {
			return nil, fmt.Errorf("%w: counts do not add up", ErrBadSnapshot)
		}
	}
	return counts, nil
}

// fromCounts returns a new model holding the tokens of counts held by more
// than minDocs documents. Document totals are the caller's to set.
func fromCounts(counts map[string][2]int, minDocs int) *Model {
	m := NewModel()
	for tok, n := range counts {
		if n[0]+n[1] <= minDocs {
			continue
		}
		for ci, k := range n {
			if k > 0 {
				m.c.Observe(tok, k, bayesClass(ci))
				m.keyBytes[ci] += len(tok)
			}
		}
		m.vocab++
	}
	return m
}
