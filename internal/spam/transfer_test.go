package spam

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/commentd/commentd/models"
)

// apply replays events on m as Filter.Sync does.
func apply(m *Model, evs []models.TrainingEvent) {
	for _, ev := range evs {
		if ev.Delta > 0 {
			m.Learn(ev.Tokens, ev.Class)
		} else {
			m.Unlearn(ev.Tokens, ev.Class)
		}
	}
}

func TestReplaceEvents(t *testing.T) {
	trained := func(n int, offset int) *Model {
		m := NewStarterModel()
		for i := range n {
			doc, class := docStream(i + offset)
			m.Learn(doc, class)
		}
		return m
	}
	tests := []struct {
		name     string
		from, to func() *Model
	}{
		{"starter to trained", NewStarterModel, func() *Model { return trained(40, 0) }},
		{"trained to other", func() *Model { return trained(30, 0) }, func() *Model { return trained(25, 1000) }},
		{"to empty", func() *Model { return trained(10, 0) }, NewModel},
		{"from empty", NewModel, NewStarterModel},
		{"unlearned more than learned", func() *Model {
			m := NewModel()
			m.Learn([]string{"a", "b"}, models.ClassHam)
			m.Unlearn(nil, models.ClassHam) // a and b now outnumber the documents
			return m
		}, NewStarterModel},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to := tt.from(), tt.to()
			evs, err := from.ReplaceEvents(to)
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range evs {
				if ev.CommentID != 0 || (ev.Delta != 1 && ev.Delta != -1) {
					t.Fatalf("event %+v", ev)
				}
			}
			apply(from, evs)
			if got, want := stateOf(from), stateOf(to); !reflect.DeepEqual(got, want) {
				t.Errorf("after the events:\n%+v\nwant\n%+v", got.Stats, want.Stats)
			}
		})
	}
}

func TestUnlearnCompacts(t *testing.T) {
	m := NewModel()
	var docs [][]string
	for i := range 1000 {
		doc := []string{"keep"}
		for j := range 10 {
			doc = append(doc, fmt.Sprintf("gone%d_%d", i, j))
		}
		docs = append(docs, doc)
		m.Learn(doc, models.ClassSpam)
	}
	m.Learn([]string{"keep", "ham"}, models.ClassHam)
	before := m.Stats().MemoryBytes
	for _, doc := range docs[:900] {
		m.Unlearn(doc, models.ClassSpam)
	}
	st := m.Stats()
	if st.Vocabulary != 1002 || st.SpamDocs != 100 {
		t.Errorf("stats %+v, want 1002 tokens and 100 spam documents", st)
	}
	if st.MemoryBytes > before/2 {
		t.Errorf("memory %d after unlearning most of %d: zero counts were not compacted", st.MemoryBytes, before)
	}
}
