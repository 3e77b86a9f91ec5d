package importer

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"time"
)

// xmlReader walks an XML stream token by token: it holds the open elements,
// never the document, and says where it is when something is wrong.
type xmlReader struct {
	d            *xml.Decoder
	open         []string // local names of the open elements
	root, format string   // the root element the format has, and the format's name
	rooted       bool     // whether the root has been read
}

// newXMLReader reads r, which must be a document with the root element root,
// as format's exports have.
func newXMLReader(r io.Reader, root, format string) *xmlReader {
	return &xmlReader{d: xml.NewDecoder(r), root: root, format: format}
}

// next returns the next start or end element, keeping open up to date, and
// io.EOF at the end of a well-formed document with the right root.
func (x *xmlReader) next() (xml.Token, error) {
	for {
		tok, err := x.d.Token()
		if errors.Is(err, io.EOF) {
			if len(x.open) > 0 {
				return nil, x.fail("unexpected end of file inside <%s>", x.open[len(x.open)-1])
			}
			if !x.rooted {
				return nil, x.fail("not a %s export: no <%s> element", x.format, x.root)
			}
			return nil, io.EOF
		}
		if err != nil {
			return nil, x.wrap(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(x.open) == 0 && t.Name.Local != x.root {
				return nil, x.fail("not a %s export: the document is <%s>, not <%s>", x.format, t.Name.Local, x.root)
			}
			x.rooted = true
			x.open = append(x.open, t.Name.Local)
			return t, nil
		case xml.EndElement:
			x.open = x.open[:len(x.open)-1]
			return t, nil
		}
	}
}

// depth is how many elements are open: 1 right after the root's start.
func (x *xmlReader) depth() int { return len(x.open) }

// decode reads the element that start opened, up to its end, into v.
func (x *xmlReader) decode(v any, start xml.StartElement) error {
	if err := x.d.DecodeElement(v, &start); err != nil {
		return x.wrap(err)
	}
	x.open = x.open[:len(x.open)-1]
	return nil
}

// text returns the character data of the element that start opened.
func (x *xmlReader) text(start xml.StartElement) (string, error) {
	var s string
	err := x.decode(&s, start)
	return s, err
}

// skip reads past the end of the element that start opened.
func (x *xmlReader) skip() error {
	if err := x.d.Skip(); err != nil {
		return x.wrap(err)
	}
	x.open = x.open[:len(x.open)-1]
	return nil
}

// here is where the reader is: the line and column after the last token read.
func (x *xmlReader) here() at {
	line, col := x.d.InputPos()
	return at{line, col}
}

// fail returns an *Error at the reader's position.
func (x *xmlReader) fail(format string, args ...any) error { return x.here().fail(format, args...) }

// wrap turns a decoding error into an *Error at the reader's position.
func (x *xmlReader) wrap(err error) error {
	var syn *xml.SyntaxError
	switch {
	case errors.As(err, &syn):
		return x.fail("malformed XML: %s", syn.Msg)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return x.fail("malformed XML: unexpected end of file")
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	a := x.here()
	return fmt.Errorf("%d:%d: %w", a.line, a.col, err) // a failing read: not the file's fault
}

// at is a position to report a problem of an element later.
type at struct{ line, col int }

func (a at) fail(format string, args ...any) error {
	return &Error{Line: a.line, Column: a.col, Msg: fmt.Sprintf(format, args...)}
}

// parseTime reads a time in one of layouts, in UTC unless it names its zone.
func parseTime(s string, layouts ...string) (time.Time, bool) {
	for _, layout := range layouts {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
