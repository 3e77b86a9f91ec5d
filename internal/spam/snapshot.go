package spam

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/jbrukh/bayesian"
)

// ErrBadSnapshot means a snapshot could not be read as a model.
var ErrBadSnapshot = errors.New("spam: bad snapshot")

// snapshotFormat names the layout WriteSnapshot writes: one JSON header line,
// then the classifier as gob (bayesian.Classifier.WriteGob).
const snapshotFormat = "commentd-spam/1"

// snapshotHeader is the first line of a snapshot: what the classifier does not keep.
type snapshotHeader struct {
	Format   string `json:"format"`
	HamDocs  int    `json:"ham_docs"`
	SpamDocs int    `json:"spam_docs"`
}

// WriteSnapshot writes the model, document counts included, to w. The model
// may be used meanwhile; Learn and Unlearn wait until it is written.
func (m *Model) WriteSnapshot(w io.Writer) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	line, err := json.Marshal(snapshotHeader{Format: snapshotFormat, HamDocs: m.docs[0], SpamDocs: m.docs[1]})
	if err != nil {
		return fmt.Errorf("spam: write snapshot: %w", err)
	}
	if _, err := w.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("spam: write snapshot: %w", err)
	}
	if err := m.c.WriteGob(w); err != nil {
		return fmt.Errorf("spam: write snapshot: %w", err)
	}
	return nil
}

// ReadSnapshot reads a model written by WriteSnapshot. It returns an error
// wrapping ErrBadSnapshot when the data is not such a model.
func ReadSnapshot(r io.Reader) (*Model, error) {
	br := bufio.NewReader(r)
	line, err := br.ReadSlice('\n')
	if err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrBadSnapshot, err)
	}
	var h snapshotHeader
	if err := json.Unmarshal(line, &h); err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrBadSnapshot, err)
	}
	if h.Format != snapshotFormat || h.HamDocs < 0 || h.SpamDocs < 0 {
		return nil, fmt.Errorf("%w: header %q", ErrBadSnapshot, line)
	}
	c, err := bayesian.NewClassifierFromReader(br)
	if err != nil {
		return nil, fmt.Errorf("%w: classifier: %w", ErrBadSnapshot, err)
	}
	m, err := rebuild(c)
	if err != nil {
		return nil, err
	}
	m.docs = [2]int{h.HamDocs, h.SpamDocs}
	return m, nil
}

// rebuild copies the counts of a decoded classifier into a new model. This
// checks them, drops the zero counts Unlearn leaves behind, and gives the
// model maps it can write to (gob may decode an empty map as nil).
func rebuild(c *bayesian.Classifier) (m *Model, err error) {
	defer func() {
		if p := recover(); p != nil {
			m, err = nil, fmt.Errorf("%w: classifier: %v", ErrBadSnapshot, p)
		}
	}()
	if len(c.Classes) != 2 || c.Classes[0] != hamClass || c.Classes[1] != spamClass || c.IsTfIdf() {
		return nil, fmt.Errorf("%w: classes %v", ErrBadSnapshot, c.Classes)
	}
	m = NewModel()
	totals := c.WordCount()
	known := make(map[string]bool)
	for ci, total := range totals {
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
			m.c.Observe(tok, int(n), bayesClass(ci))
			known[tok] = true
			sum += int(n)
		}
		if sum != total {
			return nil, fmt.Errorf("%w: counts do not add up", ErrBadSnapshot)
		}
	}
	m.vocab = len(known)
	return m, nil
}
