package spam

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/commentd/commentd/models"
)

func roundTrip(t *testing.T, m *Model) *Model {
	t.Helper()
	var buf bytes.Buffer
	if err := m.WriteSnapshot(&buf); err != nil {
		t.Fatalf("WriteSnapshot: %v", err)
	}
	got, err := ReadSnapshot(&buf)
	if err != nil {
		t.Fatalf("ReadSnapshot: %v", err)
	}
	return got
}

func TestSnapshotRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		model func() *Model
	}{
		{"empty", NewModel},
		{"starter", NewStarterModel},
		{"after unlearn", func() *Model {
			m := NewStarterModel()
			m.Learn([]string{"gone", "viagra"}, models.ClassHam)
			m.Unlearn([]string{"gone", "viagra"}, models.ClassHam)
			return m
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.model()
			got := roundTrip(t, m)
			if want, have := stateOf(m), stateOf(got); !reflect.DeepEqual(have, want) {
				t.Errorf("restored model:\n%+v\nwant\n%+v", have, want)
			}
			// The restored model keeps learning like the original.
			for _, x := range []*Model{m, got} {
				x.Learn([]string{"fresh", "viagra"}, models.ClassSpam)
				x.Unlearn([]string{"recipe"}, models.ClassHam)
			}
			if want, have := stateOf(m), stateOf(got); !reflect.DeepEqual(have, want) {
				t.Errorf("after learning:\n%+v\nwant\n%+v", have, want)
			}
		})
	}
}

func TestReadSnapshotErrors(t *testing.T) {
	var good bytes.Buffer
	if err := NewStarterModel().WriteSnapshot(&good); err != nil {
		t.Fatal(err)
	}
	header, body, _ := strings.Cut(good.String(), "\n")
	tests := []struct {
		name string
		data string
	}{
		{"empty", ""},
		{"no header", body},
		{"bad json", "{nope\n" + body},
		{"other format", `{"format":"other/1"}` + "\n" + body},
		{"negative docs", `{"format":"commentd-spam/1","ham_docs":-1}` + "\n" + body},
		{"truncated", header + "\n" + body[:len(body)/2]},
		{"garbage", header + "\nnot gob at all"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ReadSnapshot(strings.NewReader(tt.data))
			if !errors.Is(err, ErrBadSnapshot) || m != nil {
				t.Errorf("ReadSnapshot = %v, %v; want nil, ErrBadSnapshot", m, err)
			}
		})
	}
}
