package spam

import (
	"bytes"
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"testing"

	"github.com/commentd/commentd/models"
)

// docStream returns document i of a stream where "common" is in every
// document, "c<i%10>" in every tenth, and the other tokens are new.
func docStream(i int) ([]string, models.Class) {
	doc := []string{"common", fmt.Sprintf("c%d", i%10)}
	for j := range 8 {
		doc = append(doc, fmt.Sprintf("rare%d_%d", i, j))
	}
	return doc, []models.Class{models.ClassHam, models.ClassSpam}[i%2]
}

func TestPruneBoundsVocabulary(t *testing.T) {
	m := NewModel()
	m.maxVocab = 200
	for i := range 300 {
		m.Learn(docStream(i))
		if v := m.Stats().Vocabulary; v > m.maxVocab {
			t.Fatalf("after document %d the vocabulary is %d, over %d", i, v, m.maxVocab)
		}
	}
	st := m.Stats()
	if st.HamDocs != 150 || st.SpamDocs != 150 {
		t.Errorf("documents %d ham, %d spam; pruning must keep the document counts", st.HamDocs, st.SpamDocs)
	}
	c := m.countsLocked(m.distinct(nil, []string{"common", "c3", "rare299_0", "rare1_0"}))
	if c[0][0] != 150 || c[1][0] != 150 {
		t.Errorf("common is held by %v/%v documents, want 150/150", c[0][0], c[1][0])
	}
	if c[0][1]+c[1][1] != 30 {
		t.Errorf("c3 is held by %v documents, want 30", c[0][1]+c[1][1])
	}
	if c[0][3]+c[1][3] != 0 {
		t.Error("an early rare token survived the pruning")
	}
}

func TestPruneIsDeterministic(t *testing.T) {
	feed := func(m *Model, from, to int) {
		for i := from; i < to; i++ {
			m.Learn(docStream(i))
		}
	}
	a, b := NewModel(), NewModel()
	a.maxVocab, b.maxVocab = 150, 150
	feed(a, 0, 250)
	feed(b, 0, 120)
	var buf bytes.Buffer // b restarts from a snapshot, as another instance would
	if err := b.WriteSnapshot(&buf); err != nil {
		t.Fatal(err)
	}
	b, err := ReadSnapshot(&buf)
	if err != nil {
		t.Fatal(err)
	}
	b.maxVocab = 150
	feed(b, 120, 250)
	doc, _ := docStream(249)
	sa, twa := a.Score(doc, 100)
	sb, twb := b.Score(doc, 100)
	if counts(a) != counts(b) || sa != sb || !reflect.DeepEqual(twa, twb) {
		t.Errorf("models differ:\n%+v %v\n%+v %v", counts(a), sa, counts(b), sb)
	}
}

func TestScoreDuringPrune(t *testing.T) {
	m := NewStarterModel()
	m.maxVocab = m.Stats().Vocabulary + 500
	toks := Tokenize(probeDocs[0])
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if s, _ := m.Score(toks, 5); s < 0.5 {
					t.Errorf("spam scored %v while pruning", s)
					return
				}
			}
		})
	}
	for i := range 400 {
		m.Learn(docStream(i))
	}
	close(stop)
	wg.Wait()
	if v := m.Stats().Vocabulary; v > m.maxVocab {
		t.Errorf("vocabulary %d over %d", v, m.maxVocab)
	}
}

func TestMemoryEstimate(t *testing.T) {
	heap := func() uint64 {
		runtime.GC()
		var s runtime.MemStats
		runtime.ReadMemStats(&s)
		return s.HeapAlloc
	}
	before := heap()
	m := NewModel()
	doc := make([]string, 40)
	for i := range 2000 {
		for j := range doc {
			doc[j] = fmt.Sprintf("token%06d", (i*20+j)%40000)
		}
		m.Learn(doc, []models.Class{models.ClassHam, models.ClassSpam}[i%2])
	}
	used := float64(heap() - before)
	est := float64(m.Stats().MemoryBytes)
	if r := used / est; r < 0.6 || r > 1.6 {
		t.Errorf("MemoryBytes %.0f, heap grew by %.0f (ratio %.2f)", est, used, r)
	}
	runtime.KeepAlive(m)
}

func TestDistinct(t *testing.T) {
	m := NewModel()
	many := make([]string, 0, 1000)
	for i := range 1000 {
		many = append(many, fmt.Sprintf("t%d", i%300))
	}
	tests := []struct {
		name string
		in   []string
		want int
	}{
		{"empty", nil, 0},
		{"drops empty and probe", []string{"", probe, "a"}, 1},
		{"keeps first order", []string{"b", "a", "b", "c", "a"}, 3},
		{"large", many, 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := m.distinct(nil, tt.in)
			if len(d) != tt.want || cap(d) < len(d)+1 {
				t.Fatalf("distinct = %d tokens (cap %d), want %d", len(d), cap(d), tt.want)
			}
			seen := map[string]bool{}
			next := 0
			for _, tok := range tt.in {
				if tok == "" || tok == probe || seen[tok] {
					continue
				}
				seen[tok] = true
				if d[next] != tok {
					t.Fatalf("distinct[%d] = %q, want %q", next, d[next], tok)
				}
				next++
			}
		})
	}
}

func TestStrongest(t *testing.T) {
	var ws []models.TokenWeight
	for i := range 50 {
		ws = append(ws, models.TokenWeight{Token: fmt.Sprintf("t%02d", i), Weight: float64((i*37)%23-11) / 3})
	}
	for _, n := range []int{0, 1, 5, 10, 50, 80} {
		b := strongest{n: n}
		for _, w := range ws {
			b.add(w.Token, w.Weight)
		}
		got := b.list()
		if len(got) != min(n, len(ws)) {
			t.Fatalf("top(%d) has %d", n, len(got))
		}
		for i := 1; i < len(got); i++ {
			a, b := got[i-1], got[i]
			if abs(a.Weight) < abs(b.Weight) || abs(a.Weight) == abs(b.Weight) && a.Token > b.Token { // ties in the order offered: token order here
				t.Errorf("top(%d) out of order at %d: %v", n, i, got)
			}
		}
		if n > 0 && len(got) < len(ws) {
			cut := got[len(got)-1]
			for _, w := range ws {
				if abs(w.Weight) > abs(cut.Weight) && !containsToken(got, w.Token) {
					t.Errorf("top(%d) misses %v", n, w)
				}
			}
		}
	}
}

func abs(f float64) float64 { return max(f, -f) }

func containsToken(ws []models.TokenWeight, tok string) bool {
	for _, w := range ws {
		if w.Token == tok {
			return true
		}
	}
	return false
}
