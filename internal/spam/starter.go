package spam

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/commentd/commentd/models"
)

// Thresholds for scores of the starter model: below DefaultHamThreshold a
// comment is approved, from DefaultSpamThreshold on it is spam, in between it
// waits for a moderator. See starter_test.go for the comments they are tuned on.
const (
	DefaultHamThreshold  = 0.35
	DefaultSpamThreshold = 0.85
)

// starterFS holds the starter corpus, written for this project: one comment
// per line as "author | email | website | text", blank lines and lines
// starting with '#' ignored.
//
//go:embed starter/ham.txt starter/spam.txt
var starterFS embed.FS

// starterFile is a corpus file and the class of its comments.
type starterFile struct {
	name  string
	class models.Class
}

// starterFiles lists the corpus files, in the order they are read and hashed.
func starterFiles() [2]starterFile {
	return [2]starterFile{{"starter/ham.txt", models.ClassHam}, {"starter/spam.txt", models.ClassSpam}}
}

// Example is one labelled comment of the starter corpus.
type Example struct {
	Doc   Doc
	Class models.Class
}

// StarterCorpus returns the labelled comments the starter model learns from.
func StarterCorpus() []Example {
	var out []Example
	for _, f := range starterFiles() {
		data, err := starterFS.ReadFile(f.name)
		if err != nil {
			panic(err) // embedded: cannot happen
		}
		for n, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			d, err := parseExample(line)
			if err != nil {
				panic(fmt.Sprintf("spam: %s:%d: %v", f.name, n+1, err)) // caught by the tests
			}
			out = append(out, Example{Doc: d, Class: f.class})
		}
	}
	return out
}

// parseExample reads "author | email | website | text".
func parseExample(line string) (Doc, error) {
	f := strings.SplitN(line, "|", 4)
	if len(f) != 4 {
		return Doc{}, fmt.Errorf("want author | email | website | text, got %q", line)
	}
	d := Doc{
		Author: strings.TrimSpace(f[0]),
		Email:  strings.TrimSpace(f[1]),
		URL:    strings.TrimSpace(f[2]),
		Text:   strings.TrimSpace(f[3]),
	}
	if d.Text == "" {
		return Doc{}, fmt.Errorf("empty text in %q", line)
	}
	return d, nil
}

// StarterVersion returns a short hash of the starter corpus, to tell which
// corpus a stored model was built from.
func StarterVersion() string {
	h := sha256.New()
	for _, f := range starterFiles() {
		data, err := starterFS.ReadFile(f.name)
		if err != nil {
			panic(err) // embedded: cannot happen
		}
		fmt.Fprintf(h, "%s %d\n", f.name, len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// NewStarterModel returns a new model trained on StarterCorpus.
func NewStarterModel() *Model {
	m := NewModel()
	for _, e := range StarterCorpus() {
		m.Learn(Tokenize(e.Doc), e.Class)
	}
	return m
}
