package spam

import (
	"cmp"
	"slices"

	"github.com/commentd/commentd/models"
)

// ReplaceEvents returns the training events that turn m into target when
// applied in order (Learn for Delta +1, Unlearn for -1): for each class, one
// Unlearn per document m holds, then one Learn per document target holds. A
// token held by n documents of a class is in the first n events of that
// class, so every count comes out exact. Appended to the training log they
// move a model between installations: every instance replays them, and its
// model becomes target plus whatever is learned after. The events name no
// comment. The error wraps ErrBadSnapshot when a model's counts cannot be read.
func (m *Model) ReplaceEvents(target *Model) ([]models.TrainingEvent, error) {
	from, fromDocs, err := m.snapshotCounts()
	if err != nil {
		return nil, err
	}
	to, toDocs, err := target.snapshotCounts()
	if err != nil {
		return nil, err
	}
	var evs []models.TrainingEvent
	for ci, class := range [2]models.Class{models.ClassHam, models.ClassSpam} {
		evs = appendDocuments(evs, from, ci, fromDocs[ci], class, -1)
	}
	for ci, class := range [2]models.Class{models.ClassHam, models.ClassSpam} {
		evs = appendDocuments(evs, to, ci, toDocs[ci], class, 1)
	}
	return evs, nil
}

// snapshotCounts returns m's token counts and document counts, read together.
func (m *Model) snapshotCounts() (map[string][2]int, [2]int, error) {
	m.write.Lock() // no Learn between the two reads
	defer m.write.Unlock()
	m.mu.RLock()
	defer m.mu.RUnlock()
	counts, err := tokenCounts(m.c)
	return counts, m.docs, err
}

// appendDocuments appends events of class that, applied with delta, add or
// take away docs documents holding the tokens of counts at class index ci.
// Tokens held by more documents than docs (which a model reaches only by
// unlearning what it never learned) get extra events.
func appendDocuments(evs []models.TrainingEvent, counts map[string][2]int, ci, docs int, class models.Class, delta int) []models.TrainingEvent {
	type held struct {
		tok string
		n   int
	}
	var byDocs []held
	for tok, n := range counts {
		if n[ci] > 0 {
			byDocs = append(byDocs, held{tok, n[ci]})
		}
	}
	slices.SortFunc(byDocs, func(a, b held) int {
		if c := cmp.Compare(b.n, a.n); c != 0 {
			return c
		}
		return cmp.Compare(a.tok, b.tok)
	})
	toks := make([]string, len(byDocs))
	for i, h := range byDocs {
		toks[i] = h.tok
	}
	if len(byDocs) > 0 {
		docs = max(docs, byDocs[0].n)
	}
	k := len(byDocs)
	for i := range docs {
		for k > 0 && byDocs[k-1].n <= i {
			k--
		}
		evs = append(evs, models.TrainingEvent{Class: class, Delta: delta, Tokens: toks[:k:k]})
	}
	return evs
}
