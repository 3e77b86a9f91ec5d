package spam

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"

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
func rebuild(c *bayesian.Classifier) (*Model, error) {
	counts, err := tokenCounts(c)
	if err != nil {
		return nil, err
	}
	return fromCounts(counts, 0), nil
}
