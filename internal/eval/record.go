// Package eval measures the spam filter on labelled comments: it trains a
// model, judges each comment through the live pipeline (tokenizer, rules,
// model, thresholds) and reports ranking and three-way verdict figures.
package eval

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/commentd/commentd/internal/spam"
	"github.com/commentd/commentd/models"
)

// Record is one labelled comment of a corpus file.
type Record struct {
	ID                             string       // the "id" field, or "FILE:LINE" when there is none
	Class                          models.Class // ham or spam
	Text, Author, Email, URL, Post string
}

// Comment is r as the service stores it after a visitor submitted it (normalised).
func (r Record) Comment() models.NewComment {
	c := models.NewComment{Post: r.Post, Author: r.Author, Email: r.Email, URL: r.URL, Text: r.Text}
	c.Normalize()
	return c
}

// Tokens are the filter's features of r, as the service computes them.
func (r Record) Tokens() []string { return tokens(r.Comment()) }

// tokens are the filter's features of a stored comment (spam.Filter.Tokens).
func tokens(c models.NewComment) []string {
	return spam.Tokenize(spam.Doc{Text: c.Text, Author: c.Author, Email: c.Email, URL: c.URL})
}

// LineError is a line of a corpus file that could not be read as a record.
type LineError struct {
	File string
	Line int
	Err  error
}

func (e LineError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }

// Corpus is the records read from files and the lines skipped.
type Corpus struct {
	Records []Record
	Skipped []LineError
}

// maxLine is the longest line a corpus file may have.
const maxLine = 1 << 20

// ReadFiles reads corpus files: JSON Lines, or CSV when the name ends in
// ".csv". Malformed lines are skipped and listed; an unreadable file is an error.
func ReadFiles(names ...string) (Corpus, error) {
	var c Corpus
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return Corpus{}, fmt.Errorf("eval: %w", err)
		}
		if strings.HasSuffix(strings.ToLower(name), ".csv") {
			err = c.readCSV(f, name)
		} else {
			err = c.readJSONL(f, name)
		}
		f.Close()
		if err != nil {
			return Corpus{}, fmt.Errorf("eval: %s: %w", name, err)
		}
	}
	return c, nil
}

// jsonRecord is one line of a JSON Lines corpus.
type jsonRecord struct {
	ID     json.RawMessage `json:"id"`
	Text   *string         `json:"text"`
	Label  string          `json:"label"`
	Author string          `json:"author"`
	Email  string          `json:"email"`
	URL    string          `json:"url"`
	Post   string          `json:"post"`
}

// readJSONL appends the records of a JSON Lines file; blank lines are ignored.
func (c *Corpus) readJSONL(r io.Reader, name string) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var j jsonRecord
		if err := json.Unmarshal(line, &j); err != nil {
			c.skip(name, n, err)
			continue
		}
		if j.Text == nil {
			c.skip(name, n, errors.New(`no "text"`))
			continue
		}
		id := strings.Trim(string(j.ID), `"`)
		c.add(name, n, id, j.Label, fields{*j.Text, j.Author, j.Email, j.URL, j.Post})
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return nil
}

// readCSV appends the records of a CSV file whose header names its columns:
// text and label, and optionally id, author, email, url, post.
func (c *Corpus) readCSV(r io.Reader, name string) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	if _, ok := col["text"]; !ok {
		return errors.New(`header has no "text" column`)
	}
	if _, ok := col["label"]; !ok {
		return errors.New(`header has no "label" column`)
	}
	get := func(row []string, k string) string {
		if i, ok := col[k]; ok && i < len(row) {
			return row[i]
		}
		return ""
	}
	for {
		row, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return err
			}
			c.skip(name, pe.StartLine, pe.Err)
			continue
		}
		line, _ := cr.FieldPos(0)
		if i := col["text"]; i >= len(row) {
			c.skip(name, line, errors.New("too few columns"))
			continue
		}
		c.add(name, line, get(row, "id"), get(row, "label"),
			fields{get(row, "text"), get(row, "author"), get(row, "email"), get(row, "url"), get(row, "post")})
	}
}

// fields are a record's text fields, in Record's order.
type fields struct{ text, author, email, url, post string }

// add appends a record, or skips the line when its label is not ham or spam.
func (c *Corpus) add(name string, line int, id, label string, f fields) {
	class := models.Class(strings.ToLower(strings.TrimSpace(label)))
	if class != models.ClassHam && class != models.ClassSpam {
		c.skip(name, line, fmt.Errorf("label %q is not spam or ham", label))
		return
	}
	if id == "" || id == "null" {
		id = name + ":" + strconv.Itoa(line)
	}
	c.Records = append(c.Records, Record{ID: id, Class: class,
		Text: f.text, Author: f.author, Email: f.email, URL: f.url, Post: f.post})
}

func (c *Corpus) skip(name string, line int, err error) {
	c.Skipped = append(c.Skipped, LineError{File: name, Line: line, Err: err})
}
