// Package web holds the moderator console's HTML templates and static assets,
// embedded in the binary. It knows nothing of HTTP frameworks: internal/httpapi
// fills the view types in view.go and calls Render, and serves Asset.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"strings"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Asset is one static file, ready to serve with a long cache lifetime: its URL
// carries Version, so a changed file gets a new URL.
type Asset struct {
	Name        string
	ContentType string
	Version     string // the first 12 hex digits of the SHA-256 of Body
	Body        []byte
}

// Site is the parsed console: one template set per page, and the assets.
type Site struct {
	pages  map[string]*template.Template
	assets map[string]Asset
}

// contentTypes are the types of the asset extensions the console ships.
var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
	".png": "image/png",
}

// New parses every template and fingerprints every asset.
func New() (*Site, error) {
	s := &Site{pages: map[string]*template.Template{}, assets: map[string]Asset{}}
	err := fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		ct, ok := contentTypes[path.Ext(p)]
		if !ok {
			return fmt.Errorf("web: %s: no content type for its extension", p)
		}
		sum := sha256.Sum256(b)
		name := strings.TrimPrefix(p, "static/")
		s.assets[name] = Asset{Name: name, ContentType: ct, Version: hex.EncodeToString(sum[:6]), Body: b}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: assets: %w", err)
	}
	base, err := template.New("layout.html").Funcs(s.funcs()).ParseFS(templateFiles, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: layout: %w", err)
	}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFiles, n)
		if err != nil {
			return nil, fmt.Errorf("web: %s: %w", n, err)
		}
		s.pages[name] = t
	}
	return s, nil
}

// Render writes the page ("login", "queue", "policy", "audit", "accounts",
// "error") with data, which is the matching view type. It renders into a buffer
// first, so a template error never leaves half a page behind.
func (s *Site) Render(w io.Writer, page string, data any) error {
	t, ok := s.pages[page]
	if !ok {
		return fmt.Errorf("web: no page %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		return fmt.Errorf("web: render %s: %w", page, err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// Asset returns the static file name (such as "console.css").
func (s *Site) Asset(name string) (Asset, bool) {
	a, ok := s.assets[name]
	return a, ok
}

// AssetURL is the versioned URL of a static file, for templates.
func (s *Site) AssetURL(name string) string {
	a, ok := s.assets[name]
	if !ok {
		return StaticPrefix + name
	}
	return StaticPrefix + name + "?v=" + a.Version
}

// StaticPrefix is the path the console's assets are served under.
const StaticPrefix = "/console/static/"
