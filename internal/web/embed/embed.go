// Package embed is the comment widget that sites embed: the script (embed.js)
// with its style sheet, the server-rendered page for iframes and server-side
// includes, and a demo article. Like package web it knows nothing of HTTP
// frameworks: internal/httpapi serves what it builds.
package embed

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed" // the script, style sheets and templates below
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
)

var (
	//go:embed widget.js
	scriptSource string
	//go:embed widget.css
	widgetCSS string
	//go:embed page.html
	pageHTML string
	//go:embed demo.html
	demoHTML string
	//go:embed demo.css
	demoCSS string
)

// Options are the server settings the widget has to match.
type Options struct {
	HoneypotField string // the form field that must stay empty; "": none
}

// Script is embed.js, ready to serve with a long cache lifetime.
type Script struct {
	Body    []byte
	Gzip    []byte // Body compressed, for clients that accept gzip
	Version string // the first 12 hex digits of the SHA-256 of Body: the ETag and the ?v= of its URL
}

// Widget is the built widget: the script and the parsed pages. Immutable once built.
type Widget struct {
	script   Script
	pages    *template.Template
	honeypot string
}

// New builds the script for o and parses the page templates.
func New(o Options) (*Widget, error) {
	body, err := buildScript(o.HoneypotField)
	if err != nil {
		return nil, err
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(body)
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("embed: gzip: %w", err)
	}
	sum := sha256.Sum256(body)
	pages, err := template.New("embed").Funcs(funcs).Parse(pageHTML + demoHTML)
	if err != nil {
		return nil, fmt.Errorf("embed: templates: %w", err)
	}
	return &Widget{
		script:   Script{Body: body, Gzip: gz.Bytes(), Version: hex.EncodeToString(sum[:6])},
		pages:    pages,
		honeypot: o.HoneypotField,
	}, nil
}

// buildScript puts the style sheet and the honeypot's name into the script as
// JavaScript string literals.
func buildScript(honeypot string) ([]byte, error) {
	css, err := json.Marshal(widgetCSS)
	if err != nil {
		return nil, fmt.Errorf("embed: style sheet: %w", err)
	}
	name, err := json.Marshal(honeypot)
	if err != nil {
		return nil, fmt.Errorf("embed: honeypot: %w", err)
	}
	r := strings.NewReplacer("__COMMENTD_CSS__", string(css), "__COMMENTD_HONEYPOT__", string(name))
	return []byte(r.Replace(scriptSource)), nil
}

// Script returns embed.js.
func (w *Widget) Script() Script { return w.script }

// PageStyle is the Content-Security-Policy source of the comment page's inline
// style sheet (its SHA-256).
func (w *Widget) PageStyle() string { return styleSource(widgetCSS) }

// DemoStyle is the Content-Security-Policy source of the demo page's inline style sheet.
func (w *Widget) DemoStyle() string { return styleSource(demoCSS) }

func styleSource(css string) string {
	sum := sha256.Sum256([]byte(css))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// Demo is what the demo article needs.
type Demo struct {
	Post     string // the post id its comments are filed under
	Script   string // the URL of embed.js
	NoScript string // the URL of the comment page, for browsers without JavaScript
}

// RenderPage writes the comment page of p.
func (w *Widget) RenderPage(out io.Writer, p Page) error {
	v := pageView{Page: p, CSS: template.CSS(widgetCSS), Honeypot: w.honeypot}
	v.Thread = thread(v)
	return w.render(out, "page", v)
}

// RenderError writes a small page that says msg, in the comment page's style.
func (w *Widget) RenderError(out io.Writer, msg string) error {
	return w.render(out, "error", struct {
		CSS     template.CSS
		Message string
	}{template.CSS(widgetCSS), msg})
}

// RenderDemo writes the demo article with the widget.
func (w *Widget) RenderDemo(out io.Writer, d Demo) error {
	return w.render(out, "demo", struct {
		Demo
		CSS template.CSS
	}{d, template.CSS(demoCSS)})
}

// render executes into a buffer first, so a template error leaves no half page.
func (w *Widget) render(out io.Writer, name string, data any) error {
	var buf bytes.Buffer
	if err := w.pages.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("embed: render %s: %w", name, err)
	}
	_, err := out.Write(buf.Bytes())
	return err
}
