package eval

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commentd/commentd/models"
)

// write puts content in a file named name in a new temporary directory.
func write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadFiles(t *testing.T) {
	tests := []struct {
		name, file, content string
		want                []Record // IDs ending in ":N" are relative to the file
		skipped             []int    // line numbers
	}{
		{
			name: "jsonl", file: "c.jsonl",
			content: `{"id":"a","text":"Buy now","label":"spam","author":"X","email":"x@y.com","url":"http://y.com","post":"p"}` + "\n" +
				"\n" +
				`{"text":"Lovely","label":"HAM"}` + "\n" +
				`{"id":7,"text":"seven","label":"ham"}` + "\n",
			want: []Record{
				{ID: "a", Class: models.ClassSpam, Text: "Buy now", Author: "X", Email: "x@y.com", URL: "http://y.com", Post: "p"},
				{ID: ":3", Class: models.ClassHam, Text: "Lovely"},
				{ID: "7", Class: models.ClassHam, Text: "seven"},
			},
		},
		{
			name: "jsonl malformed lines are skipped and named", file: "c.jsonl",
			content: `{"text":"ok","label":"ham"}` + "\n" +
				`{"text":"broken",` + "\n" +
				`{"label":"spam"}` + "\n" +
				`{"text":"maybe","label":"unsure"}` + "\n" +
				`{"text":"","label":"spam"}` + "\n",
			want:    []Record{{ID: ":1", Class: models.ClassHam, Text: "ok"}, {ID: ":5", Class: models.ClassSpam}},
			skipped: []int{2, 3, 4},
		},
		{
			name: "csv with a header in any order", file: "c.CSV",
			content: "\ufefflabel,Text,author,id\n" +
				"spam,\"Cheap, fast\",Bob,s1\n" +
				"ham,\"two\nlines\",Ann,h1\n" +
				"ham,no id,,\n",
			want: []Record{
				{ID: "s1", Class: models.ClassSpam, Text: "Cheap, fast", Author: "Bob"},
				{ID: "h1", Class: models.ClassHam, Text: "two\nlines", Author: "Ann"},
				{ID: ":5", Class: models.ClassHam, Text: "no id"},
			},
		},
		{
			name: "csv malformed rows are skipped and named", file: "c.csv",
			content: "text,label\n" +
				"fine,ham\n" +
				"short\n" +
				"\"unterminated,spam\n",
			want:    []Record{{ID: ":2", Class: models.ClassHam, Text: "fine"}},
			skipped: []int{3, 4},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := write(t, tt.file, tt.content)
			c, err := ReadFiles(p)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Records) != len(tt.want) {
				t.Fatalf("got %d records %+v, want %d", len(c.Records), c.Records, len(tt.want))
			}
			for i, w := range tt.want {
				if strings.HasPrefix(w.ID, ":") {
					w.ID = p + w.ID
				}
				if c.Records[i] != w {
					t.Errorf("record %d = %+v, want %+v", i, c.Records[i], w)
				}
			}
			var lines []int
			for _, e := range c.Skipped {
				lines = append(lines, e.Line)
				if e.File != p || !strings.HasPrefix(e.Error(), p+":") {
					t.Errorf("skipped line error %q does not name the file", e.Error())
				}
			}
			if len(lines) != len(tt.skipped) {
				t.Fatalf("skipped lines %v, want %v", lines, tt.skipped)
			}
			for i := range lines {
				if lines[i] != tt.skipped[i] {
					t.Errorf("skipped lines %v, want %v", lines, tt.skipped)
				}
			}
		})
	}
}

func TestReadFilesErrors(t *testing.T) {
	tests := []struct{ name, file, content string }{
		{"missing file", "", ""},
		{"csv without text column", "c.csv", "body,label\nx,ham\n"},
		{"csv without label column", "c.csv", "text,class\nx,ham\n"},
		{"empty csv", "c.csv", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "missing.jsonl")
			if tt.file != "" {
				p = write(t, tt.file, tt.content)
			}
			if _, err := ReadFiles(p); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestRecordNormalised(t *testing.T) {
	r := Record{Text: "a\r\nb", Author: "  Ann ", Email: " ann@example.org ", URL: " https://x.org "}
	c := r.Comment()
	if c.Text != "a\nb" || c.Author != "Ann" || c.Email != "ann@example.org" || c.URL != "https://x.org" {
		t.Errorf("Comment() = %+v, want it normalised as Submit does", c)
	}
	if len(r.Tokens()) == 0 {
		t.Error("no tokens")
	}
}
