// Package spam is commentd's content filter: a tokenizer for comments and a
// naive Bayes model (github.com/jbrukh/bayesian) that learns from moderators'
// decisions, scores new comments, and is saved and restored as snapshots.
package spam

import (
	"hash/maphash"
	"math"
	"strings"
	"sync"

	"github.com/jbrukh/bayesian"

	"github.com/commentd/commentd/models"
)

// The classifier's classes, in this order.
const (
	hamClass  = bayesian.Class(models.ClassHam)
	spamClass = bayesian.Class(models.ClassSpam)
)

// probe is a token no document ever holds (tokens have no spaces; Learn drops
// it). Its smoothed probability in a class, 1/(total+vocabulary), lets
// counts read exact token counts back from the classifier.
const probe = " "

// Model is a naive Bayes spam model over document frequencies: Learn counts
// each distinct token of a document once. It is safe for concurrent use;
// Score runs alongside other Scores and waits only while a Learn or Unlearn
// writes its counts (a prune builds its smaller copy without blocking Score).
type Model struct {
	write sync.Mutex   // serialises Learn, Unlearn and prune
	mu    sync.RWMutex // guards c, docs, vocab and keyBytes, and their consistency
	c     *bayesian.Classifier
	docs  [2]int // documents learned, by class index (0 ham, 1 spam)
	vocab int    // distinct tokens with a non-zero count in some class

	keyBytes [2]int // bytes of the token keys held per class (an estimate between rebuilds)
	maxVocab int    // prune when vocab exceeds it; see MaxVocabulary
	seed     maphash.Seed
	bufs     sync.Pool // *scoreBuf for Score
	tokz     sync.Pool // *tokenizer for Classify
}

// NewModel returns an empty model; it scores everything 0.5.
func NewModel() *Model {
	m := &Model{c: bayesian.NewClassifier(hamClass, spamClass), maxVocab: MaxVocabulary, seed: maphash.MakeSeed()}
	m.bufs.New = func() any { return new(scoreBuf) }
	m.tokz.New = func() any { return new(tokenizer) }
	return m
}

// classIndex maps a class to its index in docs and in the classifier.
func classIndex(class models.Class) (int, bool) {
	switch class {
	case models.ClassHam:
		return 0, true
	case models.ClassSpam:
		return 1, true
	}
	return 0, false
}

// bayesClass is the classifier's class at index ci.
func bayesClass(ci int) bayesian.Class {
	if ci == 0 {
		return hamClass
	}
	return spamClass
}

// Learn teaches the model that a document with these tokens is of class.
// Repeated tokens count once; empty tokens are ignored; a class other than
// ham or spam is ignored. When the vocabulary outgrows its bound, Learn
// prunes the rarest tokens (see MaxVocabulary).
func (m *Model) Learn(tokens []string, class models.Class) {
	ci, ok := classIndex(class)
	if !ok {
		return
	}
	d := m.distinct(nil, tokens)
	m.write.Lock()
	defer m.write.Unlock()
	m.mu.Lock()
	counts := m.countsLocked(d)
	for i, tok := range d {
		if counts[ci][i] == 0 {
			tok = strings.Clone(tok) // a new key must not pin the text it was cut from
			m.keyBytes[ci] += len(tok)
			if counts[1-ci][i] == 0 {
				m.vocab++
			}
		}
		m.c.Observe(tok, 1, bayesClass(ci))
	}
	m.docs[ci]++
	over := m.vocab > m.maxVocab
	m.mu.Unlock()
	if over {
		m.shrink()
	}
}

// Unlearn takes back a Learn of the same tokens and class exactly. Counts
// never go below zero: a token or document the class does not hold (or no
// longer holds, pruned) is skipped.
func (m *Model) Unlearn(tokens []string, class models.Class) {
	ci, ok := classIndex(class)
	if !ok {
		return
	}
	d := m.distinct(nil, tokens)
	m.write.Lock()
	defer m.write.Unlock()
	m.mu.Lock()
	counts := m.countsLocked(d)
	for i, tok := range d {
		if counts[ci][i] < 1 {
			continue
		}
		m.c.Observe(tok, -1, bayesClass(ci))
		if counts[ci][i] == 1 && counts[1-ci][i] == 0 {
			m.vocab--
		}
	}
	if m.docs[ci] > 0 {
		m.docs[ci]--
	}
	stale := m.entriesLocked() > 2*m.vocab+staleEntries
	m.mu.Unlock()
	if stale {
		m.shrink()
	}
}

// Stats is the size of a model.
type Stats struct {
	HamDocs, SpamDocs     int // documents learned per class
	HamTokens, SpamTokens int // token counts per class (each document's distinct tokens)
	Vocabulary            int // distinct tokens known
	MemoryBytes           int // estimated heap the counts hold (see memoryLocked)
}

// Stats returns the model's size.
func (m *Model) Stats() Stats {
	m.mu.RLock()
	defer m.mu.RUnlock()
	totals := m.c.WordCount()
	return Stats{
		HamDocs: m.docs[0], SpamDocs: m.docs[1],
		HamTokens: totals[0], SpamTokens: totals[1],
		Vocabulary:  m.vocab,
		MemoryBytes: m.memoryLocked(totals),
	}
}

// countsLocked returns how many documents of each class hold each token of d
// (counts[class][i]). The classifier smooths P(w|c) = (n+1)/D_c, the same D_c
// for every word, so n = P(w|c)/P(probe|c) - 1 exactly, after rounding; when a
// class is empty every P is the same default and every n is 0. d must have
// room for one more element. The caller holds m.mu.
func (m *Model) countsLocked(d []string) [][]float64 {
	f := m.c.WordFrequencies(append(d, probe))
	for _, row := range f {
		p0 := row[len(d)]
		for i := range d {
			row[i] = max(math.Round(row[i]/p0)-1, 0)
		}
	}
	return f
}

// entryBytes is the heap a class map entry costs besides its key's bytes: the
// slot (string header and count), its share of control bytes and free slots,
// and the key's allocation header. Measured by TestMemoryEstimate.
const entryBytes = 48

// memoryLocked estimates the heap the classifier's counts hold. The caller holds m.mu.
func (m *Model) memoryLocked(totals []int) int {
	bytes := 0
	for ci, entries := range m.classEntriesLocked(totals) {
		bytes += entries*entryBytes + m.keyBytes[ci]
	}
	return bytes
}

// entriesLocked counts the entries of both class maps. The caller holds m.mu.
func (m *Model) entriesLocked() int {
	e := m.classEntriesLocked(m.c.WordCount())
	return e[0] + e[1]
}

// classEntriesLocked counts the entries of each class map, zero counts left by
// Unlearn included: P(probe|c) = 1/(total + entries). The caller holds m.mu.
func (m *Model) classEntriesLocked(totals []int) [2]int {
	f := m.c.WordFrequencies([]string{probe})
	var e [2]int
	for ci, total := range totals {
		if total > 0 {
			e[ci] = int(math.Round(1/f[ci][0])) - total
		}
	}
	return e
}
